/**
 * The fuzz suite (tools/fuzz): a fixed seed and a few hundred cases per input surface - assembly,
 * ELF images through disasm, run, debug and test, litmus files, debugger scripts, ROM expectations,
 * flag combinations, gdb packets - each classified as a clean error, a success, an internal error
 * (a host exception's text, exit 70, a crash) or a hang (no end within 20 s). There must be no
 * internal error and no hang. RVSMP_FUZZ_CASES and RVSMP_FUZZ_SEED run more, or others;
 * `npm run fuzz -- --cases N --seed S` does the same from the command line and prints the table.
 */
import { describe, expect, it } from 'vitest';
import { formatReport, runCampaign } from '../../tools/fuzz/campaign.js';
import { SURFACES } from '../../tools/fuzz/cases.js';
import { fileURLToPath } from 'node:url';

const cases = Number(process.env.RVSMP_FUZZ_CASES ?? 200);
const seed = Number(process.env.RVSMP_FUZZ_SEED ?? 1);
const script = fileURLToPath(new URL('../../dist/fuzz.js', import.meta.url));

describe('fuzzing every input surface', () => {
  it(`${cases} cases per surface (seed ${seed}): no internal error, no hang`, async () => {
    const reports = await runCampaign({ seed, cases, script, parallel: 2 });
    console.log(formatReport(reports, seed));
    for (const r of reports) {
      expect(r.invocations).toBe(cases);
      expect(r.counts['clean-error'] + r.counts.success + r.counts['internal-error'] + r.counts.hang).toBe(cases);
      expect(r.findings, `${r.surface}: ${r.findings.map((f) => `case ${f.index} ${f.outcome}: ${f.message}`).join('; ')}`).toEqual([]);
    }
    // Every surface reaches past its parser: some cases succeed, some are refused with a message.
    for (const r of reports.filter((x) => x.surface !== 'gdb')) {
      expect(r.counts.success, `${r.surface} never succeeded`).toBeGreaterThan(0);
      expect(r.counts['clean-error'], `${r.surface} never refused`).toBeGreaterThan(0);
    }
    expect(reports.map((r) => r.surface)).toEqual([...SURFACES]);
  }, 900_000);
});
