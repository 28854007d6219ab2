/**
 * The GDB remote serial protocol over the debugger model (../shared/notes/platform.md section 6):
 * bytes in, bytes out, no sockets (gdb-server.ts carries it over TCP), so that tests can feed it
 * anything. Harts are threads (thread id = hart + 1); all-stop: when one hart stops, all have.
 *
 * Framing: `$data#cs`, acked with + or - (until QStartNoAckMode); a bad checksum gets -, a packet
 * longer than PACKET_SIZE is dropped with -, garbage between packets is skipped, 0x03 interrupts a
 * continue. Unknown packets get the empty reply.
 */
import type { Debugger, Stop } from '../../emulator/debugger/debugger.js';
import { CSRS } from '../../assembler/isa/csrs.js';
import { ABI_NAMES } from '../../assembler/isa/registers.js';

/** Largest packet we accept (and advertise). */
export const PACKET_SIZE = 0x4000;
/** gdb's RISC-V numbering: x0..x31, pc = 32, CSR n = 65 + n. */
const PC = 32, FIRST_CSR = 65;
/** Steps a continue runs before it looks for an interrupt (0x03) from gdb. */
const SLICE = 20_000;

const hexByte = (b: number) => b.toString(16).padStart(2, '0');
/** A 64-bit value as 8 little-endian bytes in hex (target byte order). */
function le64(v: bigint): string {
  let u = BigInt.asUintN(64, v);
  let out = '';
  for (let i = 0; i < 8; i++, u >>= 8n) out += hexByte(Number(u & 0xffn));
  return out;
}
function parseLe(hex: string): bigint {
  let v = 0n;
  for (let i = hex.length - 2; i >= 0; i -= 2) v = (v << 8n) | BigInt(parseInt(hex.slice(i, i + 2), 16));
  return v;
}
function checksum(data: string): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s = (s + data.charCodeAt(i)) & 0xff;
  return s;
}
function escapeBinary(s: string): string {
  return s.replace(/[#$}*]/g, (c) => '}' + String.fromCharCode(c.charCodeAt(0) ^ 0x20));
}

/** Our target description: the cpu feature (regnums 0..32) and the implemented CSRs at 65 + number. */
export function targetXml(csr: (num: number) => bigint | undefined): string {
  const gpr = ABI_NAMES.map((n, i) => `    <reg name="${i === 8 ? 'fp' : n}" bitsize="64" type="${i === 1 ? 'code_ptr' : i === 2 ? 'data_ptr' : 'int'}" regnum="${i}"/>`);
  const csrs = CSRS.filter((c) => csr(c.num) !== undefined).map((c) => `    <reg name="${c.name}" bitsize="64" type="int" regnum="${FIRST_CSR + c.num}" group="csr"/>`);
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    '  <architecture>riscv:rv64</architecture>',
    '  <feature name="org.gnu.gdb.riscv.cpu">',
    ...gpr,
    '    <reg name="pc" bitsize="64" type="code_ptr" regnum="32"/>',
    '  </feature>',
    '  <feature name="org.gnu.gdb.riscv.csr">',
    ...csrs,
    '  </feature>',
    '</target>',
  ].join('\n');
}

export class GdbSession {
  private input = '';
  private noAck = false;
  /** Hg and Hc: the hart for register/memory packets, and for step/continue (-1: any). */
  private gHart = 0;
  private cHart = -1;
  /** The hart of the last stop (the default current thread). */
  private stopHart = 0;
  private busy = false;
  private xml: string | undefined;
  /** Packets refused for framing (bad checksum, overlong). */
  refused = 0;
  /** Set by D and k: the session is over. */
  ended: 'detach' | 'kill' | undefined;

  constructor(
    private readonly dbg: Debugger,
    private readonly send: (data: string) => void,
  ) {}

  private get harts(): number {
    return this.dbg.machine.harts.length;
  }

  /** Bytes from gdb. Continues run in slices; the returned promise settles when all input is handled. */
  async receive(chunk: string): Promise<void> {
    this.input += chunk;
    if (this.busy) {
      // The active loop handles it; a running continue looks for 0x03 and kills between slices.
      return;
    }
    this.busy = true;
    try {
      await this.drainInput();
    } finally {
      this.busy = false;
    }
  }

  private async drainInput(): Promise<void> {
    for (;;) {
      // Skip acks and garbage up to the next packet start; a lone 0x03 when stopped does nothing.
      const start = this.input.indexOf('$');
      if (start < 0) {
        this.input = this.input.length > PACKET_SIZE ? '' : this.input.replace(/[^$]*/, '');
        return;
      }
      this.input = this.input.slice(start);
      const end = this.input.indexOf('#');
      if (end < 0) {
        if (this.input.length > PACKET_SIZE + 4) {
          // Overlong: drop it, ask for a resend.
          this.input = '';
          this.refused++;
          if (!this.noAck) this.send('-');
        }
        return;
      }
      if (this.input.length < end + 3) return; // the checksum has not arrived yet
      const data = this.input.slice(1, end);
      const sum = this.input.slice(end + 1, end + 3);
      this.input = this.input.slice(end + 3);
      if (data.length > PACKET_SIZE || !/^[0-9a-fA-F]{2}$/.test(sum) || parseInt(sum, 16) !== checksum(data)) {
        this.refused++;
        if (!this.noAck) this.send('-');
        continue;
      }
      if (!this.noAck) this.send('+');
      const reply = await this.handle(data);
      if (reply !== undefined) this.reply(reply);
      if (this.ended) return;
    }
  }

  private reply(data: string): void {
    this.send(`$${data}#${hexByte(checksum(data))}`);
  }

  /** One packet's reply (undefined: none, for k). */
  private async handle(p: string): Promise<string | undefined> {
    try {
      return await this.packet(p);
    } catch (e) {
      if (e instanceof BadPacket) return 'E01';
      throw e;
    }
  }

  private async packet(p: string): Promise<string | undefined> {
    const d = this.dbg;
    const m = d.machine;
    switch (p[0]) {
      case '?':
        return this.stopReply({ kind: 'done' });
      case 'g': {
        const h = m.harts[this.gHart]!;
        let out = '';
        for (let r = 0; r < 32; r++) out += le64(h.x[r]!);
        return out + le64(BigInt(h.pc));
      }
      case 'G': {
        const hex = p.slice(1);
        if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length < 33 * 16) throw new BadPacket();
        for (let r = 1; r <= 32; r++) d.writeRegister(this.gHart, r, parseLe(hex.slice(r * 16, r * 16 + 16)));
        return 'OK';
      }
      case 'p': {
        const n = this.hexNumber(p.slice(1));
        const v = this.register(n);
        return v === undefined ? 'E45' : le64(v);
      }
      case 'P': {
        const [n, v] = p.slice(1).split('=');
        const reg = this.hexNumber(n ?? '');
        if (!v || !/^[0-9a-fA-F]{1,16}$/.test(v) || v.length % 2) throw new BadPacket();
        if (reg > PC) return 'E45'; // CSRs are read-only from gdb so far
        d.writeRegister(this.gHart, reg, parseLe(v));
        return 'OK';
      }
      case 'm': {
        const [addr, len] = this.addrLen(p.slice(1));
        let out = '';
        for (let i = 0; i < len; i++) {
          const b = d.peek(addr + i, 1);
          if (b === undefined) return out === '' ? 'E14' : out;
          out += hexByte(Number(b));
        }
        return out;
      }
      case 'M':
      case 'X': {
        const colon = p.indexOf(':');
        if (colon < 0) throw new BadPacket();
        const [addr, len] = this.addrLen(p.slice(1, colon));
        const body = p.slice(colon + 1);
        let bytes: number[];
        if (p[0] === 'M') {
          if (!/^[0-9a-fA-F]*$/.test(body) || body.length !== 2 * len) throw new BadPacket();
          bytes = Array.from({ length: len }, (_, i) => parseInt(body.slice(2 * i, 2 * i + 2), 16));
        } else {
          bytes = [];
          for (let i = 0; i < body.length; i++) bytes.push(body[i] === '}' ? body.charCodeAt(++i) ^ 0x20 : body.charCodeAt(i));
          if (bytes.length !== len) throw new BadPacket();
        }
        if (len === 0) return 'OK';
        return d.writeMemory(addr, bytes) ? 'OK' : 'E14';
      }
      case 'c':
        return this.resume(undefined);
      case 's':
        return this.resume(this.cHart < 0 ? this.stopHart : this.cHart);
      case 'H': {
        const which = p[1];
        const t = this.threadId(p.slice(2));
        if (which === 'g') this.gHart = t < 0 ? this.stopHart : t;
        else if (which === 'c') this.cHart = t;
        else throw new BadPacket();
        return 'OK';
      }
      case 'T': {
        const t = this.threadId(p.slice(1));
        return t >= 0 ? 'OK' : 'E01';
      }
      case 'Z':
      case 'z':
        return this.breakpoint(p[0] === 'Z', p.slice(1));
      case 'D':
        this.ended = 'detach';
        return 'OK';
      case 'k':
        this.ended = 'kill';
        return undefined;
      case 'v':
        return this.vPacket(p);
      case 'q':
      case 'Q':
        return this.query(p);
    }
    return '';
  }

  private query(p: string): string {
    const d = this.dbg;
    if (p.startsWith('qSupported')) return `PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;swbreak+;vContSupported+;QStartNoAckMode+`;
    if (p === 'QStartNoAckMode') {
      this.noAck = true;
      return 'OK';
    }
    if (p === 'qfThreadInfo') return 'm' + Array.from({ length: this.harts }, (_, i) => (i + 1).toString(16)).join(',');
    if (p === 'qsThreadInfo') return 'l';
    if (p === 'qC') return `QC${(this.stopHart + 1).toString(16)}`;
    if (p === 'qAttached') return '1';
    if (p.startsWith('qThreadExtraInfo,')) {
      const t = this.threadId(p.slice('qThreadExtraInfo,'.length));
      if (t < 0) throw new BadPacket();
      const h = d.machine.harts[t]!;
      return Buffer.from(`hart ${t} [${d.stateOf(h)}]`).toString('hex');
    }
    if (p.startsWith('qXfer:features:read:')) {
      const m = /^qXfer:features:read:([^:]+):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
      if (!m) throw new BadPacket();
      if (m[1] !== 'target.xml') return 'E00';
      this.xml ??= targetXml((num) => d.csr(0, num));
      const off = parseInt(m[2]!, 16), len = parseInt(m[3]!, 16);
      const chunk = this.xml.slice(off, off + len);
      return (off + len >= this.xml.length ? 'l' : 'm') + escapeBinary(chunk);
    }
    return '';
  }

  private async vPacket(p: string): Promise<string> {
    if (p === 'vCont?') return 'vCont;c;C;s;S';
    if (!p.startsWith('vCont;')) return '';
    // All-stop: a thread with no action (and no default action) stays stopped. A step wins.
    let step: number | undefined;
    let all = false;
    const only: number[] = [];
    for (const a of p.slice(6).split(';')) {
      const [what, tid] = a.split(':');
      const t = tid === undefined ? undefined : this.threadId(tid);
      if (what === 's' || /^S[0-9a-fA-F]{2}$/.test(what ?? '')) {
        if (step === undefined) step = t === undefined || t < 0 ? this.stopHart : t;
      } else if (what === 'c' || /^C[0-9a-fA-F]{2}$/.test(what ?? '')) {
        if (t === undefined || t < 0) all = true;
        else only.push(t);
      } else throw new BadPacket();
    }
    if (step !== undefined) return this.resume(step);
    if (all) return this.resume(undefined);
    if (only.length) return this.resume(undefined, only);
    throw new BadPacket();
  }

  /**
   * Step one hart; or continue - every hart along the schedule, or only the given ones (in turn)
   * while the others stay - in slices, so that 0x03 can interrupt.
   */
  private async resume(hart: number | undefined, only?: number[]): Promise<string> {
    if (hart !== undefined) return this.stopReply(this.dbg.stepi(hart, 1), hart);
    for (;;) {
      let s: Stop = { kind: 'done' };
      if (!only) s = this.dbg.step(SLICE);
      else {
        for (let i = 0; i < SLICE && s.kind === 'done'; i++) s = this.dbg.stepi(only[i % only.length]!, 1);
        if (s.kind === 'cannot') return this.stopReply(s);
      }
      if (s.kind !== 'done') return this.stopReply(s);
      await new Promise((r) => setImmediate(r));
      // Input that came after the continue: its first 0x03 interrupts (and is used up); a kill
      // (k or vKill) stops the run too and is then handled as the next packet.
      const brk = this.input.indexOf('\x03');
      if (brk >= 0) {
        this.input = this.input.slice(0, brk) + this.input.slice(brk + 1);
        return this.stopReply({ kind: 'done' }, undefined, 2);
      }
      if (/\$(k|vKill[^#]*)#/.test(this.input)) return this.stopReply({ kind: 'done' }, undefined, 2);
    }
  }

  private stopReply(s: Stop, hart?: number, signal = 5): string {
    switch (s.kind) {
      case 'exit':
        return `W${hexByte(s.code & 0xff)}`;
      case 'breakpoint':
        this.stopHart = s.hart;
        this.gHart = s.hart;
        return `T05swbreak:;thread:${(s.hart + 1).toString(16)};`;
      case 'watchpoint': {
        this.stopHart = s.hart;
        this.gHart = s.hart;
        const kind = s.access === 'read' ? (this.dbg.breakpoints().find((b) => b.id === s.id)?.access === 'rw' ? 'awatch' : 'rwatch') : 'watch';
        return `T05${kind}:${s.addr.toString(16)};thread:${(s.hart + 1).toString(16)};`;
      }
      case 'event':
        this.stopHart = s.event.hart;
        break;
      case 'cannot':
        return 'E01';
      default:
        if (hart !== undefined) this.stopHart = hart;
    }
    this.gHart = this.stopHart;
    return `T${hexByte(signal)}thread:${(this.stopHart + 1).toString(16)};`;
  }

  private breakpoint(insert: boolean, args: string): string {
    const m = /^([0-4]),([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(args);
    if (!m) throw new BadPacket();
    const type = Number(m[1]), addr = parseInt(m[2]!, 16), kind = parseInt(m[3]!, 16);
    const d = this.dbg;
    const access = (['w', 'w', 'w', 'r', 'rw'] as const)[type]!;
    const existing = d.breakpoints().find((b) => b.addr === addr && (type <= 1 ? b.kind === 'break' : b.kind === 'watch' && b.access === access));
    if (!insert) {
      if (existing) d.delete(existing.id);
      return 'OK';
    }
    if (existing) return 'OK';
    if (type <= 1) d.addBreakpoint(addr);
    else {
      if (![1, 2, 4, 8].includes(kind)) return 'E22';
      d.addWatchpoint(addr, kind, access);
    }
    return 'OK';
  }

  /** A register by gdb number: x0..x31, pc, CSR 65+n; undefined if there is none. */
  private register(n: number): bigint | undefined {
    const h = this.dbg.machine.harts[this.gHart]!;
    if (n < 32) return h.x[n]!;
    if (n === PC) return BigInt(h.pc);
    if (n >= FIRST_CSR && n < FIRST_CSR + 4096) return this.dbg.csr(this.gHart, n - FIRST_CSR);
    return undefined;
  }

  private hexNumber(s: string): number {
    if (!/^[0-9a-fA-F]{1,16}$/.test(s)) throw new BadPacket();
    return parseInt(s, 16);
  }

  private addrLen(s: string): [number, number] {
    const m = /^([0-9a-fA-F]{1,16}),([0-9a-fA-F]{1,8})$/.exec(s);
    if (!m) throw new BadPacket();
    const len = parseInt(m[2]!, 16);
    if (len > PACKET_SIZE / 2) throw new BadPacket();
    return [Number(BigInt('0x' + m[1]!)), len];
  }

  /** A thread id: hart + 1; -1 for "all" (-1) or "any" (0). */
  private threadId(s: string): number {
    if (s === '-1' || s === '0') return -1;
    if (!/^[0-9a-fA-F]{1,8}$/.test(s)) throw new BadPacket();
    const t = parseInt(s, 16) - 1;
    if (t < 0 || t >= this.harts) throw new BadPacket();
    return t;
  }
}

class BadPacket extends Error {}
