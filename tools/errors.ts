import { readFileSync } from 'node:fs';

/** A mistake in how rvsmp was called: printed as one line plus usage, exit status 2. */
export class UsageError extends Error {}

/** The bytes of a file the user named, or a UsageError naming it and saying why it cannot be read. */
export function readUserFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UsageError(`cannot read ${path}: ${why}`);
  }
}

/** A text file the user named (UTF-8), or a UsageError as readUserFile gives. */
export function readUserText(path: string): string {
  return Buffer.from(readUserFile(path)).toString('utf8');
}

/** Is a value read from a user's file a whole number of at least `min`? */
export function isWhole(v: unknown, min = 0): v is number {
  return Number.isSafeInteger(v) && (v as number) >= min;
}
