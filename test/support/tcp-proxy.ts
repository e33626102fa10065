import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/**
 * A TCP proxy that a test can cut: listens on `port` (0: any free one), forwards every connection
 * to `target`. cut() destroys every connection and refuses new ones (closed at once, as a host
 * whose service is down); restore() forwards again. Only the process pointed at the proxy sees
 * the outage: the component itself and everyone else's connections keep running.
 */
export class TcpProxy {
  private readonly target: { host: string; port: number };
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private down = false;
  port = 0;

  constructor(target: string) {
    const [host, port] = target.split(':');
    this.target = { host: host || '127.0.0.1', port: Number(port) };
    this.server = createServer((client) => this.accept(client));
  }

  /** Forwards to host:port of a mysql:// or http:// URL and returns the URL through the proxy. */
  static forUrl(url: string): { proxy: TcpProxy; url: (port: number) => string } {
    const u = new URL(url);
    const proxy = new TcpProxy(`${u.hostname}:${u.port}`);
    return {
      proxy,
      url: (port: number) => {
        const p = new URL(url);
        p.port = String(port);
        return p.toString();
      },
    };
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const a = this.server.address();
    this.port = typeof a === 'object' && a ? a.port : port;
    return this.port;
  }

  private accept(client: Socket): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(this.target.port, this.target.host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
