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
import { STALL_CONFIG_SIZE, STALL_FIELDS, STALL_POINTS, STALL_ZERO_CROSSINGS } from '../../guest/lib/kernel.js';

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
 * Random schedules run a hart for 1..16 steps per decision. Measured on R1c on v3 under wmo (a race
 * PCT does not find), seeds 1-4,000, with the delays before the plans: runs of 1 step cost 9.4 ms
 * a schedule and failed 3.8 times in 1,000; runs of 1..16, 5.5 ms and 7.5 times (1..4: 6.8 ms and
 * 4.8 times; 1..64: 4.9 ms and 5.8 times).
 */
const RANDOM_BURST = 16;

/** A chance mask that stalls at a pass when one bit of the hart's PRNG is 0: half of the passes. */
const STALL_HALF_OF_PASSES = 1n;
/** A watching stall resumes after this many changes of its field to or from zero: finished with, then reused. */
const WATCHED_CROSSINGS = 2n;

/**
 * The seed's schedule: PCT (depths 1..4, three horizons) or a fair uniform random one (runs of
 * 1..RANDOM_BURST steps), drawn from a hash of the seed - so that any arithmetic progression of
 * seeds (a --shard, a --medians search) mixes them all.
 */
export function scheduleFor(seed: number): ScheduleConfig {
  const h = new Prng((seed ^ 0x5c4ed) >>> 0).next32();
  if ((h & 1) === 0) return { kind: 'random', burst: RANDOM_BURST };
  const depth = 1 + ((h >>> 1) % 4);
  const horizon = [20_000, 60_000, 200_000][(h >>> 3) % 3]!;
  return { kind: 'pct', depth, horizon };
}

/**
 * The seed's injected delays. The image's delay plan (Kernel.arm_stall_points: the stall points its
 * scenario's reproducer places) says which points may stall; each of those stalls at a random half
 * of its passes, for up to 2^2..2^8 turns of a cpu_relax loop (each turn lets the others run for
 * MachineConfig.pauseSteps); the duplicate-IPI point (Kernel.chance_point) fires at half its
 * passes. A point that can watch a field (the walker's, on the entry it is about to read) does so
 * three times in four, for up to twice as many turns, and resumes once the field has dropped to
 * zero and been set again: the owner finished with the entry, then reused it - what a stale walker
 * needs. Each hart's PRNG gets a seed of its own. Measured on 4 harts, failures per 1,000
 * schedules: R2 on v2 under sc 35 (seeds 1-3,000), R1c on v3 under wmo 20; before the plans, when
 * every point drew a chance of 1/2..1/16 or never and watched for 1-3 changes of any kind (and
 * random schedules ran a step a decision), 0.35 (seeds 1-20,000) and 3.8 (seeds 1-4,000).
 */
export function injectDelays(m: Machine, symbols: readonly { name: string; value: bigint }[], seed: number): void {
  const config = symbols.find((s) => s.name === 'stall_config');
  const fields = symbols.find((s) => s.name === 'stall_fields');
  const seeds = symbols.find((s) => s.name === 'stall_seeds');
  const plan = symbols.find((s) => s.name === 'stall_armed');
  if (!config || !fields || !seeds) return;
  const rng = new Prng((seed ^ 0x57a11) >>> 0);
  const at = (sym: { value: bigint }, byte: number) => Number(sym.value) - m.ram.base + byte;
  // An image without a plan (built before plans existed) arms every point, as Kernel's default does.
  const armed = plan ? m.ram.read(at(plan, 0), 8) : (1n << BigInt(STALL_POINTS)) - 1n;
  for (let i = 0; i < STALL_POINTS; i++) {
    if (((armed >> BigInt(i)) & 1n) === 0n) continue; // the image's defaults: never
    const c = STALL_CONFIG_SIZE * i;
    const offered = [0, 1].map((j) => BigInt.asIntN(64, m.ram.read(at(fields, 8 * (STALL_FIELDS * i + j)), 8))).filter((f) => f >= 0n);
    const watched = offered.length > 0 && rng.below(4) !== 0 ? offered[rng.below(offered.length)]! : -1n;
    const length = (1n << BigInt(2 + rng.below(7) + (watched >= 0n ? 1 : 0))) - 1n;
    m.ram.write(at(config, c), 8, STALL_HALF_OF_PASSES);
    m.ram.write(at(config, c + 8), 8, length);
    m.ram.write(at(config, c + 16), 8, watched);
    m.ram.write(at(config, c + 24), 8, STALL_ZERO_CROSSINGS | WATCHED_CROSSINGS);
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
