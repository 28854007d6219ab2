/**
 * Representation experiment for 64-bit registers (DEVELOPERS.md: choose by measuring). Runs the
 * same small RV64 loop (a CRC32 bit step with byte loads, as bench.c's hottest kernel) three ways:
 *   A. switch interpreter over pre-decoded ops, registers in a BigInt64Array
 *   B. switch interpreter, registers as hi/lo Int32Array pairs
 *   C. the loop body compiled to one JS function (block translation), registers in a BigInt64Array
 * and prints M instructions/second for each. Run: npx vite-node tools/bench/repr.ts
 */

const N = 20_000_000;
// Program: t0 = count; a0 = crc; a1 = ptr; a2 = poly; a3 = byte
// 0: lbu a3, 0(a1)      1: xor a0, a0, a3     2: andi t1, a0, 1   3: sub t1, zero, t1
// 4: and t1, t1, a2     5: srli a0, a0, 1     6: xor a0, a0, t1   7: addi a1, a1, 1
// 8: andi a1, a1, 1023  9: addi t0, t0, -1   10: bne t0, zero, 0   (BNE's rs1/rs2 sit in the rd/rs1 columns)
const OP = { LBU: 0, XOR: 1, ANDI: 2, SUB: 3, AND: 4, SRLI: 5, ADDI: 6, BNE: 7 } as const;
const prog = [
  [OP.LBU, 13, 11, 0], [OP.XOR, 10, 10, 13], [OP.ANDI, 6, 10, 1], [OP.SUB, 6, 0, 6],
  [OP.AND, 6, 6, 12], [OP.SRLI, 10, 10, 1], [OP.XOR, 10, 10, 6], [OP.ADDI, 11, 11, 1],
  [OP.ANDI, 11, 11, 1023], [OP.ADDI, 5, 5, -1], [OP.BNE, 5, 0, -40],
];
const ops = Int32Array.from(prog.map((p) => p[0]!));
const rd = Int32Array.from(prog.map((p) => p[1]!));
const rs1 = Int32Array.from(prog.map((p) => p[2]!));
const rs2 = Int32Array.from(prog.map((p) => p[3]!));
const immN = Int32Array.from(prog.map((p) => p[3]!));
const immB = BigInt64Array.from(prog.map((p) => BigInt(p[3]!)));
const ram = new Uint8Array(1024).map((_, i) => (i * 37) & 0xff);
const iters = Math.floor(N / prog.length);

function runA(): bigint {
  const x = new BigInt64Array(32);
  x[5] = BigInt(iters); x[10] = -1n; x[11] = 0n; x[12] = 0xedb88320n;
  let pc = 0, n = 0;
  for (;;) {
    const i = pc >> 2;
    n++;
    switch (ops[i]) {
      case OP.LBU: x[rd[i]!] = BigInt(ram[Number(BigInt.asUintN(64, x[rs1[i]!]! + immB[i]!))]!); pc += 4; break;
      case OP.XOR: x[rd[i]!] = x[rs1[i]!]! ^ x[rs2[i]!]!; pc += 4; break;
      case OP.ANDI: x[rd[i]!] = x[rs1[i]!]! & immB[i]!; pc += 4; break;
      case OP.SUB: x[rd[i]!] = BigInt.asIntN(64, x[rs1[i]!]! - x[rs2[i]!]!); pc += 4; break;
      case OP.AND: x[rd[i]!] = x[rs1[i]!]! & x[rs2[i]!]!; pc += 4; break;
      case OP.SRLI: x[rd[i]!] = BigInt.asIntN(64, BigInt.asUintN(64, x[rs1[i]!]!) >> immB[i]!); pc += 4; break;
      case OP.ADDI: x[rd[i]!] = BigInt.asIntN(64, x[rs1[i]!]! + immB[i]!); pc += 4; break;
      case OP.BNE: if (x[rd[i]!] !== x[rs1[i]!]) pc += immN[i]!; else return x[10]! + BigInt(n - n); break;
    }
    x[0] = 0n;
  }
}

function runB(): bigint {
  const hi = new Int32Array(32), lo = new Int32Array(32);
  lo[5] = iters; hi[10] = -1; lo[10] = -1; lo[12] = 0xedb88320 | 0;
  let pc = 0;
  for (;;) {
    const i = pc >> 2;
    const d = rd[i]!, a = rs1[i]!, b = rs2[i]!, im = immN[i]!;
    switch (ops[i]) {
      case OP.LBU: { const addr = (lo[a]! + im) >>> 0; lo[d] = ram[addr]!; hi[d] = 0; pc += 4; break; }
      case OP.XOR: lo[d] = lo[a]! ^ lo[b]!; hi[d] = hi[a]! ^ hi[b]!; pc += 4; break;
      case OP.ANDI: lo[d] = lo[a]! & im; hi[d] = hi[a]! & (im >> 31); pc += 4; break;
      case OP.SUB: { const l = (lo[a]! >>> 0) - (lo[b]! >>> 0); lo[d] = l | 0; hi[d] = (hi[a]! - hi[b]! - (l < 0 ? 1 : 0)) | 0; pc += 4; break; }
      case OP.AND: lo[d] = lo[a]! & lo[b]!; hi[d] = hi[a]! & hi[b]!; pc += 4; break;
      case OP.SRLI: { const s = im; const h = hi[a]!; lo[d] = (lo[a]! >>> s) | (h << (32 - s)); hi[d] = h >>> s; pc += 4; break; }
      case OP.ADDI: { const l = (lo[a]! >>> 0) + (im >>> 0); lo[d] = l | 0; hi[d] = (hi[a]! + (im >> 31) + (l > 0xffffffff ? 1 : 0)) | 0; pc += 4; break; }
      case OP.BNE: if (lo[d] !== lo[a] || hi[d] !== hi[a]) pc += im; else return (BigInt(hi[10]!) << 32n) | BigInt(lo[10]! >>> 0); break;
    }
    lo[0] = 0; hi[0] = 0;
  }
}

function runC(): bigint {
  const x = new BigInt64Array(32);
  x[5] = BigInt(iters); x[10] = -1n; x[11] = 0n; x[12] = 0xedb88320n;
  // What a block translator would emit for the loop body.
  const body = new Function('x', 'ram', `
    for (;;) {
      x[13] = BigInt(ram[Number(BigInt.asUintN(64, x[11] + 0n))]);
      x[10] = x[10] ^ x[13];
      x[6] = x[10] & 1n;
      x[6] = BigInt.asIntN(64, 0n - x[6]);
      x[6] = x[6] & x[12];
      x[10] = BigInt.asIntN(64, BigInt.asUintN(64, x[10]) >> 1n);
      x[10] = x[10] ^ x[6];
      x[11] = BigInt.asIntN(64, x[11] + 1n);
      x[11] = x[11] & 1023n;
      x[5] = BigInt.asIntN(64, x[5] - 1n);
      if (x[5] === 0n) return x[10];
    }`) as (x: BigInt64Array, ram: Uint8Array) => bigint;
  return body(x, ram);
}

for (const [name, f] of [['A bigint switch', runA], ['B hi/lo switch', runB], ['C bigint block fn', runC]] as const) {
  f();
  const t = process.hrtime.bigint();
  const r = f();
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  console.log(`${name.padEnd(20)} ${(iters * prog.length / s / 1e6).toFixed(0).padStart(5)} M insn/s  crc=${BigInt.asUintN(64, r).toString(16)}`);
}
