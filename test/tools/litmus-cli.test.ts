/** `rvsmp litmus` through the CLI: histograms, JSON lines, broken files named, skipped and counted (exit 1). */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/binutils.js';
import { expectNoStackTrace, rvsmpIntoHead, rvsmp } from '../helpers/cli.js';

const ours = join(__dirname, '../litmus/tests');

describe('rvsmp litmus', () => {
  it('prints a histogram per test and a per-family summary', () => {
    const r = rvsmp(['litmus', join(ours, 'SB.litmus'), join(ours, 'MP.litmus'), '--model', 'tso', '--runs', '200', '--jobs', '1', '--expect', join(ours, '../expected.json')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Test SB: 200 runs, condition reached [1-9]\d* times$/m);
    expect(r.stdout).toMatch(/^ +\d+ {2}0:x7=0; 1:x7=0;$/m);
    expect(r.stdout).toMatch(/^Test MP: 200 runs, condition reached 0 times$/m);
    expect(r.stdout).toMatch(/Summary \(tso, 200 runs per test, 2 tests, 0 skipped/);
  });

  it('prints JSON lines with a summary object last', () => {
    const r = rvsmp(['litmus', ours, '--model', 'wmo', '--runs', '50', '--jobs', '2', '--json', '--expect', join(ours, '../expected.json')]);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const tests = readdirSync(ours).filter((f) => f.endsWith('.litmus')).length;
    expect(lines.length).toBe(tests + 1);
    expect(lines[0]).toMatchObject({ model: 'wmo', runs: 50 });
    expect(typeof lines[0].states).toBe('object');
    expect(lines.at(-1)).toMatchObject({ summary: true, model: 'wmo', tests, unsound: 0 });
  });

  it('reports a broken file with its line, skips it, goes on, and exits 1', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'set'));
    copyFileSync(join(ours, 'SB.litmus'), join(dir, 'set', 'SB.litmus'));
    writeFileSync(join(dir, 'set', 'broken.litmus'), 'RISCV broken\n{\n0:x5=1;\n}\n P0          ;\n frob x5,0(x6) ;\nexists (0:x5=1)\n');
    writeFileSync(join(dir, 'set', 'nocond.litmus'), 'RISCV nocond\n{\n}\n P0 ;\n nop ;\n');
    const r = rvsmp(['litmus', join(dir, 'set'), '--runs', '20', '--jobs', '1']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^Test SB: 20 runs/m);
    expect(r.stderr).toMatch(/skipping broken\.litmus:6: P0: unknown instruction "frob"/);
    expect(r.stderr).toMatch(/skipping nocond\.litmus:\d+: expected exists, ~exists or forall/);
    expect(r.stderr).toMatch(/2 broken litmus files skipped/);
    expectNoStackTrace(r.stderr);
  });

  it('exits non-zero when a forbidden outcome is reached', () => {
    const dir = tempDir();
    copyFileSync(join(ours, 'SB.litmus'), join(dir, 'SB.litmus'));
    writeFileSync(join(dir, 'expected.json'), JSON.stringify({ SB: { rvwmo: 'forbidden', rvtso: 'forbidden', quantifier: 'exists', family: 'SB' } }));
    const r = rvsmp(['litmus', join(dir, 'SB.litmus'), '--model', 'wmo', '--runs', '200', '--jobs', '1', '--expect', join(dir, 'expected.json')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/UNSOUND \(1\): SB/);
  });

  it('ends quietly when its output is piped into a reader that stops early', () => {
    const r = rvsmpIntoHead(['litmus', 'test/litmus/tests', '--runs', '20', '--jobs', '1']);
    expect(r.stdout.split('\n')[0]).toMatch(/^Test /);
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expectNoStackTrace(r.stderr);
  });
});
