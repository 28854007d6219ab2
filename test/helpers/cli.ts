/** Runs the built CLI (dist/cli.js) as a user would, capturing its output and exit status. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function rvsmp(args: string[], opts: { cwd?: string; input?: string; timeout?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: opts.cwd, input: opts.input ?? '', timeout: opts.timeout ?? 60_000, maxBuffer: 512 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A message for users: no JavaScript stack frames. */
export function expectNoStackTrace(text: string): void {
  if (/\n\s+at .+\(.*:\d+:\d+\)/.test(text) || /node:internal/.test(text)) throw new Error(`output contains a stack trace:\n${text}`);
}
