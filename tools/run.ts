/** `rvsmp run`: load an image, run it, report how it stopped, exit with the guest's status. */
import { Machine, type StopReason } from '../emulator/machine.js';
import { Disassembler } from '../assembler/disassemble.js';
import { elfSymbolizer } from '../assembler/symbolize.js';
import type { Symbolizer } from '../assembler/disassemble.js';
import { writeFileSync, writeSync } from 'node:fs';
import { Tracer } from './trace.js';
import { describeEvent } from './events.js';
import { GUEST_EVENT } from '../emulator/devices/guest-events.js';
import type { Hart } from '../emulator/hart/hart.js';
import type { ScheduleConfig } from '../emulator/scheduler.js';
import type { MemoryModel, WmoEngine } from '../emulator/config.js';
import { decodeRecord, encodeRecord, Replayer, ReplayError } from '../emulator/record.js';
import { readUserFile, UsageError } from './errors.js';

function writeRecord(path: string, bytes: Uint8Array): void {
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw new UsageError(`cannot write ${path}: ${(e as Error).message}`);
  }
}

export const RUN_USAGE =
  'rvsmp run <image> [--harts N] [--seed S] [--schedule rr|random|pct] [--quantum Q] [--pct-depth D] [--pct-steps K]\n' +
  '                  [--memory-model sc|tso|wmo] [--wmo-engine window|views] [--record FILE | --replay FILE] [--machine virt] [--imsic-ids N] [--max-insns N] [--trace] [--ram MiB] [--load-addr ADDR]\n' +
  '\n' +
  '  --memory-model    wmo (RVWMO, the default), tso (RVTSO) or sc (sequential consistency, fastest). With one\n' +
  '                    hart every model runs as sc, at full speed: a hart sees its own accesses in program order\n' +
  '                    (the load value axiom and the same-address rules), and device accesses are in order anyway\n' +
  '  --wmo-engine      window (the issue window: every RVWMO reordering, the default) or views (in-order harts,\n' +
  '                    non-FIFO store buffers, loads of older versions; no load buffering; several times faster)\n' +
  '  --seed S          drives the schedule and, under tso/wmo, every reordering; the same seed replays the run\n' +
  '  --record FILE     write the schedule taken (with the seed); --replay FILE runs it again exactly\n' +
  '  --max-insns N     stop after N machine steps (one instruction, or a store draining from a sleeping hart\'s\n' +
  '                    buffer; under the wmo window a step fetches, performs or retires in the window); exit status 124\n' +
  '  --trace           print every retired instruction (under tso when stores drain, under the wmo window\n' +
  '                    when each access takes effect)';

/** Exit status when --max-insns runs out (distinct from any guest status we pass through). */
export const EXIT_MAX_INSNS = 124;
export const EXIT_DEADLOCK = 125;

export interface RunOptions {
  image: Uint8Array;
  name: string;
  maxInsns?: number;
  trace: boolean;
  ramMiB: number;
  loadAddr?: bigint;
  harts: number;
  seed: number;
  imsicIds: number;
  memoryModel: MemoryModel;
  wmoEngine: WmoEngine;
  schedule: ScheduleConfig;
  record?: string;
  replay?: string;
}

/** Instructions per slice between looks at the event loop (console input arrives there). */
const SLICE = 20_000_000;

/**
 * Feed the guest's UART from our standard input, as it arrives. On a terminal, keys go to the guest
 * raw; Ctrl-A then x quits (as in QEMU). Returns a function that stops reading.
 */
function attachStdin(feed: (bytes: Uint8Array) => void): () => void {
  const stdin = process.stdin;
  const tty = stdin.isTTY;
  if (tty) stdin.setRawMode?.(true);
  let ctrlA = false;
  const onData = (chunk: Buffer) => {
    if (tty) {
      for (const b of chunk) {
        if (ctrlA && b === 0x78) {
          stdin.setRawMode?.(false);
          process.stderr.write('\nrvsmp: quit (Ctrl-A x)\n');
          process.exit(130);
        }
        ctrlA = b === 0x01;
      }
    }
    feed(chunk);
  };
  stdin.on('data', onData);
  stdin.on('error', () => {});
  return () => {
    stdin.off('data', onData);
    if (stdin.isTTY) stdin.setRawMode?.(false);
    stdin.pause();
    stdin.destroy();
  };
}

export async function runCommand(o: RunOptions): Promise<number> {
  const out: number[] = [];
  const flush = () => {
    if (out.length) {
      writeSync(1, Buffer.from(out));
      out.length = 0;
    }
  };
  let symbolizeEvent: Symbolizer | undefined;
  // A replay runs with the recorded seed (under tso/wmo it drives the issue windows).
  const recorded = o.replay ? decodeRecord(readUserFile(o.replay), o.replay) : undefined;
  const seed = recorded ? recorded.seed : o.seed;
  const machine = new Machine(
    { ramSize: o.ramMiB * 1024 * 1024, harts: o.harts, seed, schedule: o.schedule, imsicIds: o.imsicIds, memoryModel: o.memoryModel, wmoEngine: o.wmoEngine },
    {
      putchar: (b) => {
        out.push(b);
        if (b === 10 || out.length >= 4096) flush();
      },
      guestError: (m) => process.stderr.write(`rvsmp: guest error: ${m}\n`),
      guestEvent: (e) => {
        if (e.kind !== GUEST_EVENT.CALL && e.kind !== GUEST_EVENT.DONE) process.stderr.write(`rvsmp: guest ${describeEvent(e, symbolizeEvent)}\n`);
      },
    },
  );
  const image = machine.load(o.image, o.name, o.loadAddr);
  if (recorded) {
    if (!Buffer.from(recorded.configHash).equals(Buffer.from(machine.configHash()))) {
      throw new ReplayError(`${o.replay} was recorded with another image or machine configuration (harts, RAM); it cannot replay this run`);
    }
    machine.replay(new Replayer(recorded));
  }
  if (o.record) machine.record();
  const symbolize = (symbolizeEvent = elfSymbolizer(image.symbols));
  const tracer = o.trace
    ? new Tracer(machine, new Disassembler(symbolize), symbolize, (line) => {
        flush();
        writeSync(2, line + '\n');
      })
    : undefined;
  const detach = attachStdin((b) => machine.uart.feed(b));
  const limit = o.maxInsns ?? Number.POSITIVE_INFINITY;
  let stop: StopReason;
  try {
    // Run in slices so that input typed or piped while the guest runs reaches its UART.
    for (;;) {
      const sliceEnd = Math.min(limit, machine.used() + SLICE);
      stop = tracer ? tracer.run(sliceEnd) : machine.run(sliceEnd);
      if (stop.kind !== 'max-insns' || sliceEnd >= limit) break;
      flush();
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    detach();
  }
  flush();
  if (recorded) machine.checkReplayEnd(recorded.finalHash);
  if (o.record) writeRecord(o.record, encodeRecord(machine.log!, machine.configHash(), machine.stateHash(), seed));
  const describe = (h: Hart) => {
    const sym = symbolize(BigInt.asUintN(64, BigInt(h.pc)));
    return `hart ${h.id} at pc 0x${BigInt.asUintN(64, BigInt(h.pc)).toString(16)}${sym ? ` <${sym}>` : ''} in ${['U', 'S', '?', 'M'][h.priv]}-mode, ${h.state === 'wfi' ? 'asleep in wfi' : 'running'}, ${h.instret} instructions`;
  };
  const h = machine.harts[0]!;
  const where = () => (machine.harts.length === 1 ? ` ${describe(h)} retired` : machine.harts.map((x) => `\n  ${describe(x)}`).join(''));
  if (machine.harts.length > 1 && stop.kind === 'exit') {
    process.stderr.write(`rvsmp: exit ${stop.code} through the ${stop.via} after ${machine.steps} steps (${machine.strategy.describe}, seed ${seed}):${where()}\n`);
  }
  switch (stop.kind) {
    case 'exit':
      if (stop.code !== 0) process.stderr.write(`rvsmp: guest failed with code ${stop.code} (${stop.via})\n`);
      return Math.min(stop.code, 255) || (stop.code !== 0 ? 1 : 0);
    case 'reset':
      process.stderr.write(`rvsmp: guest asked for a reset (${stop.via}); stopping\n`);
      return 0;
    case 'max-insns':
      // Under tso/wmo the limit counts machine steps: each fetches, performs or retires in an issue window.
      process.stderr.write(`rvsmp: --max-insns ${o.maxInsns} reached${machine.windows.length ? ` (machine steps under ${o.memoryModel})` : ''}:${where()}\n`);
      return EXIT_MAX_INSNS;
    case 'guest-event':
      return 1; // not asked for: rvsmp run never stops at an event
    case 'deadlock':
      process.stderr.write(`rvsmp: deadlock: every hart is asleep in wfi with no interrupt that could wake it:${where()}\n`);
      return EXIT_DEADLOCK;
  }
}
