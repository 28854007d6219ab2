/**
 * The interpreter, generated once from the semantics table: a loop that fetches the pre-decoded
 * instruction at pc from the code cache and dispatches on its op number. Exceptions thrown by the
 * semantics are taken here (the trapping instruction does not retire) and execution continues at
 * the handler. The loop returns when the budget is spent or the hart asks to stop (wfi, interrupt
 * state changes, CSR writes, xRET).
 */
import { EXCEPTION, Trap } from './trap.js';
import { OP_ILLEGAL, OP_NAMES, PAGE_SIZE } from './decode-cache.js';
import { SEMANTICS } from './semantics.js';
import { INSN_PROPS } from '../../assembler/isa/properties.js';
import { mayBreak, readsMachineState } from './effects.js';
import { HOT } from './block-compiler.js';
import type { Hart } from './hart.js';
import type { CodeCache } from '../memory/code-cache.js';


function body(name: string): string {
  const s = SEMANTICS[name]!;
  const code = s
    .replace(/\$rd/g, 'rd')
    .replace(/\$rs1/g, 'rs1')
    .replace(/\$rs2/g, 'rs2')
    .replace(/\$immn/g, 'immn')
    .replace(/\$imm/g, 'page.imm[slot]') // read where used: each read of a BigInt64Array makes a BigInt
    .replace(/\$npc/g, '(pc + len)')
    .replace(/\$pc/g, 'pc')
    .replace(/\$aq/g, '((aqrl & 2) !== 0)')
    .replace(/\$rl/g, '((aqrl & 1) !== 0)');
  // A store may reach a device (the guest event device reports where and when): pc and step are exact.
  const prelude = readsMachineState(name) ? 'h.pc = pc; h.inRun = n; h.insnBits = page.word[slot]; ' : INSN_PROPS[name]!.cls === 'store' ? 'h.pc = pc; h.inRun = n; ' : '';
  return prelude + code;
}

/**
 * Register views for wmo by views (emulator/memory/views.ts): code before and after an instruction
 * that tells the memory port the view of a load's or store's address (and data) and gives the
 * destination register its view - a load's from the port, a computed value the latest of its
 * sources', a constant, a pc or a CSR none.
 */
function viewCode(name: string): { pre: string; post: string } {
  const p = INSN_PROPS[name];
  if (!p || !p.writesRd && p.cls !== 'store') return { pre: '', post: '' };
  switch (p.cls) {
    case 'load':
      return { pre: 'h.av = V[rs1]; ', post: ' V[rd] = h.rv;' };
    case 'store':
      return { pre: 'h.av = V[rs1] > V[rs2] ? V[rs1] : V[rs2]; ', post: '' };
    case 'lr':
    case 'sc':
    case 'amo':
      return { pre: '', post: ' V[rd] = h.rv;' };
    // A CSR's value and a return address (pc + len) depend on no memory access.
    case 'csr':
    case 'jal':
    case 'jalr':
      return { pre: '', post: ' V[rd] = 0;' };
  }
  const v = p.readsRs1 && p.readsRs2 ? '(V[rs1] > V[rs2] ? V[rs1] : V[rs2])' : p.readsRs1 ? 'V[rs1]' : p.readsRs2 ? 'V[rs2]' : '0';
  return { pre: '', post: ` V[rd] = ${v};` };
}

function generate(views = false): string {
  const zero = views ? 'x[0] = 0n; V[0] = 0;' : 'x[0] = 0n;';
  const cases = OP_NAMES.map((name, op) => {
    if (op === OP_ILLEGAL) return `case ${op}: h.insnBits = page.word[slot]; h.illegal();`;
    const check = mayBreak(name) ? ` if (h.breakLoop) { ${zero} pc = npc; n++; break loop; }` : '';
    const vc = views ? viewCode(name) : { pre: '', post: '' };
    return `case ${op}: { ${vc.pre}${body(name)}${vc.post}${check} break; } // ${name}`;
  });
  return `
    const x = h.x;${views ? '\n    const V = h.views;' : ''}
    let n = 0;
    let pc = h.pc;
    h.breakLoop = false;
    // The code page of the last fetch, kept on the hart across runs (pages are never replaced).
    let page = h.codePage, pageBase = h.codePageBase;
    let inBlock = false;
    const jit = ${views ? 'false' : 'h.jit'};
    try {
    loop: while (n < budget) {
      if (!(pc - pageBase < ${PAGE_SIZE} && pc >= pageBase)) {
        page = code.page(pc);
        if (page === undefined || pc % 2 !== 0) { h.pc = pc; h.instret += n; h.inRun = 0; h.fetchFault = true; return n; }
        pageBase = page.base;
        h.codePage = page; h.codePageBase = pageBase;
      }
      const slot = (pc - pageBase) >>> 1;
      // A one-step run cannot use a block (and need not warm one up: blocks compute what interpreting does).
      if (jit && budget - n > 1) {
        const blk = page.blocks[slot];
        if (blk !== undefined) {
          if (blk.len <= budget - n) {
            h.inRun = n;
            inBlock = true;
            pc = blk.fn(h, x, budget - n);
            inBlock = false;
            n += h.blockRetired;
            if (h.breakLoop) break loop;
            continue;
          }
        } else if (++page.heat[slot] >= ${HOT}) {
          page.blocks[slot] = code.compile(page, slot);
        }
      }
      let op = page.op[slot];
      if (op < 0) op = code.decodeSlot(page, slot, pc);
      const rd = page.rd[slot], rs1 = page.rs1[slot], rs2 = page.rs2[slot];
      const immn = page.immn[slot], len = page.len[slot], aqrl = page.aqrl[slot];
      let npc = pc + len;
      switch (op) {
        ${cases.join('\n        ')}
      }
      ${zero}
      pc = npc;
      n++;
    }
    } catch (e) {
      // The trapping instruction did not retire. A block has set h.pc to it and e.retired to the
      // instructions it retired before it.
      x[0] = 0n;
      if (inBlock) n += e.retired; else h.pc = pc;
      h.instret += n; h.inRun = 0;
      e.retired = n;
      throw e;
    }
    h.pc = pc; h.instret += n; h.inRun = 0;
    return n;`;
}

/** Runs up to budget instructions; returns how many retired, with h.fetchFault set if it stopped at a fetch fault. */
type Step = (h: Hart, code: CodeCache, budget: number) => number;
let compiled: Step | undefined;
let compiledViews: Step | undefined;

function interpreter(views: boolean): Step {
  if (views) return (compiledViews ??= new Function('h', 'code', 'budget', generate(true)) as Step);
  compiled ??= new Function('h', 'code', 'budget', generate()) as Step;
  return compiled;
}

/** The generated source, for reading and for tests (views: the variant that propagates register views). */
export function interpreterSource(views = false): string {
  return generate(views);
}

/**
 * Run up to `budget` steps on `h`: a step is a retired instruction or a trap taken (so that a hart
 * stuck in a loop of faults still uses up its budget). Returns the number of steps.
 */
export function runInterpreter(h: Hart, budget: number): number {
  const run = interpreter(h.trackViews);
  const code = h.codeCache;
  let total = 0;
  while (total < budget) {
    let n: number;
    h.fetchFault = false;
    try {
      n = run(h, code, budget - total);
    } catch (e) {
      if (!(e instanceof Trap)) throw e;
      // The trapping instruction did not retire; h.pc is its address.
      total += e.retired + 1;
      h.traps++;
      h.takeException(e);
      if (h.breakLoop) return total;
      continue;
    }
    total += n;
    if (h.fetchFault) {
      const at = h.pc;
      const exact = h.pcExact ?? BigInt.asUintN(64, BigInt(at));
      h.takeException(new Trap(at % 2 !== 0 ? EXCEPTION.INSTRUCTION_ADDRESS_MISALIGNED : EXCEPTION.INSTRUCTION_ACCESS_FAULT, exact));
      h.traps++;
      total++;
      continue;
    }
    return total;
  }
  return total;
}
