/**
 * The block compiler: a run of decoded instructions (up to a control transfer, a system
 * instruction, the end of the page or MAX_BLOCK instructions) becomes one JavaScript function that
 * V8 compiles, with every operand a literal. It is generated from the same semantics table as the
 * interpreter; only aligned RAM loads and stores get an inline fast path (the slow path is the
 * interpreter's, through the hart). A block runs only when the budget covers all of it, so compiled
 * and interpreted runs retire the same instructions at the same steps.
 *
 * A block function takes (h, x) and returns the next pc; it sets h.blockRetired to the number of
 * instructions it retired. If an instruction traps, the block sets h.pc to it and stores how many
 * retired before it in the Trap's `retired`, then rethrows.
 */
import type { CodePage } from './decode-cache.js';
import { OP_ILLEGAL, OP_NAMES, PAGE_SIZE } from './decode-cache.js';
import { BRANCH_CONDITIONS, SEMANTICS } from './semantics.js';
import { endsCompiledBlock, mayBreak, readsMachineState } from './effects.js';

export const MAX_BLOCK = 64;
/** A slot is compiled when its block start has run this many times. */
export const HOT = 2;

export interface Block {
  readonly fn: (h: unknown, x: BigInt64Array, budget: number) => number;
  readonly len: number;
}

export interface RamEnv {
  readonly base: number;
  readonly size: number;
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly i32: Int32Array;
  readonly i64: BigInt64Array;
  readonly watched: Uint8Array;
}

const LOADS: Record<string, { size: number; view: string; conv: (v: string) => string }> = {
  lb: { size: 1, view: 'i8', conv: (v) => `BigInt(${v})` },
  lbu: { size: 1, view: 'u8', conv: (v) => `BigInt(${v})` },
  lh: { size: 2, view: 'i16', conv: (v) => `BigInt(${v})` },
  lhu: { size: 2, view: 'u16', conv: (v) => `BigInt(${v})` },
  lw: { size: 4, view: 'i32', conv: (v) => `BigInt(${v})` },
  lwu: { size: 4, view: 'i32', conv: (v) => `BigInt(${v} >>> 0)` },
  ld: { size: 8, view: 'i64', conv: (v) => v },
};
const STORES: Record<string, { size: number; view: string; conv: (v: string) => string }> = {
  sb: { size: 1, view: 'u8', conv: (v) => `Number(${v} & 0xffn)` },
  sh: { size: 2, view: 'u16', conv: (v) => `Number(${v} & 0xffffn)` },
  sw: { size: 4, view: 'i32', conv: (v) => `Number(BigInt.asIntN(32, ${v}))` },
  sd: { size: 8, view: 'i64', conv: (v) => v },
};
const SHIFT: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3 };

function literalBig(v: bigint): string {
  return `${v}n`;
}

/** Source for one instruction of a block. */
function instructionSource(page: CodePage, slot: number, pc: number, k: number): { code: string; mayBreak: boolean } {
  const op = page.op[slot]!;
  const name = OP_NAMES[op]!;
  const rd = page.rd[slot]!, rs1 = page.rs1[slot]!, rs2 = page.rs2[slot]!;
  const imm = page.imm[slot]!, immn = page.immn[slot]!, len = page.len[slot]!, aqrl = page.aqrl[slot]!;
  const npc = pc + len;
  const mark = `k = @K(${k});`;
  const load = LOADS[name];
  if (load) {
    const sh = SHIFT[load.size]!;
    const align = load.size > 1 ? ` && (o & ${load.size - 1}) === 0` : '';
    const dest = rd === 0 ? 'void ' : `x[${rd}] = `;
    return {
      code: `${mark} { const o = Number(x[${rs1}]) + ${immn} - RAM_BASE; if (o >= 0 && o <= RAM_SIZE - ${load.size}${align}) ${dest}${load.conv(`${load.view}[o${sh ? ` >>> ${sh}` : ''}]`)}; else ${dest}h.${name}(x[${rs1}], ${immn}); }`,
      mayBreak: false,
    };
  }
  const store = STORES[name];
  if (store) {
    const sh = SHIFT[store.size]!;
    const align = store.size > 1 ? ` && (o & ${store.size - 1}) === 0` : '';
    return {
      code: `${mark} { const o = Number(x[${rs1}]) + ${immn} - RAM_BASE; if (o >= 0 && o <= RAM_SIZE - ${store.size}${align} && watched[o >>> 12] === 0) ${store.view}[o${sh ? ` >>> ${sh}` : ''}] = ${store.conv(`x[${rs2}]`)}; else { h.pc = ${pc}; h.inRun = n0 + @K(${k}); h.${name}(x[${rs1}], ${immn}, x[${rs2}]); } }`,
      mayBreak: true,
    };
  }
  const s = SEMANTICS[name];
  if (s === undefined || op === OP_ILLEGAL) return { code: `${mark} h.pc = ${pc}; h.insnBits = ${page.word[slot]}; h.illegal();`, mayBreak: false };
  let code = s
    .replace(/\$rd/g, String(rd))
    .replace(/\$rs1/g, String(rs1))
    .replace(/\$rs2/g, String(rs2))
    .replace(/\$immn/g, String(immn))
    .replace(/\$imm/g, literalBig(imm))
    .replace(/\$npc/g, String(npc))
    .replace(/\$pc/g, String(pc))
    .replace(/\$aq/g, String((aqrl & 2) !== 0))
    .replace(/\$rl/g, String((aqrl & 1) !== 0));
  // Writes to x0 are discarded.
  if (rd === 0) code = code.replace(/x\[0\] = /g, 'const _v = ');
  const prelude = readsMachineState(name) ? `h.pc = ${pc}; h.inRun = n0 + @K(${k}); h.insnBits = ${page.word[slot]}; ` : '';
  return { code: `${mark} ${prelude}{ ${code} }`, mayBreak: mayBreak(name) };
}

/** Substitute literal operands into a branch condition. */
function condition(name: string, page: CodePage, slot: number): string {
  return BRANCH_CONDITIONS[name]!.replace(/\$rs1/g, String(page.rs1[slot])).replace(/\$rs2/g, String(page.rs2[slot]));
}

/**
 * Compile the block starting at `slot` of `page`; undefined if nothing can be compiled there.
 * A conditional branch inside the block leaves it when taken; a branch back to the block's start
 * turns the block into a loop that runs while the budget allows whole iterations.
 */
export function compileBlock(page: CodePage, slot: number, env: RamEnv, decodeSlot: (page: CodePage, slot: number, pc: number) => number): Block | undefined {
  const lines: string[] = [];
  const pcs: number[] = [];
  const start = page.base + slot * 2;
  let s = slot;
  let pc = start;
  const slots = PAGE_SIZE >> 1;
  let loopCond: string | undefined;
  let end: string | undefined; // the statement that ends the block
  while (pcs.length < MAX_BLOCK && s < slots) {
    let op = page.op[s]!;
    if (op < 0) {
      try {
        op = decodeSlot(page, s, pc);
      } catch {
        break; // a fetch fault: let the interpreter take it
      }
    }
    if (op === OP_ILLEGAL) break;
    const name = OP_NAMES[op]!;
    const len = page.len[s]!;
    if (s * 2 + len > PAGE_SIZE) break;
    const k = pcs.length;
    const next = pc + len;
    pcs.push(pc);
    const cond = BRANCH_CONDITIONS[name] !== undefined ? condition(name, page, s) : undefined;
    if (cond !== undefined) {
      const target = pc + page.immn[s]!;
      lines.push(`k = @K(${k});`);
      if (target === start) {
        loopCond = cond;
        pc = next;
        break;
      }
      lines.push(`if (${cond}) { h.blockRetired = @K(${k + 1}); return h.branchTarget(${pc}, ${page.immn[s]}); }`);
      pc = next;
      s += len >> 1;
      continue;
    }
    const { code, mayBreak } = instructionSource(page, s, pc, k);
    lines.push(code);
    if (endsCompiledBlock(name)) {
      // Jumps assign npc; system instructions fall through to the next instruction.
      end = `h.blockRetired = @K(${k + 1}); return npc;`;
      lines.unshift(`let npc = ${next};`);
      pc = next;
      break;
    }
    if (mayBreak) lines.push(`if (h.breakLoop) { h.blockRetired = @K(${k + 1}); return ${next}; }`);
    pc = next;
    s += len >> 1;
  }
  if (pcs.length === 0) return undefined;
  const len = pcs.length;
  if (loopCond !== undefined) {
    const body = lines.map((l) => l.replace(/@K\((\d+)\)/g, 'base + $1'));
    return finish(
      [
        'let base = 0;',
        'for (;;) {',
        ...body,
        `  if (!(${loopCond})) { h.blockRetired = base + ${len}; return ${pc}; }`,
        `  base += ${len};`,
        `  if (base + ${len} > budget) { h.blockRetired = base; return ${start}; }`,
        '}',
      ],
      pcs,
      env,
      true,
    );
  }
  const body = lines.map((l) => l.replace(/@K\((\d+)\)/g, '$1'));
  if (end) body.push(end.replace(/@K\((\d+)\)/g, '$1'));
  else body.push(`h.blockRetired = ${len}; return ${pc};`);
  if (!end) body.unshift(`let npc = ${pc};`);
  return finish(body, pcs, env, false);
}

function finish(lines: string[], pcs: number[], env: RamEnv, loop: boolean): Block {
  const body = `
    const { base: RAM_BASE, size: RAM_SIZE, u8, i8, u16, i16, i32, i64, watched } = env;
    const PCS = [${pcs.join(',')}];
    return function block(h, x, budget) {
      let k = 0;
      const n0 = h.inRun;
      try {
        ${lines.join('\n        ')}
      } catch (e) {
        x[0] = 0n;
        h.pc = PCS[k % ${pcs.length}];
        if (e && typeof e === 'object') e.retired = k;
        throw e;
      }
    };`;
  void loop;
  const fn = new Function('env', body)(env) as Block['fn'];
  return { fn, len: pcs.length };
}
