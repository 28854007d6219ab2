/**
 * The gdb stub survives malformed input: thousands of random and mutated packets (bad checksums,
 * overlong packets, unknown packets, bad arguments, binary junk) get well-formed replies or a
 * resend request, never a crash, and the stub goes on serving; a dropped connection leaves it
 * ready for the next gdb.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Debugger } from '../../emulator/debugger/debugger.js';
import { Prng } from '../../emulator/scheduler.js';
import { buildGuest } from '../../guest/image.js';
import { raceMachine } from '../../tools/race/schedule.js';
import { GdbSession, PACKET_SIZE } from '../../tools/debug/gdb-session.js';
import { serveGdb } from '../../tools/debug/gdb-server.js';
import { readElf } from '../../assembler/elf/reader.js';

const elf = buildGuest({ scenario: 'R1', version: 'v2', harts: 4, ipi: 'clint', iterations: 1 });
const open = () => new Debugger((onEvent) => raceMachine(elf, 4, 'tso', 1, 'views', { putchar: () => {}, guestEvent: onEvent }));

const sum = (s: string) => [...s].reduce((a, c) => (a + c.charCodeAt(0)) & 0xff, 0).toString(16).padStart(2, '0');
const packet = (s: string) => `$${s}#${sum(s)}`;

/** Every reply the stub sends is an ack, a nak, or a packet with a right checksum. */
function wellFormed(out: string[]): void {
  for (const o of out) {
    if (o === '+' || o === '-') continue;
    const m = /^\$([^#]*)#([0-9a-f]{2})$/s.exec(o);
    expect(m, `malformed reply ${JSON.stringify(o.slice(0, 80))}`).not.toBeNull();
    expect(m![2]).toBe(sum(m![1]!));
  }
}

const VALID = [
  'qSupported:multiprocess+;swbreak+', '?', 'g', 'p20', 'p341', 'pfff', 'm80000000,10', 'm0,4', 'M80001000,4:01020304', 'X80001000,2:ab',
  'Hg1', 'Hc-1', 'Hg0', 'T2', 'qfThreadInfo', 'qsThreadInfo', 'qC', 'qAttached', 'qThreadExtraInfo,3', 'qXfer:features:read:target.xml:0,200',
  'Z0,80000780,2', 'z0,80000780,2', 'Z2,80000e00,8', 'z2,80000e00,8', 'Z3,80000e00,8', 's', 'vCont;s:2', 'vCont?', 'P5=0100000000000000', 'qRcmd,6869',
];

describe('the gdb stub under malformed input', () => {
  it('answers 5,000 random and mutated packets with well-formed replies and keeps serving', async () => {
    const out: string[] = [];
    let session = new GdbSession(open(), (d) => out.push(d));
    const rng = new Prng(2026);
    const randomText = (n: number) => Array.from({ length: n }, () => String.fromCharCode(rng.below(256))).join('');
    let ended = 0;
    for (let i = 0; i < 5000; i++) {
      const base = VALID[rng.below(VALID.length)]!;
      let input: string;
      switch (rng.below(7)) {
        case 0: input = randomText(1 + rng.below(64)); break; // junk
        case 1: input = `$${base}#${((parseInt(sum(base), 16) + 1) & 0xff).toString(16).padStart(2, '0')}`; break; // bad checksum
        case 2: input = packet('m' + 'f'.repeat(PACKET_SIZE + 10)); break; // overlong
        case 3: input = '$' + 'A'.repeat(PACKET_SIZE + 100); break; // overlong, never terminated
        case 4: { // a mutated valid packet, with a right checksum
          const chars = [...base];
          for (let k = 0; k < 1 + rng.below(3); k++) chars[rng.below(chars.length)] = String.fromCharCode(32 + rng.below(95));
          input = packet(chars.join('').replace(/[#$]/g, 'x'));
          break;
        }
        case 5: input = packet(randomText(rng.below(20)).replace(/[#$]/g, 'y')); break; // unknown
        default: input = packet(base); // valid
      }
      // Split the bytes at a random point, as TCP may.
      const cut = rng.below(input.length + 1);
      await session.receive(input.slice(0, cut));
      await session.receive(input.slice(cut));
      if (session.ended) {
        ended++;
        session = new GdbSession(session['dbg' as never], (d) => out.push(d));
      }
    }
    wellFormed(out);
    // Still serving: a clean packet after all that gets its answer.
    out.length = 0;
    await session.receive('\x03junk}}*#' + packet('?'));
    await session.receive(packet('qC'));
    wellFormed(out);
    expect(out.filter((o) => o.startsWith('$'))).toEqual([expect.stringMatching(/^\$T[0-9a-f]{2}thread:[1-4];#/), expect.stringMatching(/^\$QC[1-4]#/)]);
    expect(session.refused).toBeGreaterThan(0);
    console.log(`gdb fuzz: 5,000 inputs, ${ended} sessions ended by a mutated D or k`);
  });

  it('read and access watchpoints (Z3, Z4) stop with rwatch and awatch', async () => {
    for (const [z, reason] of [['Z3', 'rwatch'], ['Z4', 'awatch']] as const) {
      const out: string[] = [];
      const session = new GdbSession(open(), (d) => out.push(d));
      const head = Number(readElf(elf).symbols.find((x) => x.name === 'call_function')!.value).toString(16);
      await session.receive(packet(`${z},${head},8`));
      await session.receive(packet('vCont;c'));
      const replies = out.filter((o) => o.startsWith('$'));
      expect(replies[0]).toMatch(/^\$OK#/);
      expect(replies[1]).toMatch(new RegExp(`^\\$T05${reason}:${head};thread:[1-4];#`));
    }
  });

  it('a dropped connection leaves the stub ready for the next gdb', async () => {
    let port = 0;
    let ready!: () => void;
    const listening = new Promise<void>((r) => (ready = r));
    const served = serveGdb(open(), { port: 0, host: '127.0.0.1', listening: (_h, p) => ((port = p), ready()) });
    await listening;
    const talk = (send: string, close: 'drop' | 'wait') =>
      new Promise<string>((resolve) => {
        const s = connect(port, '127.0.0.1');
        let got = '';
        s.setEncoding('latin1');
        s.on('data', (d: string) => {
          got += d;
          if (close === 'wait' && /\$[^#]*#[0-9a-f]{2}/.test(got)) {
            s.end();
            resolve(got);
          }
        });
        s.on('connect', () => {
          s.write(send);
          if (close === 'drop') {
            s.destroy();
            resolve('');
          }
        });
        s.on('error', () => resolve(got));
        s.on('close', () => resolve(got));
      });
    await talk('$m8000', 'drop'); // half a packet, then gone
    await talk(randomBytes(), 'drop');
    const reply = await talk(packet('?'), 'wait');
    expect(reply).toMatch(/^\+\$T05thread:[1-4];#[0-9a-f]{2}/);
    await talk(packet('D'), 'wait');
    expect(await served).toBe('detach');
  });
});

function randomBytes(): string {
  return Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff)).toString('latin1');
}
