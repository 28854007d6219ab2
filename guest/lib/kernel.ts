/**
 * Kernel primitives under their kernel names, each expanding to the RISC-V sequence Linux uses
 * (../shared/notes/race-catalog.md section 4), plus structured helpers (functions with saved
 * registers, if/while) so that guest code reads like the C it ports.
 *
 * Mapping (the one place it is written down):
 *   smp_mb / smp_rmb / smp_wmb        fence rw,rw / fence r,r / fence w,w
 *   smp_store_release(p, v)           fence rw,w ; s{w,d}
 *   smp_load_acquire(p)               l{w,d} ; fence r,rw
 *   smp_cond_load_acquire(p, cond)    poll with plain loads, then fence r,r (ctrl dep + r,r = acquire)
 *   READ_ONCE / WRITE_ONCE            plain l{w,d} / s{w,d}
 *   atomic_read / atomic_set          plain lw / sw
 *   atomic_add                        amoadd.w zero (no ordering)
 *   atomic_dec_return                 amoadd.w.aqrl (fully ordered)
 *   xchg                              amoswap.{w,d}.aqrl
 *   cmpxchg                           lr ; bne ; sc.rl ; bnez ; fence rw,rw   (no fence on failure)
 *   cmpxchg_relaxed                   the same loop with plain lr/sc and no fence
 *   test_and_clear_bit                amoand.d.aqrl ; set_bit / clear_bit: amoor.d / amoand.d
 *   raw_spin_lock / raw_spin_unlock   v4.15: spin on lw, amoswap.w.aq ; amoswap.w.rl zero
 *   local_irq_save / restore          csrrci sstatus.SIE / csrs sstatus (S-mode kernel)
 *   cpu_relax                         pause
 *
 * Register use follows the psABI. Every helper here clobbers only t5 and t6 besides its stated
 * destination; memory operands are [base register, offset].
 */
import { type Asm, Label, type Reg } from '../../assembler/dsl/asm.js';
import { GUEST_EVENT } from '../../emulator/devices/guest-events.js';
import { LIST_HEAD, LLIST_HEAD, LLIST_NODE, struct } from './structs.js';

export type Mem = readonly [Reg, number];
export type Size = 4 | 8;

/** The poisoned pointer list_del_rcu leaves in ->prev (include/linux/poison.h, without the delta). */
export const LIST_POISON2 = 0x122n;

/** How many stall points an image may have (see Kernel.stall_point). */
export const STALL_POINTS = 8;
/** Bytes per stall_config entry: chance mask, length mask, watched field offset, changes. */
export const STALL_CONFIG_SIZE = 32;
/** Fields a stall point may offer to watch. */
export const STALL_FIELDS = 2;
/** In stall_config[n].changes: count only changes of the watched field to or from zero. */
export const STALL_ZERO_CROSSINGS = 1n << 32n;

/** The cpumask with every one of `harts` harts set (cpu_online_mask's initial value). */
export function allHartsMask(harts: number): bigint {
  return harts >= 64 ? -1n : (1n << BigInt(harts)) - 1n;
}

/** sstatus.SIE */
const SSTATUS_SIE = 2;

/** A branch condition: the comparison and its operands (`['eqz', 'a0']`, `['lt', 'a0', 'a1']`). */
export type Cond = readonly ['eqz' | 'nez' | 'gtz' | 'lez' | 'ltz' | 'gez', Reg] | readonly ['eq' | 'ne' | 'lt' | 'ge' | 'ltu' | 'geu' | 'gt' | 'le', Reg, Reg];

const INVERSE = { eqz: 'nez', nez: 'eqz', gtz: 'lez', lez: 'gtz', ltz: 'gez', gez: 'ltz', eq: 'ne', ne: 'eq', lt: 'ge', ge: 'lt', ltu: 'geu', geu: 'ltu', gt: 'le', le: 'gt' } as const;

export interface FnContext {
  /** Leave the function (jump to its epilogue). */
  return_(): void;
}

export class Kernel {
  constructor(readonly a: Asm) {}

  // ---- structure ----

  /** Branch to `target` when `cond` holds. */
  branch(cond: Cond, target: Label): void {
    const a = this.a;
    const [op, x, y] = cond as [string, Reg, Reg];
    switch (op) {
      case 'eqz': a.beqz(x, target); break;
      case 'nez': a.bnez(x, target); break;
      case 'gtz': a.bgtz(x, target); break;
      case 'lez': a.blez(x, target); break;
      case 'ltz': a.bltz(x, target); break;
      case 'gez': a.bgez(x, target); break;
      case 'eq': a.beq(x, y, target); break;
      case 'ne': a.bne(x, y, target); break;
      case 'lt': a.blt(x, y, target); break;
      case 'ge': a.bge(x, y, target); break;
      case 'ltu': a.bltu(x, y, target); break;
      case 'geu': a.bgeu(x, y, target); break;
      case 'gt': a.bgt(x, y, target); break;
      case 'le': a.ble(x, y, target); break;
    }
  }

  private not(cond: Cond): Cond {
    return [INVERSE[cond[0]], ...cond.slice(1)] as unknown as Cond;
  }

  /** if (cond) then() [else otherwise()] */
  if_(cond: Cond, then: () => void, otherwise?: () => void): void {
    const a = this.a;
    const skip = a.label();
    this.branch(this.not(cond), skip);
    then();
    if (otherwise) {
      const end = a.label();
      a.j(end);
      a.bind(skip);
      otherwise();
      a.bind(end);
    } else a.bind(skip);
  }

  /** for (;;) body(brk, cont): jump to `brk` to leave, to `cont` to go round again. */
  loop(body: (brk: Label, cont: Label) => void): void {
    const a = this.a;
    const top = a.here();
    const end = a.label();
    body(end, top);
    a.j(top);
    a.bind(end);
  }

  /** while (cond) body(brk, cont) */
  while_(cond: () => Cond, body: (brk: Label, cont: Label) => void): void {
    const a = this.a;
    const top = a.here();
    const end = a.label();
    this.branch(this.not(cond()), end);
    body(end, top);
    a.j(top);
    a.bind(end);
  }

  /**
   * A function: a global symbol, a frame saving ra and the given callee-saved registers, the body,
   * and one epilogue (ctx.return_() jumps there).
   */
  fn(name: string, saves: readonly Reg[], body: (ctx: FnContext) => void): Label {
    const a = this.a;
    const entry = a.label(name);
    a.align(2);
    a.global(entry, { type: 'func' });
    a.bind(entry);
    const frame = Math.ceil(((saves.length + 1) * 8) / 16) * 16;
    const epilogue = a.label();
    a.addi('sp', 'sp', -frame).sd('ra', 0, 'sp');
    saves.forEach((r, i) => a.sd(r, 8 * (i + 1), 'sp'));
    body({ return_: () => a.j(epilogue) });
    a.bind(epilogue);
    saves.forEach((r, i) => a.ld(r, 8 * (i + 1), 'sp'));
    a.ld('ra', 0, 'sp').addi('sp', 'sp', frame).ret();
    return entry;
  }

  // ---- barriers ----

  smp_mb(): void {
    this.a.fence('rw', 'rw');
  }
  smp_rmb(): void {
    this.a.fence('r', 'r');
  }
  smp_wmb(): void {
    this.a.fence('w', 'w');
  }
  /** Value-returning AMOs are already .aqrl; the generic default is a full fence. */
  smp_mb__before_atomic(): void {
    this.a.fence('rw', 'rw');
  }
  smp_mb__after_atomic(): void {
    this.a.fence('rw', 'rw');
  }
  cpu_relax(): void {
    this.a.pause();
  }

  // ---- plain and ordered accesses ----

  load(rd: Reg, [base, off]: Mem, size: Size): void {
    if (size === 8) this.a.ld(rd, off, base);
    else this.a.lw(rd, off, base);
  }
  store([base, off]: Mem, rs: Reg, size: Size): void {
    if (size === 8) this.a.sd(rs, off, base);
    else this.a.sw(rs, off, base);
  }
  READ_ONCE(rd: Reg, m: Mem, size: Size = 8): void {
    this.load(rd, m, size);
  }
  WRITE_ONCE(m: Mem, rs: Reg, size: Size = 8): void {
    this.store(m, rs, size);
  }
  smp_store_release(m: Mem, rs: Reg, size: Size = 8): void {
    this.a.fence('rw', 'w');
    this.store(m, rs, size);
  }
  smp_load_acquire(rd: Reg, m: Mem, size: Size = 8): void {
    this.load(rd, m, size);
    this.a.fence('r', 'rw');
  }
  /**
   * smp_cond_load_acquire(p, cond): spin with plain loads (and cpu_relax) until `until(value)`
   * holds, then fence r,r. `until` receives the register with the value and returns the condition
   * that ends the wait. A `bound` turns a perma-spin into a SPIN event (then the wait goes on).
   */
  smp_cond_load_acquire(rd: Reg, m: Mem, size: Size, until: (v: Reg) => Cond, bound?: number): void {
    const a = this.a;
    const done = a.label();
    if (bound !== undefined) a.li('t6', bound);
    const top = a.here();
    this.load(rd, m, size);
    this.branch(until(rd), done);
    this.cpu_relax();
    if (bound !== undefined) {
      a.addi('t6', 't6', -1);
      const more = a.label();
      a.bnez('t6', more);
      a.addi('t5', m[0], m[1]);
      this.report(GUEST_EVENT.SPIN, ['t5']);
      a.li('t6', bound);
      a.bind(more);
    }
    a.j(top);
    a.bind(done);
    this.a.fence('r', 'r');
  }

  // ---- atomics ----

  private addr(m: Mem): Reg {
    if (m[1] === 0) return m[0];
    this.a.addi('t6', m[0], m[1]);
    return 't6';
  }

  atomic_read(rd: Reg, m: Mem): void {
    this.a.lw(rd, m[1], m[0]);
  }
  atomic_set(m: Mem, rs: Reg): void {
    this.a.sw(rs, m[1], m[0]);
  }
  atomic_add(rs: Reg, m: Mem): void {
    this.a.amoadd_w('zero', rs, this.addr(m));
  }
  /** rd = atomic_dec_return(m): fully ordered. */
  atomic_dec_return(rd: Reg, m: Mem): void {
    const p = this.addr(m);
    this.a.li('t5', -1).amoadd_w_aqrl(rd, 't5', p).addi(rd, rd, -1);
  }
  /** rd = xchg(m, rs): fully ordered. */
  xchg(rd: Reg, m: Mem, rs: Reg, size: Size = 8): void {
    const p = this.addr(m);
    if (size === 8) this.a.amoswap_d_aqrl(rd, rs, p);
    else this.a.amoswap_w_aqrl(rd, rs, p);
  }
  /**
   * rd = cmpxchg(m, old, new): lr ; bne ; sc.rl ; bnez ; fence rw,rw (fully ordered on success, no
   * fence on failure), or with `relaxed` plain lr/sc and no fence. rd must differ from old and new.
   */
  cmpxchg(rd: Reg, m: Mem, old: Reg, nu: Reg, size: Size = 8, relaxed = false): void {
    const a = this.a;
    const p = this.addr(m);
    const out = a.label();
    const retry = a.here();
    if (size === 8) a.lr_d(rd, p);
    else a.lr_w(rd, p);
    a.bne(rd, old, out);
    if (size === 8) relaxed ? a.sc_d('t5', nu, p) : a.sc_d_rl('t5', nu, p);
    else relaxed ? a.sc_w('t5', nu, p) : a.sc_w_rl('t5', nu, p);
    a.bnez('t5', retry);
    if (!relaxed) a.fence('rw', 'rw');
    a.bind(out);
  }
  cmpxchg_relaxed(rd: Reg, m: Mem, old: Reg, nu: Reg, size: Size = 8): void {
    this.cmpxchg(rd, m, old, nu, size, true);
  }

  // ---- bit operations (a 64-bit word; bit numbers below 64) ----

  /** rd = test_and_clear_bit(nr, m): 1 if the bit was set; fully ordered. */
  test_and_clear_bit(rd: Reg, nr: Reg, m: Mem): void {
    const a = this.a;
    a.li('t5', 1).sll('t5', 't5', nr).not('t5', 't5');
    a.amoand_d_aqrl(rd, 't5', this.addr(m));
    a.srl(rd, rd, nr).andi(rd, rd, 1);
  }
  /** set_bit(nr, m): atomic, unordered. */
  set_bit(nr: Reg, m: Mem): void {
    this.a.li('t5', 1).sll('t5', 't5', nr).amoor_d('zero', 't5', this.addr(m));
  }
  /** clear_bit(nr, m): atomic, unordered. */
  clear_bit(nr: Reg, m: Mem): void {
    this.a.li('t5', 1).sll('t5', 't5', nr).not('t5', 't5').amoand_d('zero', 't5', this.addr(m));
  }
  /** rd = test_bit(nr, m): a plain load. */
  test_bit(rd: Reg, nr: Reg, m: Mem): void {
    this.a.ld(rd, m[1], m[0]).srl(rd, rd, nr).andi(rd, rd, 1);
  }

  // ---- cpumask (up to 64 cpus: one 64-bit word) ----

  cpumask_test_cpu(rd: Reg, cpu: Reg, m: Mem): void {
    this.test_bit(rd, cpu, m);
  }
  cpumask_test_and_clear_cpu(rd: Reg, cpu: Reg, m: Mem): void {
    this.test_and_clear_bit(rd, cpu, m);
  }
  cpumask_set_cpu(cpu: Reg, m: Mem): void {
    this.set_bit(cpu, m);
  }
  cpumask_clear_cpu(cpu: Reg, m: Mem): void {
    this.clear_bit(cpu, m);
  }
  /** rd = cpumask_weight(mask register): a popcount loop. */
  cpumask_weight(rd: Reg, mask: Reg): void {
    const a = this.a;
    a.mv('t5', mask).li(rd, 0);
    const top = a.here();
    const done = a.label();
    a.beqz('t5', done);
    a.addi('t6', 't5', -1).and('t5', 't5', 't6').addi(rd, rd, 1);
    a.j(top);
    a.bind(done);
  }
  /** rd = the lowest cpu set in the mask register, or 64 if none. */
  cpumask_first(rd: Reg, mask: Reg): void {
    const a = this.a;
    a.li(rd, 0).mv('t5', mask);
    const done = a.label();
    const none = a.label();
    a.beqz('t5', none);
    const top = a.here();
    a.andi('t6', 't5', 1).bnez('t6', done).srli('t5', 't5', 1).addi(rd, rd, 1).j(top);
    a.bind(none);
    a.li(rd, 64);
    a.bind(done);
  }

  // ---- spinlocks and interrupts ----

  /** raw_spin_lock (v4.15 RISC-V): spin while the lock word is non-zero, then amoswap.w.aq until it was 0. */
  raw_spin_lock(m: Mem): void {
    const a = this.a;
    const p = this.addr(m);
    const retry = a.here();
    a.lw('t5', 0, p).bnez('t5', retry);
    a.li('t5', 1).amoswap_w_aq('t5', 't5', p).bnez('t5', retry);
  }
  raw_spin_unlock(m: Mem): void {
    this.a.amoswap_w_rl('zero', 'zero', this.addr(m));
  }
  /** flags = local_irq_save(): clear sstatus.SIE, keeping its old value in `flags`. */
  local_irq_save(flags: Reg): void {
    this.a.csrrci(flags, 'sstatus', SSTATUS_SIE);
  }
  local_irq_restore(flags: Reg): void {
    this.a.andi('t5', flags, SSTATUS_SIE).csrs('sstatus', 't5');
  }
  local_irq_enable(): void {
    this.a.csrsi('sstatus', SSTATUS_SIE);
  }
  local_irq_disable(): void {
    this.a.csrci('sstatus', SSTATUS_SIE);
  }
  raw_spin_lock_irqsave(m: Mem, flags: Reg): void {
    this.local_irq_save(flags);
    this.raw_spin_lock(m);
  }
  raw_spin_unlock_irqrestore(m: Mem, flags: Reg): void {
    this.raw_spin_unlock(m);
    this.local_irq_restore(flags);
  }

  // ---- per-cpu data ----

  /** rd = per_cpu_ptr(sym, cpu): the copy of `sym` for `cpu` (copies are `stride` bytes apart). */
  per_cpu_ptr(rd: Reg, sym: string, cpu: Reg, stride: number): void {
    const a = this.a;
    if ((stride & (stride - 1)) !== 0) throw new Error(`per-cpu stride ${stride} is not a power of two`);
    if (rd === cpu || cpu === 't5') throw new Error(`per_cpu_ptr: the cpu register ${cpu} would be overwritten`);
    a.la(rd, sym).slli('t5', cpu, Math.log2(stride)).add(rd, rd, 't5');
  }

  // ---- lists (include/linux/rculist.h), with debug-list checks ----

  /**
   * list_add_rcu(new, head): insert after head. The debug check (CONFIG_DEBUG_LIST) reports
   * LIST_CORRUPTION when new is already linked (new == head->next) or head->next->prev != head.
   * `publish` is how head->next is published: 'wmb' (2.6.3x: smp_wmb; store) or 'release'.
   */
  list_add_rcu(nu: Reg, head: Reg, publish: 'wmb' | 'release' = 'wmb'): void {
    const a = this.a;
    a.ld('t6', LIST_HEAD.next, head);
    this.if_(['eq', 't6', nu], () => this.report(GUEST_EVENT.LIST_CORRUPTION, [nu, head]));
    a.ld('t6', LIST_HEAD.next, head);
    a.ld('t5', LIST_HEAD.prev, 't6');
    this.if_(['ne', 't5', head], () => this.report(GUEST_EVENT.LIST_CORRUPTION, [nu, head]));
    a.ld('t6', LIST_HEAD.next, head);
    a.sd('t6', LIST_HEAD.next, nu); // new->next = head->next
    a.sd(head, LIST_HEAD.prev, nu); // new->prev = head
    if (publish === 'wmb') this.smp_wmb();
    else a.fence('rw', 'w');
    a.sd(nu, LIST_HEAD.next, head); // rcu_assign_pointer(head->next, new)
    a.sd(nu, LIST_HEAD.prev, 't6'); // new->next->prev = new
  }

  /**
   * list_del_rcu(e): unlink e, leaving e->next for concurrent walkers and poisoning e->prev. The
   * debug check reports LIST_CORRUPTION when e->prev is poisoned (a double delete) or
   * e->prev->next != e / e->next->prev != e (not on the list) - and then does not touch the list.
   */
  list_del_rcu(e: Reg): void {
    const a = this.a;
    const bad = a.label();
    const done = a.label();
    a.ld('t5', LIST_HEAD.prev, e);
    a.li('t6', LIST_POISON2).beq('t5', 't6', bad);
    a.ld('t6', LIST_HEAD.next, 't5').bne('t6', e, bad);
    a.ld('t6', LIST_HEAD.next, e);
    a.ld('t5', LIST_HEAD.prev, 't6').bne('t5', e, bad);
    a.ld('t5', LIST_HEAD.prev, e);
    a.sd('t6', LIST_HEAD.next, 't5'); // e->prev->next = e->next
    a.sd('t5', LIST_HEAD.prev, 't6'); // e->next->prev = e->prev
    a.li('t6', LIST_POISON2).sd('t6', LIST_HEAD.prev, e);
    a.j(done);
    a.bind(bad);
    this.report(GUEST_EVENT.LIST_CORRUPTION, [e]);
    a.bind(done);
  }

  /** rd = list_empty(head) */
  list_empty(rd: Reg, head: Reg): void {
    this.a.ld(rd, LIST_HEAD.next, head).sub(rd, rd, head).seqz(rd, rd);
  }

  // ---- lock-less lists (include/linux/llist.h) ----

  /** rd = llist_add(node, head): 1 if the list was empty. A cmpxchg loop (fully ordered). Clobbers t3, t4. */
  llist_add(rd: Reg, node: Reg, head: Reg): void {
    const a = this.a;
    const retry = a.here();
    a.ld('t3', LLIST_HEAD.first, head); // first = READ_ONCE(head->first)
    a.sd('t3', LLIST_NODE.next, node); // node->next = first
    this.cmpxchg('t4', [head, LLIST_HEAD.first], 't3', node);
    a.bne('t4', 't3', retry);
    a.seqz(rd, 't3');
  }
  /** rd = llist_del_all(head): xchg(&head->first, NULL). */
  llist_del_all(rd: Reg, head: Reg): void {
    this.xchg(rd, [head, LLIST_HEAD.first], 'zero');
  }
  /** rd = llist_reverse_order(first) (rd must differ from first). Clobbers t3, t4. */
  llist_reverse_order(rd: Reg, first: Reg): void {
    const a = this.a;
    a.li(rd, 0).mv('t3', first);
    this.while_(() => ['nez', 't3'], () => {
      a.ld('t4', LLIST_NODE.next, 't3').sd(rd, LLIST_NODE.next, 't3').mv(rd, 't3').mv('t3', 't4');
    });
  }

  // ---- injected delays ----

  /**
   * stall_point(n): the udelay() a tester injects to widen a race window (Milton Miller's attempt
   * at R2), at random passes. Each hart keeps a xorshift PRNG in gp (seeded at boot from
   * stall_seeds[cpu]); a pass through stall point n stalls when (x & stall_config[n].chance) == 0,
   * for up to (x >> 20) & stall_config[n].length turns of a loop with cpu_relax (each turn lets the
   * other harts run a while). It changes timing, never what the kernel code computes.
   *
   * A point may name a struct it can watch (`watch`: a base register and candidate field offsets):
   * when stall_config[n].field is one of them, the stall also ends once that 32-bit field has
   * changed stall_config[n].changes times - it waits for the event a race needs (the stale walker
   * resumes just after the caller rewrites the mask, say) instead of guessing its time. With
   * STALL_ZERO_CROSSINGS in `changes`, only changes to or from zero count: two of them are an
   * entry finished with (refs or mask drops to 0) and then reused (set again), whatever the
   * values in between. The watching loads are plain loads of the same word the kernel code reads
   * next. The race runner writes the tables from the run's seed; their defaults never stall.
   * Clobbers t4, t5, t6 (and briefly spills t2, t3 to the stack when watching).
   */
  stall_point(n: number, watch?: { base: Reg; fields: readonly number[] }): void {
    const a = this.a;
    if (n < 0 || n >= STALL_POINTS) throw new Error(`stall point ${n} out of range`);
    if (watch) {
      if (['t2', 't3', 't4', 't5', 't6', 'sp'].includes(watch.base)) throw new Error(`stall_point: ${watch.base} cannot be the watched base`);
      if (watch.fields.length > STALL_FIELDS || watch.fields.some((f) => f % 4 !== 0)) throw new Error('stall_point: up to two 4-byte aligned fields');
      const prev = this.stallFields[n];
      if (prev && prev.join() !== watch.fields.join()) throw new Error(`stall point ${n} watches different fields at different sites`);
      this.stallFields[n] = [...watch.fields];
    }
    const done = a.label();
    const c = STALL_CONFIG_SIZE * n;
    this.unless_chosen(n, done);
    a.ld('t4', c + 8, 't5').srli('t6', 'gp', 20).and('t6', 't6', 't4');
    const timed = a.label();
    if (watch) {
      // t6 = changes << 32 | turns; t4 = &base->field; t5 = the value last seen (in zero-crossing
      // mode, t2 = 1, only whether it is zero).
      a.ld('t4', c + 16, 't5').bltz('t4', timed);
      a.addi('sp', 'sp', -16).sd('t3', 0, 'sp').sd('t2', 8, 'sp');
      a.ld('t5', c + 24, 't5').srli('t2', 't5', 32).slli('t5', 't5', 32).or('t6', 't6', 't5');
      a.add('t4', watch.base, 't4');
      const seen = (rd: Reg) => {
        const raw = a.label();
        a.lw(rd, 0, 't4').beqz('t2', raw).snez(rd, rd);
        a.bind(raw);
      };
      seen('t5');
      const turn = a.here();
      const out = a.label();
      a.slli('t3', 't6', 32).beqz('t3', out);
      this.cpu_relax();
      a.addi('t6', 't6', -1);
      seen('t3');
      a.beq('t3', 't5', turn);
      a.mv('t5', 't3').li('t3', 1).slli('t3', 't3', 32).sub('t6', 't6', 't3').srli('t3', 't6', 32).bnez('t3', turn);
      a.bind(out);
      a.ld('t3', 0, 'sp').ld('t2', 8, 'sp').addi('sp', 'sp', 16).j(done);
    }
    a.bind(timed);
    const top = a.here();
    a.beqz('t6', done);
    this.cpu_relax();
    a.addi('t6', 't6', -1).j(top);
    a.bind(done);
  }

  /**
   * chance_point(n, body): run `body` at the passes where stall point n would stall (the same
   * chance, from stall_config[n]), for injected events other than delays (a duplicate IPI, say).
   * Clobbers t4, t5.
   */
  chance_point(n: number, body: () => void): void {
    const a = this.a;
    if (n < 0 || n >= STALL_POINTS) throw new Error(`stall point ${n} out of range`);
    const skip = a.label();
    this.unless_chosen(n, skip);
    body();
    a.bind(skip);
  }

  /** Step this hart's xorshift PRNG (gp) and branch to `skip` unless this pass of point n is chosen; leaves t5 = stall_config. */
  private unless_chosen(n: number, skip: Label): void {
    const a = this.a;
    // x ^= x << 13; x ^= x >> 7; x ^= x << 17
    a.slli('t4', 'gp', 13).xor('gp', 'gp', 't4');
    a.srli('t4', 'gp', 7).xor('gp', 'gp', 't4');
    a.slli('t4', 'gp', 17).xor('gp', 'gp', 't4');
    a.la('t5', 'stall_config').ld('t4', STALL_CONFIG_SIZE * n, 't5').and('t4', 'gp', 't4').bnez('t4', skip);
  }

  /** Fields each stall point may watch (stall_point's `watch`), for emitStallTable. */
  private readonly stallFields: (number[] | undefined)[] = [];
  /** The stall points a scenario's delay plan arms (a bitmask; all, unless it says). */
  private stallArmed = (1n << BigInt(STALL_POINTS)) - 1n;

  /**
   * A scenario's delay plan: the stall points at which the race runner may inject delays (the
   * udelay()s and duplicate IPIs its reproducer places, race-catalog section 3); the others never
   * stall.
   */
  arm_stall_points(points: readonly number[]): void {
    if (points.some((n) => n < 0 || n >= STALL_POINTS)) throw new Error('arm_stall_points: stall point out of range');
    this.stallArmed = points.reduce((m, n) => m | (1n << BigInt(n)), 0n);
  }

  /**
   * The stall tables (in .data): stall_armed (the delay plan's points, a bitmask), stall_config[n] = { chance mask, length mask, watched field offset
   * (-1: none), changes } (initially "never": a chance mask of all ones), stall_fields[n] = the
   * offsets point n can watch (-1 for none), and stall_seeds[cpu] for each hart's gp.
   */
  emitStallTable(harts: number): void {
    const a = this.a;
    a.data().align(64);
    a.bind(a.label('stall_armed'));
    a.dword(this.stallArmed);
    a.bind(a.label('stall_config'));
    for (let i = 0; i < STALL_POINTS; i++) a.dword(-1n, 0, -1n, 0);
    a.bind(a.label('stall_fields'));
    for (let i = 0; i < STALL_POINTS; i++) {
      const f = this.stallFields[i] ?? [];
      for (let j = 0; j < STALL_FIELDS; j++) a.dword(BigInt(f[j] ?? -1));
    }
    a.bind(a.label('stall_seeds'));
    for (let i = 0; i < harts; i++) a.dword(0x9e3779b97f4a7c15n ^ BigInt(i + 1));
    a.text();
  }

  // ---- reporting (emulator/devices/guest-events.ts) ----

  /** Report an event with up to three argument registers (not t6); uses t5, t6 and this hart's event page (from tp). */
  report(kind: number, args: readonly Reg[] = []): void {
    const a = this.a;
    if (args.includes('t6')) throw new Error('report: t6 holds the event page, it cannot be an argument');
    a.ld('t6', THREAD_INFO.events, 'tp');
    args.forEach((r, i) => a.sd(r, 8 * (i + 1), 't6'));
    a.li('t5', kind).sd('t5', 0, 't6');
  }
  WARN_ON(cond: Cond, args: readonly Reg[] = []): void {
    this.if_(cond, () => this.report(GUEST_EVENT.WARN, args));
  }
  BUG_ON(cond: Cond, args: readonly Reg[] = []): void {
    this.if_(cond, () => this.report(GUEST_EVENT.BUG, args));
  }
}

/**
 * tp points at the running hart's thread_info: its cpu number and its page of the guest event
 * device (VIRT.GUEST_EVENTS + cpu * GUEST_EVENT_PAGE), set up at boot.
 */
export const THREAD_INFO = struct('thread_info', { cpu: 'u64', events: 'ptr' });

export { Label };
