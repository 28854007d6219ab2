/**
 * Regression ROMs through the built CLI: `rvsmp build-roms` writes every scenario image with its
 * expectations, `rvsmp test` replays the known races and checks the fixed versions hold (all as
 * expected, JUnit written), and a ROM whose expectation is wrong is reported as a surprise.
 */
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/binutils.js';
import { expectNoStackTrace, rvsmpAsync } from '../helpers/cli.js';

describe('rvsmp build-roms and rvsmp test', () => {
  const dir = tempDir();
  const roms = join(dir, 'roms');

  it('builds the ROMs, and every check is as expected', async () => {
    const built = await rvsmpAsync(['build-roms', '--out', roms, '--hold', '20'], { timeout: 120_000 });
    expect(built.status, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/ROMs written/);
    const junitFile = join(dir, 'roms.xml');
    const r = await rvsmpAsync(['test', roms, '--junit', junitFile], { timeout: 600_000 });
    console.log(r.stdout.trim().split('\n').pop());
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/ok +R1-v1-4h +sc +expected race: seed \d+ fails at step [\d,]+: WARN refs<0/);
    expect(r.stdout).toMatch(/ok +R4b-v6-2h +tso +expected race: .*lost update/);
    expect(r.stdout).toMatch(/ok +R4b-v6-peterz-2h +tso +held \d+ schedules/);
    const xml = readFileSync(junitFile, 'utf8');
    expect(xml).toMatch(/<testsuites tests="\d+" failures="0"/);
  }, 700_000);

  it('reports a ROM whose race no longer shows as a surprise, with a non-zero exit', async () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad, { recursive: true });
    copyFileSync(join(roms, 'R3-v4-4h.elf'), join(bad, 'R3-v4-4h.elf'));
    const e = JSON.parse(readFileSync(join(roms, 'R3-v4-4h.expect.json'), 'utf8'));
    e.checks = [{ model: 'sc', expect: 'fail', seed: 3, symptom: 'perma-spin' }]; // v4 fixed R3: this cannot fail
    writeFileSync(join(bad, 'R3-v4-4h.expect.json'), JSON.stringify(e));
    const r = await rvsmpAsync(['test', bad], { timeout: 120_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL +R3-v4-4h +sc +seed 3 was expected to fail with "perma-spin" but passed/);
    const missing = await rvsmpAsync(['test', join(dir, 'nothing-here')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nothing-here/);
    expectNoStackTrace(missing.stderr);
  }, 200_000);
});
