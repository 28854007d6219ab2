/**
 * `rvsmp debug`: the REPL on a guest image, or on one schedule of a race cell exactly as
 * `rvsmp race --seed` replays it. Commands come from a terminal (Node's readline: history, tab
 * completion), from stdin when it is not a terminal, or from --commands FILE; each is echoed after
 * the prompt when not typed, so a transcript reads like a session.
 */
import { createInterface } from 'node:readline';
import { Debugger } from '../../emulator/debugger/debugger.js';
import { Machine } from '../../emulator/machine.js';
import type { MachineConfig, MemoryModel, WmoEngine } from '../../emulator/config.js';
import { elfSymbolizer } from '../../assembler/symbolize.js';
import { readElf } from '../../assembler/elf/reader.js';
import { buildGuest, type ScenarioName } from '../../guest/image.js';
import type { IpiKind } from '../../guest/arch/riscv/boot.js';
import { raceMachine } from '../race/schedule.js';
import { readUserFile, readUserText, UsageError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { Repl } from './repl.js';
import { decodeRecord, Replayer } from '../../emulator/record.js';
import { serveGdb } from './gdb-server.js';

export type DebugTarget =
  | { kind: 'image'; bytes: Uint8Array; name: string; config: Partial<MachineConfig> }
  | { kind: 'race'; scenario: ScenarioName; version: string; model: MemoryModel; wmoEngine: WmoEngine; harts: number; ipi: IpiKind; iterations: number; seed: number };

export interface DebugOptions {
  readonly target: DebugTarget;
  /** A schedule record to follow (rvsmp run --record, or the REPL's record). */
  readonly replay?: string;
  /** Commands from this file instead of stdin. */
  readonly commands?: string;
  /** Serve gdb on this port (0: any free one) instead of the REPL. */
  readonly gdb?: { port: number; host: string };
}

const PROMPT = '(rvsmp) ';

/** The debugger and the REPL for a target (what the tests drive directly). */
export function openDebugger(target: DebugTarget, out: (line: string) => void, replay?: { bytes: Uint8Array; name: string }): Repl {
  const recorded = replay ? decodeRecord(replay.bytes, replay.name) : undefined;
  if (recorded && target.kind === 'race' && recorded.seed !== target.seed) throw new UsageError(`${replay!.name} was recorded with seed ${recorded.seed}, not ${target.seed}`);
  if (recorded && target.kind === 'image') target = { ...target, config: { ...target.config, seed: recorded.seed } };
  let elf: Uint8Array;
  let build: (onEvent: Parameters<ConstructorParameters<typeof Debugger>[0]>[0]) => Machine;
  if (target.kind === 'race') {
    elf = buildGuest({ scenario: target.scenario, version: target.version, harts: target.harts, ipi: target.ipi, iterations: target.iterations });
    build = (onEvent) => raceMachine(elf, target.harts, target.model, target.seed, target.wmoEngine, { putchar: () => {}, guestEvent: onEvent });
  } else {
    elf = target.bytes;
    build = (onEvent) => {
      const m = new Machine(target.config, { putchar: (b) => process.stderr.write(String.fromCharCode(b)), guestEvent: onEvent });
      m.load(elf, target.name);
      return m;
    };
  }
  const symbols = readElf(elf, target.kind === 'image' ? target.name : 'the race image').symbols;
  const make = recorded
    ? (onEvent: Parameters<typeof build>[0]) => {
        const m = build(onEvent);
        if (!Buffer.from(recorded.configHash).equals(Buffer.from(m.configHash()))) throw new UsageError(`${replay!.name} was recorded with another image or machine configuration; it cannot replay this one`);
        m.record();
        m.replay(new Replayer(recorded));
        return m;
      }
    : build;
  const dbg = new Debugger(make);
  dbg.historyLimit = LIMITS.history.value;
  return new Repl(dbg, symbols, elfSymbolizer(symbols), out);
}


export async function debugCommand(o: DebugOptions, out: (line: string) => void): Promise<number> {
  let replay: { bytes: Uint8Array; name: string } | undefined;
  if (o.replay !== undefined) {
    replay = { bytes: readUserFile(o.replay), name: o.replay };
  }
  const repl = openDebugger(o.target, out, replay);
  if (o.gdb) {
    await serveGdb(repl.dbg, {
      ...o.gdb,
      listening: (host, port) => process.stderr.write(`rvsmp: gdb stub listening on ${host}:${port} (target remote ${host}:${port})\n`),
    });
    return repl.dbg.exited ?? 0;
  }
  if (o.commands !== undefined || !process.stdin.isTTY) {
    let text: string;
    if (o.commands !== undefined) text = readUserText(o.commands);
    else {
      text = readUserText(0, 'the commands on standard input');
    }
    // A batch run goes on after a failed command (its transcript shows every error), names each on
    // stderr with its line, and then exits 1 unless the guest exited with a status of its own.
    const source = o.commands ?? 'stdin';
    repl.batch = true;
    let failed = 0;
    for (const [i, line] of text.split('\n').entries()) {
      if (line.trim() === '' || line.trim().startsWith('#')) continue;
      out(PROMPT + line.trim());
      const more = await repl.execute(line);
      if (repl.lastError !== undefined) {
        failed++;
        process.stderr.write(`rvsmp: ${source}:${i + 1}: ${repl.lastError}\n`);
      }
      if (!more) break;
    }
    return repl.dbg.exited || (failed ? 1 : 0);
  }
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    prompt: PROMPT,
    historySize: 1000,
    completer: (line: string) => {
      const word = line.split(/\s+/).pop() ?? '';
      const hits = repl.completions().filter((c) => c.startsWith(word));
      return [hits, word];
    },
  });
  // Ctrl-C stops a running command; at the prompt it says how to leave.
  rl.on('SIGINT', () => {
    if (repl.running) repl.interrupt();
    else {
      out('^C (quit leaves the debugger)');
      rl.prompt();
    }
  });
  rl.prompt();
  for await (const line of rl) {
    if (!(await repl.execute(line))) break;
    rl.prompt();
  }
  rl.close();
  return repl.dbg.exited ?? 0;
}
