/** Bad input through the CLI: a clear message with its position, a non-zero exit status, no stack trace. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectNoStackTrace, rvsmp } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rvsmp-cli-'));
function asmFile(name: string, text: string) {
  const path = join(dir, name);
  writeFileSync(path, text);
  return rvsmp(['asm', path, '-o', join(dir, `${name}.elf`)], { cwd: dir });
}

describe('rvsmp asm reports bad input', () => {
  it.each([
    ['unknown mnemonic', '  nop\n  frobnicate a0, a1\n', /bad\.S:2:3: error: unknown instruction "frobnicate"/],
    ['wrong operand count', '  add a0, a1\n', /bad\.S:1:3: error: add: 2 operands given; expected add rd, rs1, rs2 or add rd, rs1, imm12/],
    ['immediate out of range', '  addi a0, a0, 5000\n', /bad\.S:1:3: error: addi: operand 3 \(signed 12-bit immediate\) must be -2048..2047, got 5000/],
    ['compressed operand out of range', '  c.addi a0, 40\n', /bad\.S:1:3: error: c\.addi: operand 2 .* must be -32..31, got 40/],
    ['branch out of range', '  beq a0, a1, far\n  .zero 8192\nfar:\n  nop\n', /bad\.S:1:3: error: beq: operand 3 \(branch target .*\) must be -4096..4094, got 8196/],
    ['undefined label', '  j nowhere\n', /bad\.S:1:3: error: j: undefined symbol "nowhere"/],
    ['duplicate label', 'x:\n  nop\nx:\n', /bad\.S:3:1: error: symbol "x" is already defined \(first defined at .*bad\.S:1:1\)/],
    ['bad directive', '  .frob 3\n', /bad\.S:1:3: error: unknown directive "\.frob"/],
    ['bad register', '  add a0, a1, q7\n', /bad\.S:1:3: error: expected a register, got "q7"/],
    ['unknown CSR', '  csrr a0, mfoo\n', /bad\.S:1:3: error: unknown CSR "mfoo"/],
    ['bad fence set', '  fence rx, w\n', /bad\.S:1:3: error: bad fence set "rx"/],
    ['unterminated string', '  .asciz "abc\n', /bad\.S:1:10: error: unterminated string/],
    ['bad expression', '  li a0, 3 +\n', /bad\.S:1:\d+: error: expected an expression/],
    ['value too wide for .byte', '  .byte 300\n', /bad\.S:1:3: error: value 300 does not fit in 1 byte/],
    ['li of a label', '  li a0, x\nx:\n', /bad\.S:1:3: error: li needs a constant value/],
    ['unbalanced .option pop', '  .option pop\n', /bad\.S:1:3: error: \.option pop without a matching \.option push/],
  ])('%s', (_what, source, message) => {
    const r = asmFile('bad.S', source);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expectNoStackTrace(r.stderr);
    expect(r.stdout).toBe('');
  });

  it('reports every error of a file, not just the first', () => {
    const r = asmFile('many.S', '  foo\n  addi a0, a0, 9999\n  .bar\n');
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(3);
    expect(r.stderr).toMatch(/many\.S:1:3/);
    expect(r.stderr).toMatch(/many\.S:2:3/);
    expect(r.stderr).toMatch(/many\.S:3:3/);
  });

  it('reports an unreadable file', () => {
    const r = rvsmp(['asm', join(dir, 'missing.S'), '-o', join(dir, 'x.elf')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/rvsmp: cannot read .*missing\.S: no such file/);
    expectNoStackTrace(r.stderr);
  });
});

describe('rvsmp flags', () => {
  it.each([
    [['asm', '--bogus'], /rvsmp: unknown or unexpected option: --bogus\nusage: rvsmp asm/],
    [['asm', 'x.S'], /rvsmp: missing -o <out\.elf>/],
    [['asm', 'x.S', '-o', 'y.elf', '--base', 'zz'], /--base needs an address/],
    [['frob'], /rvsmp: unknown command "frob"/],
    [['disasm'], /rvsmp: missing input file/],
    [['race', '--jobs', '0'], /rvsmp: --jobs needs at least 1/],
    [['litmus', 'x.litmus', '--jobs', '0'], /rvsmp: --jobs needs at least 1/],
    [['race', '--shard', '3'], /rvsmp: --shard: "3" is not K\/N with 1 <= K <= N/],
    [['race', '--merge', 'nothing-here.json'], /rvsmp: cannot read nothing-here\.json: no such file$/m],
    [['race', '--merge', '.'], /rvsmp: cannot read \.: it is a directory$/m],
    [['run', 'nothing-here.elf'], /rvsmp: cannot read nothing-here\.elf: no such file$/m],
    [['debug', '--scenario', 'R1', '--version', 'v1', '--model', 'sc', '--seed', '4', '--replay', 'nothing-here.rec'], /rvsmp: cannot read nothing-here\.rec: no such file$/m],
    [['debug', '--scenario', 'R1', '--version', 'v1', '--seed', '4'], /rvsmp: a race cell needs --model \(sc, tso, wmo\)$/m],
    [['debug', '--scenario', 'R1', '--model', 'sc', '--seed', '4'], /rvsmp: a race cell needs --version \(v1, v2, /m],
  ])('%j', (args, message) => {
    const r = rvsmp(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expectNoStackTrace(r.stderr);
  });

  it('prints help for the tool and for each command', () => {
    const r = rvsmp(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/usage: rvsmp <command>/);
    for (const c of ['asm', 'disasm', 'demo']) {
      const h = rvsmp([c, '--help']);
      expect(h.status).toBe(0);
      expect(h.stdout).toMatch(new RegExp(`usage: rvsmp ${c}`));
    }
  });
});

describe('rvsmp demo', () => {
  it('assembles, lists and runs the built-in example', () => {
    const r = rvsmp(['demo']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/<_start>:/);
    expect(r.stdout).toMatch(/fib\(1\.\.20\) on rvsmp: 1 1 2 3 5 8 .* 4181 6765/);
    expect(r.stdout).toMatch(/stopped: exit 0 through the test finisher/);
  });
});

describe('rvsmp disasm reports bad images', () => {
  it.each([
    ['not an ELF', Buffer.from('hello world, not an elf file'), /not an ELF file \(bad magic number\)/],
    ['32-bit', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, ...new Array(56).fill(0)]), /not a 64-bit ELF file/],
    ['truncated', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]), /truncated/],
    ['wrong machine', (() => { const b = Buffer.alloc(64); b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]); b.writeUInt16LE(62, 18); return b; })(), /wrong machine: e_machine is 62/],
  ])('%s', (_what, bytes, message) => {
    const path = join(dir, 'img.bin');
    writeFileSync(path, bytes);
    const r = rvsmp(['disasm', path]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expectNoStackTrace(r.stderr);
  });
});
