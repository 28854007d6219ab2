/**
 * The rvsmp command line. It stays thin: parse flags with `arg` (values checked in tools/flags.ts),
 * call the library, print, and turn every expected failure into a one-line message and a non-zero
 * exit status (never a stack trace).
 */
import { writeFileSync } from 'node:fs';
import { AsmError, AsmErrors, ElfError, parseAssembly, writeElf } from '../assembler/index.js';
import { listing } from './listing.js';
import { runCommand, RUN_USAGE } from './run.js';
import { LoadError } from '../emulator/loader/elf.js';
import { MAX_HARTS } from '../emulator/config.js';
import { DEMO_SOURCE } from './demo.js';
import { Machine } from '../emulator/machine.js';
import { IMPLEMENTED_MODELS, type MemoryModel } from '../emulator/config.js';
import { defaultJobs, litmusCommand } from './litmus/command.js';
import { raceCommand } from './race/command.js';
import { buildRoms, junit, testRoms } from './race/roms.js';
import { fileURLToPath } from 'node:url';
import { ALL_SCENARIOS, ALL_VERSIONS, applies, type Cell, RACE_MODELS } from './race/matrix.js';
import { SCENARIOS, type ScenarioName } from '../guest/image.js';
import { readUserFile, readUserText, UsageError } from './errors.js';
import { LIMITS, limitMessage } from './limits.js';
import { cellPart, parse, parseAddress, parseBudget, parseCount, parseJobs, parseSchedule, parseWmoEngine, singleInput } from './flags.js';
import { debugCommand, type DebugTarget } from './debug/command.js';
import { ReplayError } from '../emulator/record.js';

const VERSION = '0.1.0';

interface Command {
  readonly summary: string;
  readonly usage: string;
  run(argv: string[]): number | Promise<number>;
}

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');
const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : s + '\n');

const COMMANDS: Record<string, Command> = {
  asm: {
    summary: 'assemble GNU-syntax RISC-V assembly into an ELF executable',
    usage: 'rvsmp asm <in.S> -o <out.elf> [--base ADDR] [--no-rvc]',
    run(argv) {
      const a = parse({ '--output': String, '-o': '--output', '--base': String, '--no-rvc': Boolean, '--help': Boolean, '-h': '--help' }, argv, this.usage);
      if (a['--help']) return help('asm');
      const input = singleInput(a._, this.usage);
      if (!a['--output']) throw new UsageError(`missing -o <out.elf>\nusage: ${this.usage}`);
      const base = a['--base'] ? parseAddress(a['--base'], '--base') : 0x80000000n;
      const image = parseAssembly(readUserText(input), { file: input, rvc: !a['--no-rvc'], maxSectionSize: LIMITS.section.value, sectionLimitText: limitMessage(LIMITS.section) }).link({ base });
      const elf = writeElf(image);
      try {
        writeFileSync(a['--output'], elf);
      } catch (e) {
        throw new UsageError(`cannot write ${a['--output']}: ${(e as Error).message}`);
      }
      return 0;
    },
  },
  disasm: {
    summary: 'disassemble the code sections of an ELF file, as objdump -d does',
    usage: 'rvsmp disasm <file.elf> [--all-csr-names]',
    run(argv) {
      const a = parse({ '--all-csr-names': Boolean, '--help': Boolean, '-h': '--help' }, argv, this.usage);
      if (a['--help']) return help('disasm');
      const input = singleInput(a._, this.usage);
      out(listing(readUserFile(input), input, { allCsrNames: !!a['--all-csr-names'] }));
      return 0;
    },
  },
  run: {
    summary: 'run a guest image (ELF or raw binary) until it exits through the test finisher or HTIF',
    usage: RUN_USAGE,
    run(argv) {
      const a = parse(
        {
          '--max-insns': String, '--trace': Boolean, '--ram': String, '--load-addr': String,
          '--harts': String, '--seed': String, '--schedule': String, '--quantum': String, '--pct-depth': String, '--pct-steps': String,
          '--record': String, '--replay': String, '--machine': String, '--imsic-ids': String, '--memory-model': String,
          '--wmo-engine': String, '--help': Boolean, '-h': '--help',
        },
        argv,
        this.usage,
      );
      if (a['--help']) return help('run');
      const input = singleInput(a._, this.usage);
      const maxInsns = a['--max-insns'] !== undefined ? parseCount(a['--max-insns'], '--max-insns') : undefined;
      const ramMiB = a['--ram'] !== undefined ? parseCount(a['--ram'], '--ram') : 256;
      if (ramMiB < 1 || ramMiB > 4096) throw new UsageError('--ram takes a size in MiB from 1 to 4096');
      const loadAddr = a['--load-addr'] !== undefined ? parseAddress(a['--load-addr'], '--load-addr') : undefined;
      const harts = a['--harts'] !== undefined ? parseCount(a['--harts'], '--harts') : 1;
      if (harts < 1 || harts > MAX_HARTS) throw new UsageError(`--harts takes 1 to ${MAX_HARTS}`);
      if (a['--machine'] !== undefined && a['--machine'] !== 'virt') throw new UsageError(`--machine: unknown machine "${a['--machine']}" (known: virt)`);
      if (a['--record'] && a['--replay']) throw new UsageError('--record and --replay cannot be used together');
      const seed = a['--seed'] !== undefined ? parseCount(a['--seed'], '--seed') : 0;
      const schedule = parseSchedule(a, maxInsns);
      const memoryModel = (a['--memory-model'] ?? 'wmo') as MemoryModel;
      if (!IMPLEMENTED_MODELS.includes(memoryModel)) throw new UsageError(`--memory-model: unknown model "${memoryModel}" (sc, tso or wmo)`);
      const imsicIds = a['--imsic-ids'] !== undefined ? parseCount(a['--imsic-ids'], '--imsic-ids') : 255;
      if (imsicIds < 63 || imsicIds > 2047 || (imsicIds & 63) !== 63) throw new UsageError('--imsic-ids takes 64k-1 identities between 63 and 2047 (63, 127, 255, ...)');
      const wmoEngine = parseWmoEngine(a['--wmo-engine']);
      return runCommand({ image: readUserFile(input), name: input, maxInsns, trace: !!a['--trace'], ramMiB, loadAddr, harts, seed, schedule, imsicIds, memoryModel, wmoEngine, record: a['--record'], replay: a['--replay'] });
    },
  },
  litmus: {
    summary: 'run herd-format RISC-V litmus tests and check them against expected verdicts',
    usage: 'rvsmp litmus <file|dir>... [--model wmo|tso|sc] [--wmo-engine window|views] [--runs N | --exhaustive] [--expect expected.json] [--states states.json] [--jobs N] [--seed S] [--json]',
    async run(argv) {
      const a = parse({ '--model': String, '--wmo-engine': String, '--runs': String, '--expect': String, '--states': String, '--jobs': String, '--json': Boolean, '--seed': String, '--exhaustive': Boolean, '--help': Boolean, '-h': '--help' }, argv, this.usage);
      if (a['--help']) return help('litmus');
      if (a._.length === 0) throw new UsageError(`missing litmus files or folders\nusage: ${this.usage}`);
      const model = (a['--model'] ?? 'sc') as MemoryModel;
      if (!['sc', 'tso', 'wmo'].includes(model)) throw new UsageError(`--model: unknown memory model "${model}" (sc, tso or wmo)`);
      if (!IMPLEMENTED_MODELS.includes(model)) throw new UsageError(`--model ${model}: not implemented yet (implemented: ${IMPLEMENTED_MODELS.join(', ')})`);
      const runs = a['--runs'] !== undefined ? parseCount(a['--runs'], '--runs') : 100;
      const jobs = a['--jobs'] !== undefined ? parseJobs(a['--jobs']) : defaultJobs();
      const seed = a['--seed'] !== undefined ? parseCount(a['--seed'], '--seed') : 1;
      if (runs < 1) throw new UsageError('--runs must be at least 1');
      const wmoEngine = parseWmoEngine(a['--wmo-engine']);
      if (wmoEngine === 'views' && a['--exhaustive']) throw new UsageError('--exhaustive explores the issue window (--wmo-engine window), not views');
      const script = process.argv[1] && process.argv[1].endsWith('.js') ? process.argv[1] : undefined;
      return litmusCommand({ paths: a._, model, wmoEngine, runs, jobs, json: !!a['--json'], seed, exhaustive: !!a['--exhaustive'], expect: a['--expect'], states: a['--states'] }, script, out);
    },
  },
  debug: {
    summary: 'the debugger REPL on a guest image, or on one schedule of a race cell',
    usage:
      'rvsmp debug <image> [--harts N] [--seed S] [--schedule rr|random|pct] [--quantum Q] [--pct-depth D] [--pct-steps K] [--memory-model sc|tso|wmo] [--wmo-engine window|views] [--ram MiB]\n' +
      '                    [--replay FILE] [--commands FILE | --gdb [PORT] [--gdb-host H]]\n' +
      '       rvsmp debug --scenario R1 --version v1 --model sc [--harts 4] [--ipi clint|imsic] [--iterations 5] --seed S [--wmo-engine views|window] [--commands FILE]\n\n' +
      '  The second form opens the schedule `rvsmp race ... --seed S` replays (paste its replay line, race -> debug).\n' +
      '  Commands come from the terminal, from stdin when it is not one, or from --commands FILE; "help" lists them.\n' +
      '  --gdb serves the GDB remote protocol instead (default port 1234, 0 for any free one; host 127.0.0.1),\n' +
      '  harts as threads 1..N: gdb-multiarch -ex "set architecture riscv:rv64" -ex "target remote :1234" image.elf\n' +
      '  Exit status: the guest\'s exit code if it exited, else 0; 2 for bad flags.',
    async run(argv) {
      // --gdb takes an optional port: take it out before the parser sees it.
      let gdb: { port: number; host: string } | undefined;
      const at = argv.indexOf('--gdb');
      if (at >= 0) {
        const next = argv[at + 1];
        const port = next !== undefined && /^\d+$/.test(next) ? Number(next) : 1234;
        if (port > 65535) throw new UsageError(`--gdb: ${port} is not a TCP port`);
        argv = [...argv.slice(0, at), ...argv.slice(at + (next !== undefined && /^\d+$/.test(next) ? 2 : 1))];
        gdb = { port, host: '127.0.0.1' };
      }
      const a = parse(
        {
          '--gdb-host': String, '--replay': String,
          '--harts': String, '--seed': String, '--schedule': String, '--quantum': String, '--pct-depth': String, '--pct-steps': String,
          '--memory-model': String, '--wmo-engine': String, '--ram': String, '--scenario': String, '--version': String, '--model': String, '--ipi': String, '--iterations': String, '--commands': String,
          '--help': Boolean, '-h': '--help',
        },
        argv,
        this.usage,
      );
      if (a['--help']) return help('debug');
      const seed = a['--seed'] !== undefined ? parseCount(a['--seed'], '--seed') : undefined;
      let target: DebugTarget;
      if (a['--scenario'] !== undefined) {
        const scenario = a['--scenario'] as ScenarioName;
        if (!ALL_SCENARIOS.includes(scenario)) throw new UsageError(`--scenario: unknown "${scenario}" (${ALL_SCENARIOS.join(', ')})`);
        const version = cellPart(a['--version'], '--version', ALL_VERSIONS);
        if (!applies(scenario, version)) throw new UsageError(`${scenario} does not run on ${version}`);
        const model = cellPart(a['--model'], '--model', RACE_MODELS);
        const harts = a['--harts'] !== undefined ? parseCount(a['--harts'], '--harts') : 4;
        if (harts < SCENARIOS[scenario]!.minHarts || harts > 64) throw new UsageError(`${scenario} runs on ${SCENARIOS[scenario]!.minHarts} to 64 harts`);
        const ipi = a['--ipi'] ?? 'clint';
        if (ipi !== 'clint' && ipi !== 'imsic') throw new UsageError(`--ipi: unknown "${ipi}" (clint or imsic)`);
        const iterations = a['--iterations'] !== undefined ? parseCount(a['--iterations'], '--iterations') : 5;
        if (iterations < 1) throw new UsageError('--iterations must be at least 1');
        if (seed === undefined) throw new UsageError('a race cell needs --seed S (the seed of the schedule to open)');
        if (a._.length) throw new UsageError('give either an image or --scenario, not both');
        const wmoEngine = a['--wmo-engine'] === undefined ? 'views' : parseWmoEngine(a['--wmo-engine']);
        target = { kind: 'race', scenario, version, model, wmoEngine, harts, ipi, iterations, seed };
      } else {
        const input = singleInput(a._, this.usage);
        const harts = a['--harts'] !== undefined ? parseCount(a['--harts'], '--harts') : 1;
        if (harts < 1 || harts > MAX_HARTS) throw new UsageError(`--harts takes 1 to ${MAX_HARTS}`);
        const ramMiB = a['--ram'] !== undefined ? parseCount(a['--ram'], '--ram') : 256;
        if (ramMiB < 1 || ramMiB > 4096) throw new UsageError('--ram takes a size in MiB from 1 to 4096');
        const schedule = parseSchedule(a, undefined);
        const memoryModel = (a['--memory-model'] ?? 'wmo') as MemoryModel;
        if (!IMPLEMENTED_MODELS.includes(memoryModel)) throw new UsageError(`--memory-model: unknown model "${memoryModel}" (sc, tso or wmo)`);
        const wmoEngine = parseWmoEngine(a['--wmo-engine']);
        target = { kind: 'image', bytes: readUserFile(input), name: input, config: { harts, seed: seed ?? 0, schedule, memoryModel, wmoEngine, ramSize: ramMiB << 20 } };
      }
      if (a['--gdb-host'] !== undefined) {
        if (!gdb) throw new UsageError('--gdb-host goes with --gdb');
        gdb.host = a['--gdb-host'];
      }
      return debugCommand({ target, commands: a['--commands'], gdb, replay: a['--replay'] }, out);
    },
  },
  race: {
    summary: 'the race matrix: each scenario on each kernel version under each memory model (the main job)',
    usage:
      'rvsmp race [--scenario R1,...] [--version v1,...] [--model sc,tso,wmo] [--wmo-engine views|window] [--harts N] [--ipi clint|imsic] [--iterations K]\n' +
      '           [--budget SCHEDULES|SECONDSs] [--find-budget SCHEDULES|SECONDSs] [--jobs N] [--shard K/N] [--json] [--merge FILE...] [--seed S] [--medians K [--split]]\n' +
      '\n' +
      '  --scenario     R1 (Anton\'s test), R1c (distinct callbacks), R2 (varying masks), R3 (a mask cleared by others),\n' +
      '                 R4a (two callers, one csd), R4b (store-buffering lost update); default: all\n' +
      '  --version      v1 v2 v2-normb v3 v3-seed001 v3b v4 (global queue: R1-R3), v6 v6-peterz (llist: R1-R3, R4a, R4b); default: all\n' +
      '  --model        sc, tso, wmo (default: all three)\n' +
      '  --harts        harts per machine (default 4); --iterations calls per hart (default 5); --ipi clint (SBI) or imsic\n' +
      '  --wmo-engine   views (default: in-order harts, non-FIFO store buffers, loads of older versions) or window\n' +
      '                 (the speculative issue window: also load buffering, several times slower)\n' +
      '  --budget       per cell: a number of schedules (2000) or seconds (30s); default 5s\n' +
      '  --find-budget  for the cells the catalog expects to fail (each stops at its first failure); default --budget\n' +
      '  --jobs         worker threads (default: the cores; fewer cells than workers: each cell searched in parts, same result)\n' +
      '  --shard K/N    tries seeds K, K+N, ...; --merge FILE... combines --json results\n' +
      '  --seed S       replay one schedule of one cell (one scenario, version and model), as a failure\'s replay line says\n' +
      '  --medians K    K independent searches per cell (seeds k, k+K, ... for k = 1..K), each to its first failure or the\n' +
      '                 budget: the median time and schedules to the first failure, on one worker each (the cost on one core)\n' +
      '  --split        with --medians: the searches one after another, each split across every worker (--jobs), as one\n' +
      '                 cell\'s search runs; each time is the wall time a user waits (workers\' start and image build included)\n' +
      '\n' +
      '  Exit status 1 when a cell differs from the expected matrix (or a replayed schedule fails), 2 for bad flags.',
    async run(argv) {
      const a = parse(
        {
          '--scenario': String, '--version': String, '--model': String, '--harts': String, '--ipi': String, '--iterations': String, '--wmo-engine': String,
          '--budget': String, '--find-budget': String, '--jobs': String, '--shard': String, '--json': Boolean, '--merge': Boolean, '--seed': String,
          '--medians': String, '--split': Boolean, '--help': Boolean, '-h': '--help',
        },
        argv,
        this.usage,
      );
      if (a['--help']) return help('race');
      const list = <T extends string>(flag: string, value: string | undefined, all: readonly T[]): T[] => {
        if (value === undefined) return [...all];
        const items = value.split(',').map((x) => x.trim()).filter(Boolean) as T[];
        for (const x of items) if (!all.includes(x)) throw new UsageError(`${flag}: unknown "${x}" (${all.join(', ')})`);
        return items;
      };
      const scenarios = list<ScenarioName>('--scenario', a['--scenario'], ALL_SCENARIOS);
      const versions = list('--version', a['--version'], ALL_VERSIONS);
      const models = list('--model', a['--model'], RACE_MODELS);
      const harts = a['--harts'] !== undefined ? parseCount(a['--harts'], '--harts') : 4;
      if (harts < 2 || harts > 64) throw new UsageError('--harts takes 2 to 64');
      const ipi = a['--ipi'] ?? 'clint';
      if (ipi !== 'clint' && ipi !== 'imsic') throw new UsageError(`--ipi: unknown "${ipi}" (clint or imsic)`);
      const iterations = a['--iterations'] !== undefined ? parseCount(a['--iterations'], '--iterations') : 5;
      if (iterations < 1) throw new UsageError('--iterations must be at least 1');
      const budget = a['--budget'] !== undefined ? parseBudget(a['--budget'], '--budget') : { schedules: Number.POSITIVE_INFINITY, seconds: 5 };
      const findBudget = a['--find-budget'] !== undefined ? parseBudget(a['--find-budget'], '--find-budget') : undefined;
      let shard = { k: 1, n: 1 };
      if (a['--shard'] !== undefined) {
        const m = /^(\d+)\/(\d+)$/.exec(a['--shard']);
        if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard: "${a['--shard']}" is not K/N with 1 <= K <= N`);
        shard = { k: Number(m[1]), n: Number(m[2]) };
      }
      const jobs = a['--jobs'] !== undefined ? parseJobs(a['--jobs']) : defaultJobs();
      const seed = a['--seed'] !== undefined ? parseCount(a['--seed'], '--seed') : undefined;
      const medians = a['--medians'] !== undefined ? parseCount(a['--medians'], '--medians') : undefined;
      if (medians !== undefined && (medians < 1 || shard.n > 1 || seed !== undefined || a['--merge'])) throw new UsageError('--medians K takes K >= 1 and goes with neither --shard, --seed nor --merge');
      if (a['--split'] && medians === undefined) throw new UsageError('--split goes with --medians K (a matrix splits a cell\'s search whenever workers outnumber cells)');
      const cells: Cell[] = [];
      for (const scenario of scenarios) for (const version of versions) for (const model of models) if (applies(scenario, version)) cells.push({ scenario, version, model });
      if (cells.length === 0) throw new UsageError(`none of the scenarios ${scenarios.join(', ')} runs on ${versions.join(', ')} (R1-R3 run on every version, R4a/R4b on v6 and v6-peterz)`);
      for (const s of scenarios) if (harts < SCENARIOS[s]!.minHarts) throw new UsageError(`${s} needs at least ${SCENARIOS[s]!.minHarts} harts`);
      const merge = a['--merge'] ? a._ : undefined;
      if (!merge && a._.length) throw new UsageError(`unexpected argument "${a._[0]}"\nusage: ${this.usage}`);
      const script = process.argv[1] && process.argv[1].endsWith('.js') ? process.argv[1] : undefined;
      const wmoEngine = a['--wmo-engine'] === undefined ? 'views' : parseWmoEngine(a['--wmo-engine']);
      return raceCommand({ cells, harts, ipi, iterations, budget, findBudget, shard, jobs, json: !!a['--json'], seed, merge, medians, splitMedians: !!a['--split'], wmoEngine }, script, out);
    },
  },
  'build-roms': {
    summary: 'write the regression ROMs (scenario images with their expectations) into a folder',
    usage: 'rvsmp build-roms [--out DIR] [--hold N]',
    run(argv) {
      const a = parse({ '--out': String, '--hold': String, '--help': Boolean, '-h': '--help' }, argv, this.usage);
      if (a['--help']) return help('build-roms');
      const outDir = a['--out'] ?? 'build/roms';
      const hold = a['--hold'] !== undefined ? parseCount(a['--hold'], '--hold') : 20;
      const known = fileURLToPath(new URL('../guest/known-failures.json', import.meta.url));
      const roms = buildRoms(outDir, known, hold);
      out(`${roms.length} ROMs written to ${outDir}: ${roms.join(', ')}`);
      return 0;
    },
  },
  test: {
    summary: 'run regression ROMs: each must fail as expected (a known race) or hold',
    usage: 'rvsmp test <rom.elf or dir>... [--junit out.xml]',
    run(argv) {
      const a = parse({ '--junit': String, '--help': Boolean, '-h': '--help' }, argv, this.usage);
      if (a['--help']) return help('test');
      if (a._.length === 0) throw new UsageError(`missing ROMs\nusage: ${this.usage}`);
      const results = testRoms(a._);
      for (const r of results) out(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.rom.padEnd(24)} ${r.model.padEnd(4)} ${r.message} (${r.seconds.toFixed(1)} s)`);
      const bad = results.filter((r) => !r.ok).length;
      out(`\n${results.length - bad} of ${results.length} checks as expected${bad ? `, ${bad} surprise${bad === 1 ? '' : 's'}` : ''}`);
      if (a['--junit']) {
        try {
          writeFileSync(a['--junit'], junit(results));
        } catch (e) {
          throw new UsageError(`cannot write ${a['--junit']}: ${(e as Error).message}`);
        }
      }
      return bad ? 1 : 0;
    },
  },
  demo: {
    summary: 'assemble, list and run a built-in example',
    usage: 'rvsmp demo [--no-rvc]',
    run(argv) {
      const a = parse({ '--no-rvc': Boolean, '--help': Boolean, '-h': '--help' }, argv, this.usage);
      if (a['--help']) return help('demo');
      const image = parseAssembly(DEMO_SOURCE, { file: 'demo.S', rvc: !a['--no-rvc'] }).link();
      const elf = writeElf(image);
      out(`Assembled the built-in example: ${image.sections.map((s) => `${s.name} ${s.size} bytes at 0x${s.addr.toString(16)}`).join(', ')}.`);
      out(listing(elf, 'demo.elf', {}));
      out('\nRunning it on the single-hart virt machine:\n');
      const printed: number[] = [];
      const machine = new Machine({}, { putchar: (b) => printed.push(b) });
      machine.load(elf, 'demo.elf');
      const stop = machine.run(10_000_000);
      out(Buffer.from(printed).toString('latin1'));
      out(`stopped: ${stop.kind === 'exit' ? `exit ${stop.code} through the ${stop.via}` : stop.kind} after ${machine.retired()} instructions`);
      return stop.kind === 'exit' ? stop.code : 1;
    },
  },
};

function help(command?: string): number {
  if (command && COMMANDS[command]) {
    const c = COMMANDS[command]!;
    out(`${c.summary}\n\nusage: ${c.usage}`);
    return 0;
  }
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  out(
    [
      `rvsmp ${VERSION}: a RISC-V SMP race laboratory`,
      '',
      'usage: rvsmp <command> [options]',
      '',
      'commands:',
      ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`),
      '',
      "Run 'rvsmp <command> --help' for a command's options.",
      '',
      'limits (every command takes these flags; what passes a limit is an error naming it):',
      ...Object.values(LIMITS).map((l) => `  ${`${l.flag} ${l.unit === 'MiB' ? 'MiB' : 'N'}`.padEnd(26)}${l.what} (default ${l.unit === 'MiB' ? `${l.value / (1 << 20)} MiB` : l.value.toLocaleString('en')})`),
    ].join('\n'),
  );
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (!command || command === '--help' || command === '-h' || command === 'help') return help(rest[0]);
    if (command === '--version' || command === '-V') {
      out(VERSION);
      return 0;
    }
    const c = COMMANDS[command];
    if (!c) throw new UsageError(`unknown command "${command}"\nusage: rvsmp <command> [options]; see rvsmp --help`);
    return await c.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`rvsmp: ${e.message}`);
      return 2;
    }
    if (e instanceof AsmErrors) {
      for (const x of e.errors) err(x.message);
      return 1;
    }
    if (e instanceof AsmError || e instanceof ElfError || e instanceof LoadError || e instanceof ReplayError) {
      err(e.message.startsWith('error') ? e.message : `rvsmp: ${e.message}`);
      return 1;
    }
    err(`rvsmp: internal error: ${(e as Error).message} (please report this)`);
    return 70;
  }
}

