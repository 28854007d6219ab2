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
