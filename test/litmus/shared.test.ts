/**
 * Soundness over the shared litmus set (../shared/litmus, beside the checkout in CI): in sc, tso and
 * wmo (both engines), 500 runs per test, no test reaches a forbidden condition and no final state falls outside
 * herd's list. Completeness is printed. CI must have ../shared; a fresh clone without it skips this.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rvsmpAsync } from '../helpers/cli.js';

const shared = join(__dirname, '../../../shared/litmus');
const present = existsSync(join(shared, 'expected.json'));
if (!present && process.env.CI) throw new Error(`CI needs the shared litmus set at ${shared}`);

describe.skipIf(!present)('the shared litmus set', () => {
  it.each(['sc', 'tso', 'wmo', 'wmo views'])('%s: 0 unsound tests in 500 runs each', async (name) => {
    const [model, engine] = name.split(' ');
    const r = await rvsmpAsync(['litmus', join(shared, 'tests'), '--model', model!, ...(engine ? ['--wmo-engine', engine] : []), '--runs', '500', '--jobs', '2', '--json', '--expect', join(shared, 'expected.json'), '--states', join(shared, 'states.json')], { timeout: 1_200_000 });
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { unsound: number; tests: number; allowed: number; reached: number; broken: number; seconds: number };
    console.log(`${name}: ${summary.tests} tests, ${summary.unsound} unsound, ${summary.reached}/${summary.allowed} allowed reached, ${summary.seconds.toFixed(0)} s`);
    expect(summary.broken).toBe(0);
    expect(summary.tests).toBe(2268);
    expect(summary.unsound).toBe(0);
    expect(r.status).toBe(0);
  });
});
