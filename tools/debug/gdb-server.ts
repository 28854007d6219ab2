/**
 * `rvsmp debug --gdb [port]`: the GDB remote protocol (gdb-session.ts) over TCP, on 127.0.0.1 unless
 * --gdb-host says otherwise. One gdb at a time (a new connection takes over); a dropped connection
 * leaves the target as it was for the next one. Detach (D) and kill (k) end the command.
 */
import { createServer, type Socket } from 'node:net';
import type { Debugger } from '../../emulator/debugger/debugger.js';
import { GdbSession } from './gdb-session.js';

export interface GdbServerOptions {
  readonly port: number;
  readonly host: string;
  /** Told where the server listens (the port may have been 0: any free one). */
  readonly listening: (host: string, port: number) => void;
}

/** Serve gdb until it detaches or kills; resolves with how it ended. */
export function serveGdb(dbg: Debugger, o: GdbServerOptions): Promise<'detach' | 'kill'> {
  return new Promise((resolve, reject) => {
    let active: Socket | undefined;
    const server = createServer((socket) => {
      // A new gdb takes over from one whose connection may be dead already.
      active?.destroy();
      active = socket;
      socket.setEncoding('latin1');
      socket.setNoDelay(true);
      // RVSMP_GDB_LOG=1: the traffic on stderr, for debugging the stub.
      const log = process.env.RVSMP_GDB_LOG ? (dir: string, s: string) => process.stderr.write(`${dir} ${s}\n`) : undefined;
      const session = new GdbSession(dbg, (data) => {
        log?.('<-', data);
        if (!socket.destroyed) socket.write(data, 'latin1');
      });
      socket.on('data', (chunk: string) => {
        log?.('->', chunk);
        session
          .receive(chunk)
          .then(() => {
            if (session.ended) {
              socket.end();
              server.close();
              resolve(session.ended);
            }
          })
          .catch((e: unknown) => {
            socket.destroy();
            server.close();
            reject(e);
          });
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        if (active === socket) active = undefined;
      });
    });
    server.on('error', reject);
    server.listen(o.port, o.host, () => {
      const a = server.address();
      o.listening(o.host, typeof a === 'object' && a ? a.port : o.port);
    });
  });
}
