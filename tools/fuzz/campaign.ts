/**
 * A fuzz campaign: for each surface, `cases` cases from a seed, run in a child process
 * (dist/fuzz.js child ...) that reports each case as it starts and ends. A case that runs past the
 * time limit is a hang: the child is killed and a new one goes on with the next case; a child that
 * dies is an internal error of the case it was running. Nothing here blocks the event loop.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { CaseResult, Outcome } from './child.js';
import { SURFACES, type Surface } from './cases.js';

export interface Finding extends CaseResult {
  readonly index: number;
}

export interface SurfaceReport {
  readonly surface: Surface;
  readonly invocations: number;
  readonly counts: Record<Outcome, number>;
  /** Internal errors and hangs, each replayable from (surface, seed, index). */
  readonly findings: Finding[];
  readonly seconds: number;
}

export interface CampaignOptions {
  readonly surfaces?: readonly Surface[];
  readonly seed: number;
  readonly cases: number;
  /** First case index (default 0): `--case I` replays one. */
  readonly first?: number;
  /** A case running longer than this is a hang (ms). */
  readonly timeoutMs?: number;
  /** Children at once (default 2). */
  readonly parallel?: number;
  /** The bundle that serves as the child (default: dist/fuzz.js beside this file's bundle). */
  readonly script?: string;
  readonly onCase?: (surface: Surface, index: number, r: CaseResult) => void;
}

export const DEFAULT_TIMEOUT_MS = 20_000;

function defaultScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // From dist/fuzz.js itself, or from tools/fuzz/ (vite-node): the bundle in dist/.
  return here.endsWith('dist') ? join(here, 'fuzz.js') : join(here, '../../dist/fuzz.js');
}

/** Run cases first..first+count-1 of one surface, restarting the child past hangs and crashes. */
async function runSurface(surface: Surface, o: CampaignOptions): Promise<SurfaceReport> {
  const t0 = Date.now();
  const counts: Record<Outcome, number> = { success: 0, 'clean-error': 0, 'internal-error': 0, hang: 0 };
  const findings: Finding[] = [];
  const first = o.first ?? 0;
  const end = first + o.cases;
  const note = (index: number, r: CaseResult) => {
    counts[r.outcome]++;
    if (r.outcome === 'internal-error' || r.outcome === 'hang') findings.push({ index, ...r });
    o.onCase?.(surface, index, r);
  };
  let next = first;
  while (next < end) {
    next = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, ['--max-old-space-size=3072', o.script ?? defaultScript(), 'child', surface, String(o.seed), String(next), String(end - next)], {
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      });
      let running: number | undefined;
      let finished = next;
      let timer: NodeJS.Timeout | undefined;
      let buffer = '';
      let stderrTail = '';
      let settled = false;
      const settle = (to: number) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        resolve(to);
      };
      child.stderr!.on('data', (b: Buffer) => (stderrTail = (stderrTail + b.toString('utf8')).slice(-2000)));
      (child.stdio[3] as NodeJS.ReadableStream).on('data', (b: Buffer) => {
        buffer += b.toString('utf8');
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const msg = JSON.parse(buffer.slice(0, nl)) as { start?: number; done?: number } & CaseResult;
          buffer = buffer.slice(nl + 1);
          if (msg.start !== undefined) {
            running = msg.start;
            timer = setTimeout(() => {
              note(msg.start!, { outcome: 'hang', code: -1, message: `no end within ${((o.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000).toFixed(0)} s` });
              child.kill('SIGKILL');
              settle(msg.start! + 1);
            }, o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
          } else if (msg.done !== undefined) {
            if (timer) clearTimeout(timer);
            running = undefined;
            finished = msg.done + 1;
            note(msg.done, msg);
          }
        }
      });
      child.on('close', (code, signal) => {
        if (settled) return;
        if (running !== undefined) {
          // The child died in a case: a crash (heap exhausted, a native abort).
          note(running, { outcome: 'internal-error', code: code ?? -1, message: `the process died (${signal ?? `exit ${code}`}): ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` });
          settle(running + 1);
        } else if (finished === next && code !== 0) {
          // Not a case's fault: the child cannot start.
          settled = true;
          reject(new Error(`the fuzz child did not start (${signal ?? `exit ${code}`}): ${stderrTail.trim()}`));
        } else settle(finished);
      });
    });
  }
  return { surface, invocations: o.cases, counts, findings, seconds: (Date.now() - t0) / 1000 };
}

/** Every surface's cases, `parallel` surfaces at a time; reports in the order of SURFACES. */
export async function runCampaign(o: CampaignOptions): Promise<SurfaceReport[]> {
  const surfaces = [...(o.surfaces ?? SURFACES)];
  const reports = new Map<Surface, SurfaceReport>();
  const queue = [...surfaces];
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(o.parallel ?? 2, surfaces.length)) }, async () => {
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) reports.set(s, await runSurface(s, o));
    }),
  );
  return surfaces.map((s) => reports.get(s)!);
}

/** The figures as a table, and each finding with the command that replays it. */
export function formatReport(reports: readonly SurfaceReport[], seed: number): string {
  const rows = reports.map((r) => `| ${r.surface} | ${r.invocations} | ${r.counts['clean-error']} | ${r.counts.success} | ${r.counts['internal-error']} | ${r.counts.hang} | ${r.seconds.toFixed(1)} s |`);
  const lines = ['| surface | invocations | clean errors | successes | internal errors | hangs | time |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows];
  const total = (k: Outcome) => reports.reduce((a, r) => a + r.counts[k], 0);
  lines.push(`| all | ${reports.reduce((a, r) => a + r.invocations, 0)} | ${total('clean-error')} | ${total('success')} | ${total('internal-error')} | ${total('hang')} | |`);
  for (const r of reports) {
    for (const f of r.findings) lines.push(`${r.surface} case ${f.index}: ${f.outcome}: ${f.message.split('\n')[0]}\n  replay: npm run fuzz -- --surface ${r.surface} --seed ${seed} --case ${f.index}`);
  }
  return lines.join('\n');
}
