import { closeSync, openSync, readSync } from 'node:fs';
import { LIMITS, limitMessage } from './limits.js';

/** A mistake in how rvsmp was called: printed as one line plus usage, exit status 2. */
export class UsageError extends Error {}

/**
 * The bytes of a file the user named (or of file descriptor 0 for standard input), read in chunks up
 * to the input size limit - /dev/zero and endless pipes end there - or a UsageError naming the file
 * and saying why it cannot be read.
 */
export function readUserFile(path: string | 0, what: string = path === 0 ? 'standard input' : path): Uint8Array {
  const limit = LIMITS.input.value;
  let fd: number | undefined;
  try {
    fd = path === 0 ? 0 : openSync(path, 'r');
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const chunk = new Uint8Array(Math.min(1 << 20, limit + 1 - total));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue; // a non-blocking pipe with nothing yet
        if ((e as NodeJS.ErrnoException).code === 'EOF') break;
        throw e;
      }
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) throw new UsageError(`${what} is larger than ${limitMessage(LIMITS.input)}`);
    }
    const out = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UsageError(`cannot read ${what}: ${why}`);
  } finally {
    if (fd !== undefined && fd !== 0) closeSync(fd);
  }
}

/** A text file the user named (UTF-8), or a UsageError as readUserFile gives. */
export function readUserText(path: string | 0, what?: string): string {
  return Buffer.from(readUserFile(path, what)).toString('utf8');
}

/** Is a value read from a user's file a whole number of at least `min`? */
export function isWhole(v: unknown, min = 0): v is number {
  return Number.isSafeInteger(v) && (v as number) >= min;
}
