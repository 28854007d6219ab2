/**
 * dist/fuzz.js: `npm run fuzz` runs a fuzz campaign over every input surface and prints the
 * figures (invocations, clean errors, successes, internal errors, hangs per surface); as
 * `fuzz.js child SURFACE SEED START COUNT` it is the process that runs the cases (child.ts).
 *
 *   npm run fuzz -- [--cases N] [--seed S] [--surface asm,run,...] [--case I] [--timeout SECONDS]
 */
import arg from 'arg';
import { childMain } from './child.js';
import { SURFACES, type Surface } from './cases.js';
import { formatReport, runCampaign } from './campaign.js';

async function campaign(argv: string[]): Promise<number> {
  const a = arg({ '--cases': Number, '--seed': Number, '--surface': String, '--case': Number, '--timeout': Number, '--parallel': Number }, { argv });
  const surfaces = (a['--surface']?.split(',') ?? [...SURFACES]) as Surface[];
  for (const s of surfaces) if (!SURFACES.includes(s)) throw new Error(`unknown surface "${s}" (${SURFACES.join(', ')})`);
  const seed = a['--seed'] ?? 1;
  const one = a['--case'];
  const cases = one !== undefined ? 1 : (a['--cases'] ?? 1000);
  const reports = await runCampaign({
    surfaces,
    seed,
    cases,
    ...(one !== undefined ? { first: one } : {}),
    timeoutMs: (a['--timeout'] ?? 20) * 1000,
    parallel: a['--parallel'] ?? 2,
    onCase: one !== undefined ? (s, i, r) => console.log(`${s} case ${i}: ${r.outcome} (exit ${r.code}) ${r.message}`) : undefined,
  });
  console.log(`fuzz campaign: seed ${seed}, ${cases} cases per surface\n${formatReport(reports, seed)}`);
  return reports.some((r) => r.counts['internal-error'] + r.counts.hang > 0) ? 1 : 0;
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'child') {
  const [surface, seed, start, count] = rest;
  await childMain(surface as Surface, Number(seed), Number(start), Number(count));
  process.exit(0);
} else {
  process.exitCode = await campaign(process.argv.slice(2));
}
