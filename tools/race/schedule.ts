/**
 * One schedule of a race scenario: run the guest image from a seed until it passes, or a symptom
 * shows. The seed picks the schedule (PCT with a depth drawn from the seed, which finds the long
 * stalls these races need) and, under tso/wmo, every reordering. Everything is a pure function of
 * (image, harts, model, seed), so `rvsmp race ... --seed S` replays a failure exactly.
 *
 * PCT starves harts on purpose, and these guests spin: a bounded wait that runs out (SPIN), or a
 * run that has not finished after FAIR_AFTER steps, is only a suspicion under PCT. The run then
 * goes on under a fair round-robin schedule: if the same wait runs out again, the lock is never
 * going to be released (a perma-spin); if the run still does not finish, it hangs.
 */
import { Machine, type GuestEvent, type MachineIo } from '../../emulator/machine.js';
import type { MemoryModel, WmoEngine } from '../../emulator/config.js';
import { GUEST_EVENT } from '../../emulator/devices/guest-events.js';
import { elfSymbolizer } from '../../assembler/symbolize.js';
import { makeStrategy, Prng, type ScheduleConfig } from '../../emulator/scheduler.js';
import { STALL_CONFIG_SIZE, STALL_FIELDS, STALL_POINTS } from '../../guest/lib/kernel.js';

export interface ScheduleResult {
  readonly failed: boolean;
  /** What was seen: a guest event, a hang, a deadlock, or a guest exit with a failure code. */
  readonly symptom: string;
  readonly event: GuestEvent | undefined;
  /** Machine steps when the symptom showed (or the run ended). */
  readonly steps: number;
}

/** Upper bound on steps for one schedule; a run that needs more is a hang (an endless walk, say). */
export const MAX_STEPS = 20_000_000;
/** Steps under the seed's schedule before the run goes on under a fair one. */
export const FAIR_AFTER = 2_000_000;

/**
 * The seed's schedule: PCT (depths 1..4, three horizons) or a fair uniform random one, drawn from a
 * hash of the seed - so that any arithmetic progression of seeds (a --shard, a --medians search)
 * mixes them all.
 */
export function scheduleFor(seed: number): ScheduleConfig {
  const h = new Prng((seed ^ 0x5c4ed) >>> 0).next32();
  if ((h & 1) === 0) return { kind: 'random' };
  const depth = 1 + ((h >>> 1) % 4);
  const horizon = [20_000, 60_000, 200_000][(h >>> 3) % 3]!;
  return { kind: 'pct', depth, horizon };
}

/**
 * The seed's injected delays: each stall point of the guest (Kernel.stall_point) stalls at a
 * random 1 in 2..16 of its passes, for up to 2^2..2^8 turns of a cpu_relax loop (each turn lets
 * the others run for MachineConfig.pauseSteps), or (one point in four) never; a point that can
 * watch a field (the walker's, on the entry it is about to read) mostly waits for it to change
 * instead; the duplicate-IPI point (Kernel.chance_point) uses the same chances. Each hart's PRNG
 * gets a seed of its own. Measured on 4 harts, sc, failures per 1,000 schedules: R1 on v1 20
 * with timed stalls only, 50 with duplicate IPIs, 53 with watching walkers; R2 on v2 0, 0.5, 1.
 */
export function injectDelays(m: Machine, symbols: readonly { name: string; value: bigint }[], seed: number): void {
  const config = symbols.find((s) => s.name === 'stall_config');
  const fields = symbols.find((s) => s.name === 'stall_fields');
  const seeds = symbols.find((s) => s.name === 'stall_seeds');
  if (!config || !fields || !seeds) return;
  const rng = new Prng((seed ^ 0x57a11) >>> 0);
  const at = (sym: { value: bigint }, byte: number) => Number(sym.value) - m.ram.base + byte;
  for (let i = 0; i < STALL_POINTS; i++) {
    const c = STALL_CONFIG_SIZE * i;
    const never = rng.below(4) === 0;
    const chance = never ? -1n : (1n << BigInt(1 + rng.below(4))) - 1n;
    // A point that can watch a field does so three times in four (for up to 8 times as many
    // turns: a change usually ends it first), waiting for 2 changes half the time - the owner
    // finishing with the entry, then reusing it: what a stale walker needs - else 1 or 3.
    const offered = [0, 1].map((j) => BigInt.asIntN(64, m.ram.read(at(fields, 8 * (STALL_FIELDS * i + j)), 8))).filter((f) => f >= 0n);
    const watched = offered.length > 0 && rng.below(4) !== 0 ? offered[rng.below(offered.length)]! : -1n;
    const changes = [2n, 2n, 1n, 3n][rng.below(4)]!;
    const length = never ? 0n : (1n << BigInt(2 + rng.below(7) + (watched >= 0n ? 3 : 0))) - 1n;
    m.ram.write(at(config, c), 8, chance);
    m.ram.write(at(config, c + 8), 8, length);
    m.ram.write(at(config, c + 16), 8, watched);
    m.ram.write(at(config, c + 24), 8, changes);
  }
  for (let h = 0; h < m.harts.length; h++) m.ram.write(at(seeds, 8 * h), 8, (BigInt(rng.next32()) << 32n) | BigInt(rng.next32() | 1));
}

/** RAM for race images: small enough that a restart restores all of it cheaply (an image for 64 harts needs under 0.5 MiB). */
const RACE_RAM = 1 << 20;

/**
 * Runs schedules of one image, reusing one machine: each run restarts it (RAM restored, harts
 * reset, decoded code kept), which gives the same result as a fresh machine at a fraction of the
 * cost (test/tools/race/schedule.test.ts checks both agree).
 */
export class ScheduleRunner {
  private readonly m: Machine;
  private readonly symbols: readonly { name: string; value: bigint }[];
  private suspect: GuestEvent | undefined;
  private failure: GuestEvent | undefined;
  private fair = false;

  constructor(
    elf: Uint8Array,
    private readonly harts: number,
    model: MemoryModel,
    wmoEngine: WmoEngine = 'views',
    /** What load errors call the image (a ROM's file name). */
    imageName = 'guest',
  ) {
    this.m = raceMachine(elf, harts, model, 0, wmoEngine, { putchar: () => {}, guestEvent: (e) => this.onEvent(e) }, imageName);
    this.symbols = this.m.image!.symbols;
  }

  private onEvent(e: GuestEvent): boolean {
    if (e.kind === GUEST_EVENT.CALL || e.kind === GUEST_EVENT.DONE) return false;
    if (e.kind === GUEST_EVENT.SPIN) {
      // Confirmed when the same wait runs out again under the fair schedule.
      const again = this.suspect && this.suspect.hart === e.hart && this.suspect.args[0] === e.args[0];
      if (!(this.fair && again)) {
        this.suspect = e;
        return !this.fair; // under PCT: stop, and go on under the fair schedule
      }
    }
    this.failure = e;
    return true;
  }

  run(seed: number, maxSteps = MAX_STEPS): ScheduleResult {
    const m = this.m;
    m.restart(seed, scheduleFor(seed));
    this.suspect = this.failure = undefined;
    this.fair = false;
    injectDelays(m, this.symbols, seed);
    let stop = m.run(Math.min(FAIR_AFTER, maxSteps));
    while (!this.failure && !this.fair && (stop.kind === 'guest-event' || stop.kind === 'max-insns') && m.steps < maxSteps) {
      m.strategy = makeStrategy({ kind: 'rr', quantum: 100 }, seed, this.harts);
      this.fair = true;
      m.resumeAfterEvent();
      stop = m.run(maxSteps);
    }
    const failure = this.failure as GuestEvent | undefined;
    if (failure) return { failed: true, symptom: symptomOf(failure), event: failure, steps: failure.step };
    switch (stop.kind) {
      case 'exit':
        return stop.code === 0 ? { failed: false, symptom: 'pass', event: undefined, steps: m.steps } : { failed: true, symptom: `guest exit code ${stop.code} (${stop.via})`, event: undefined, steps: m.steps };
      case 'max-insns':
        return { failed: true, symptom: `hang: no exit within ${maxSteps.toLocaleString('en')} steps (${where(m)})`, event: undefined, steps: m.steps };
      case 'deadlock':
        return { failed: true, symptom: 'deadlock: every hart asleep, nothing to wake them', event: undefined, steps: m.steps };
      default:
        return { failed: true, symptom: `stopped: ${stop.kind}`, event: undefined, steps: m.steps };
    }
  }
}

/**
 * A fresh machine set up exactly as seed `seed` of a race cell starts (its schedule, its injected
 * delays), for a debugger to step through; `io` receives its guest events.
 */
export function raceMachine(elf: Uint8Array, harts: number, model: MemoryModel, seed: number, wmoEngine: WmoEngine, io: MachineIo, imageName = 'guest'): Machine {
  const m = new Machine({ harts, memoryModel: model, wmoEngine, ramSize: RACE_RAM, seed, schedule: scheduleFor(seed) }, io);
  const symbols = m.load(elf, imageName).symbols;
  injectDelays(m, symbols, seed);
  return m;
}

/** One schedule on a fresh machine (what a replay command runs). */
export function runSchedule(elf: Uint8Array, harts: number, model: MemoryModel, seed: number, maxSteps = MAX_STEPS, wmoEngine: WmoEngine = 'views'): ScheduleResult {
  return new ScheduleRunner(elf, harts, model, wmoEngine).run(seed, maxSteps);
}

/** The symptom a failing event names, in the scenario's words. */
export function symptomOf(e: GuestEvent): string {
  switch (e.kind) {
    case GUEST_EVENT.WARN:
      return BigInt.asIntN(64, e.args[0]) < 0n ? `WARN refs<0 (refs ${BigInt.asIntN(64, e.args[0])})` : 'WARN';
    case GUEST_EVENT.BUG:
      return 'BUG';
    case GUEST_EVENT.LIST_CORRUPTION:
      return 'list corruption';
    case GUEST_EVENT.SPIN:
      return 'perma-spin (a bounded wait ran out twice, the second time under a fair schedule)';
    case GUEST_EVENT.CHECK:
      return (
        { 1: 'lost or doubled call (a target saw calls out of order)', 2: 'entry left on call_function.queue', 3: 'lost call (a target never ran it)', 4: 'stale func/info (a callback ran with another call\'s info)', 5: 'callbacks ran a different number of times than calls were queued', 6: 'lost update (the pending callback did not see the -EBUSY caller\'s store)' }[
          Number(e.args[0])
        ] ?? `check ${e.args[0]} failed`
      );
    default:
      return `event ${e.kind}`;
  }
}

/** Where every hart is: pc and symbol. */
function where(m: Machine): string {
  const symbolize = elfSymbolizer(m.image?.symbols ?? []);
  return m.harts.map((h) => `hart ${h.id} in ${symbolize(BigInt.asUintN(64, BigInt(h.pc))) ?? `0x${h.pc.toString(16)}`}`).join(', ');
}
