/**
 * Builds the bundled CLI once before the tests, so CLI tests run what users run (dist/cli.js); at
 * the end prints the longest synchronous stretches the tests held their workers' event loops
 * (test/setup/event-loop.ts measures them).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  execFileSync('npx', ['tsup', '--silent'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'rvsmp-loop-'));
  const report = join(dir, 'event-loop.jsonl');
  process.env.RVSMP_EVENT_LOOP_REPORT = report;
  return () => {
    if (!existsSync(report)) return;
    const rows = readFileSync(report, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { test: string; ms: number });
    rows.sort((a, b) => b.ms - a.ms);
    const worst = rows.slice(0, 5).map((r) => `  ${(r.ms / 1000).toFixed(2)} s  ${r.test}`);
    console.log(`\nlongest synchronous stretches (a test holding its worker's event loop), of ${rows.length} tests:\n${worst.join('\n')}`);
    rmSync(dir, { recursive: true, force: true });
  };
}
