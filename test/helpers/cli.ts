/** Runs the built CLI (dist/cli.js) as a user would, capturing its output and exit status. */
import { spawn, spawnSync } from 'node:child_process';
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

/** The same, without blocking the test worker (for long runs: vitest's RPC needs its event loop). */
export function rvsmpAsync(args: string[], opts: { timeout?: number; input?: string } = {}): Promise<CliResult> {
  return spawnAsync(process.execPath, [CLI, ...args], opts);
}

/** Any program, run without blocking the test worker; killed after the timeout (status -1). */
export function spawnAsync(cmd: string, args: string[], opts: { timeout?: number; input?: string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'], cwd: opts.cwd });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => {}); // a child that exits before reading all of it
      child.stdin!.end(opts.input);
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status: status ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Run the CLI with its stdout piped into `head -1`, which stops reading at once (EPIPE). */
export function rvsmpIntoHead(args: string[]): CliResult {
  const quoted = [process.execPath, CLI, ...args].map((x) => `'${x.replace(/'/g, "'\\''")}'`).join(' ');
  const r = spawnSync('bash', ['-c', `set -o pipefail; ${quoted} | head -1`], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
