// Where emulated tasks live. Everything is loopback: host ports on 127.0.0.1 from a range away
// from HAProxy's service ports (10000+) and below Linux's ephemeral range (32768+); IP-per-task
// containers get their own 127.1.x.y address (Linux answers on all of 127/8), Docker-bridge
// tasks a 127.2.x.y address where nothing listens (the LB must not use it, as in real life).

import net from 'node:net';

export const HOST_PORT_MIN = 31000;
export const HOST_PORT_MAX = 32767;

function probeFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host: ip, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export class HostPortAllocator {
  private cursor: number;
  private readonly held = new Set<number>();

  constructor(
    private readonly min = HOST_PORT_MIN,
    private readonly max = HOST_PORT_MAX,
  ) {
    // A random start keeps several emulators in parallel test workers apart.
    this.cursor = min + Math.floor(Math.random() * (max - min + 1));
  }

  /** A port that is free right now on 127.0.0.1 and not held by another of our tasks. */
  async allocate(): Promise<number> {
    const size = this.max - this.min + 1;
    for (let i = 0; i < size; i++) {
      const port = this.cursor;
      this.cursor = port >= this.max ? this.min : port + 1;
      if (this.held.has(port)) continue;
      if (await probeFree('127.0.0.1', port)) {
        this.held.add(port);
        return port;
      }
    }
    throw new Error(`no free host port in ${this.min}-${this.max}`);
  }

  release(port: number): void {
    this.held.delete(port);
  }
}

/** Hands out distinct loopback addresses inside 127.<octet>.0.0/16. */
export class LoopbackAddressPool {
  private n: number;

  constructor(private readonly secondOctet: number) {
    this.n = Math.floor(Math.random() * 60000);
  }

  next(): string {
    const n = this.n++ % 62500;
    return `127.${this.secondOctet}.${Math.floor(n / 250) + 1}.${(n % 250) + 1}`;
  }
}
