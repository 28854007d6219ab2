/**
 * `rvsmp race --shard K/N --json` then `--merge`: the shards of one campaign combine into the matrix
 * one run would give (schedules summed, the smallest failing seed kept, replay commands in the
 * shards' setup); a shard given twice, shards of different setups, a file cut short and a broken
 * line are refused with the file and line named; shards not given are named.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/binutils.js';
import { expectNoStackTrace, rvsmp } from '../../helpers/cli.js';
import { shardRanges } from '../../../tools/race/merge.js';

const CELLS = ['--scenario', 'R4a', '--version', 'v6,v6-peterz', '--model', 'sc', '--iterations', '3', '--budget', '100', '--jobs', '1', '--json'];

describe('race shards and their merge', () => {
  const dir = tempDir();
  const shard = (k: number, n: number, extra: string[] = []) => {
    const file = join(dir, `shard-${k}-of-${n}${extra.join('')}.json`);
    const r = rvsmp(['race', ...CELLS, '--shard', `${k}/${n}`, ...extra]);
    // 1: a shard may miss a race that another shard's seeds find.
    expect([0, 1], r.stderr).toContain(r.status);
    writeFileSync(file, r.stdout);
    return file;
  };
  const lines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const files = [shard(1, 2), shard(2, 2)];

  it('each shard says what it ran and which shard it is', () => {
    const summary = lines(readFileSync(files[1]!, 'utf8')).pop()!;
    expect(summary).toMatchObject({ summary: true, cells: 2, run: { harts: 4, ipi: 'clint', iterations: 3, wmoEngine: 'views' }, shards: { n: 2, k: [2] } });
  });

  it('merges the shards: schedules summed, the smallest failing seed, replays in the shards setup', () => {
    const parts = files.map((f) => lines(readFileSync(f, 'utf8')));
    const fixed = parts.map((p) => p.find((l) => l.version === 'v6-peterz')!);
    const buggy = parts.map((p) => p.find((l) => l.version === 'v6')!);
    const r = rvsmp(['race', '--merge', ...files]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^shards 1-2 of 2 \(all\)$/m);
    expect(r.stdout).toMatch(new RegExp(`sc +HELD ${(fixed[0]!.schedules as number) + (fixed[1]!.schedules as number)} schedules`));
    const seed = Math.min(...buggy.map((b) => b.seed as number));
    expect(r.stdout).toMatch(new RegExp(`sc +REPRODUCED seed ${seed},`));
    expect(r.stdout).toContain(`rvsmp race --scenario R4a --version v6 --model sc --harts 4 --ipi clint --iterations 3 --seed ${seed}`);
    // A merge's JSON merges again, and says which shards it holds.
    const json = rvsmp(['race', '--merge', ...files, '--json']);
    expect(lines(json.stdout).pop()).toMatchObject({ summary: true, cells: 2, shards: { n: 2, k: [1, 2] }, run: { iterations: 3 } });
  });

  it('names the shards not merged', () => {
    const r = rvsmp(['race', '--merge', files[0]!]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^shards 1 of 2; not merged: 2$/m);
  });

  it.each([
    ['the same shard twice', () => [files[0]!, files[0]!], /shard 1\/2 is in both .*shard-1-of-2\.json and .*shard-1-of-2\.json: its schedules would count twice/],
    ['shards of different setups', () => [files[0]!, shard(2, 2, ['--harts', '5'])], /shard-2-of-2--harts5\.json ran with harts 5, .*shard-1-of-2\.json with harts 4/],
    ['shards of different splits', () => [files[0]!, shard(2, 3)], /shard-2-of-3\.json holds shards of 3, .*shard-1-of-2\.json of 2/],
  ])('refuses %s', (_what, given, message) => {
    const r = rvsmp(['race', '--merge', ...given()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expectNoStackTrace(r.stderr);
  });

  it.each([
    ['a file cut short', (t: string) => t.split('\n').slice(0, 1).join('\n'), /cut\.json: no summary line at its end: the run was cut short/],
    ['a line after the summary', (t: string) => t + t.split('\n')[0] + '\n', /cut\.json:4: a line after the summary/],
    ['a broken field', (t: string) => t.replace('"status":"HELD"', '"status":"MAYBE"'), /cut\.json:\d: status must be REPRODUCED or HELD/],
    ['a count that does not match', (t: string) => t.replace('"cells":2', '"cells":3'), /cut\.json: its summary counts 3 cells but 2 cell results precede it/],
    ['a line that is not JSON', (t: string) => t.replace('{"scenario"', '{scenario'), /cut\.json:1: not JSON/],
  ])('refuses %s, naming the file and line', (_what, edit, message) => {
    const cut = join(dir, 'cut.json');
    writeFileSync(cut, edit(readFileSync(files[0]!, 'utf8')));
    const r = rvsmp(['race', '--merge', cut]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expectNoStackTrace(r.stderr);
  });

  it('merges a file that does not say which shards it holds (written before rvsmp recorded it), and says so', () => {
    const old = join(dir, 'old.json');
    writeFileSync(old, readFileSync(files[1]!, 'utf8').replace(/,"run":.*\}\n$/, '}\n'));
    expect(lines(readFileSync(old, 'utf8')).pop()).not.toHaveProperty('shards');
    const r = rvsmp(['race', '--merge', files[0]!, old]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^shards 1 of 2, and 1 file that does not say which shards it holds, so neither overlaps with it nor missing shards can be checked \(written before rvsmp recorded it: .*old\.json\)$/m);
    // Its results count all the same: the fixed cell's schedules are both files'.
    const both = rvsmp(['race', '--merge', ...files]);
    expect(r.stdout.split('\n').filter((l) => /HELD/.test(l))).toEqual(both.stdout.split('\n').filter((l) => /HELD/.test(l)));
  });

  it('writes shard numbers as ranges', () => {
    expect(shardRanges([28, 3, 1, 2, 17, 16])).toBe('1-3, 16-17, 28');
    expect(shardRanges([5])).toBe('5');
  });
});
