/** `rvsmp run`: load an image, run it, report how it stopped, exit with the guest's status. */
import { Machine, type StopReason } from '../emulator/machine.js';
import { Disassembler } from '../assembler/disassemble.js';
import { makeSymbolizer } from '../assembler/symbolize.js';
import { writeSync } from 'node:fs';
import { Tracer } from './trace.js';

export const RUN_USAGE = 'rvsmp run <image> [--max-insns N] [--trace] [--ram MiB] [--load-addr ADDR]';

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
}

export function runCommand(o: RunOptions): number {
  const out: number[] = [];
  const flush = () => {
    if (out.length) {
      writeSync(1, Buffer.from(out));
      out.length = 0;
    }
  };
  const machine = new Machine(
    { ramSize: o.ramMiB * 1024 * 1024 },
    {
      putchar: (b) => {
        out.push(b);
        if (b === 10 || out.length >= 4096) flush();
      },
      guestError: (m) => process.stderr.write(`rvsmp: guest error: ${m}\n`),
    },
  );
  const image = machine.load(o.image, o.name, o.loadAddr);
  const symbolize = makeSymbolizer(image.symbols.filter((s) => s.name && s.type !== 3 && s.type !== 4).map((s) => ({ name: s.name, value: s.value, global: s.bind === 1 })));
  let stop: StopReason;
  if (o.trace) {
    const tracer = new Tracer(machine, new Disassembler(symbolize), symbolize, (line) => {
      flush();
      writeSync(2, line + '\n');
    });
    stop = tracer.run(o.maxInsns);
  } else stop = machine.run(o.maxInsns);
  flush();
  const h = machine.harts[0]!;
  const where = () => {
    const sym = symbolize(BigInt.asUintN(64, BigInt(h.pc)));
    return `hart 0 at pc 0x${BigInt.asUintN(64, BigInt(h.pc)).toString(16)}${sym ? ` <${sym}>` : ''} in ${['U', 'S', '?', 'M'][h.priv]}-mode after ${machine.retired()} instructions`;
  };
  switch (stop.kind) {
    case 'exit':
      if (stop.code !== 0) process.stderr.write(`rvsmp: guest failed with code ${stop.code} (${stop.via})\n`);
      return Math.min(stop.code, 255) || (stop.code !== 0 ? 1 : 0);
    case 'reset':
      process.stderr.write(`rvsmp: guest asked for a reset (${stop.via}); stopping\n`);
      return 0;
    case 'max-insns':
      process.stderr.write(`rvsmp: --max-insns ${o.maxInsns} reached: ${where()}\n`);
      return EXIT_MAX_INSNS;
    case 'deadlock':
      process.stderr.write(`rvsmp: deadlock: ${where()}, asleep in wfi with no interrupt that could wake it\n`);
      return EXIT_DEADLOCK;
  }
}
