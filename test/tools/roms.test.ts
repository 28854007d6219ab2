/**
 * Regression ROMs through the built CLI: `rvsmp build-roms` writes every scenario image with its
 * expectations, `rvsmp test` replays the known races and checks the fixed versions hold (all as
 * expected, JUnit written), and a ROM whose expectation is wrong is reported as a surprise.
 */
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/binutils.js';
import { expectNoStackTrace, rvsmp, rvsmpAsync } from '../helpers/cli.js';

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

  it.each([
    ['expectations without checks', '{"harts":4}', /x\.expect\.json: checks must be a non-empty list$/m],
    ['a hold check without its number of schedules', '{"harts":4,"checks":[{"model":"sc","expect":"hold"}]}', /x\.expect\.json: checks\[0\]\.schedules must be a whole number >= 1/],
    ['a fail check without its symptom', '{"harts":4,"checks":[{"model":"tso","expect":"fail","seed":3}]}', /x\.expect\.json: checks\[0\]\.symptom must be the symptom/],
    ['an unknown model', '{"harts":4,"checks":[{"model":"pso","expect":"hold","schedules":1}]}', /x\.expect\.json: checks\[0\]\.model must be one of sc, tso, wmo/],
    ['expectations that are not JSON', '{"harts":4,', /x\.expect\.json: not JSON/],
    ['a ROM that is not an ELF file', '{"harts":4,"checks":[{"model":"sc","expect":"hold","schedules":1}]}', /x\.elf: not an ELF file/],
  ])('names what is wrong with a broken ROM: %s', (_what, expectation, message) => {
    const broken = join(tempDir(), 'broken');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'x.elf'), 'not an ELF file at all\n');
    writeFileSync(join(broken, 'x.expect.json'), expectation);
    const r = rvsmp(['test', broken]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expectNoStackTrace(r.stderr);
  });

  it('names a ROM without expectations, and a directory without ROMs', () => {
    const lone = join(tempDir(), 'lone');
    mkdirSync(lone, { recursive: true });
    const empty = rvsmp(['test', lone]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/rvsmp: no \.elf ROMs in .*lone/);
    writeFileSync(join(lone, 'y.elf'), 'x');
    const r = rvsmp(['test', lone]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/y\.elf: no expectations beside it \(.*y\.expect\.json\)/);
  });
});
