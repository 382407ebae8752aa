/**
 * A local HTTP receiver for notifier tests: listens on 127.0.0.1 (a free port), records every
 * request, and answers as its `mode` says (success, 5xx, 4xx, 429, or never).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';

export type HttpCaptureMode = 'ok' | 'transient' | 'permanent' | 'rate-limited' | 'hang';

export interface CapturedRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpCaptureOptions {
  /** The success answer (Slack: 200 `ok`; PagerDuty: 202 with JSON). @default 200, "ok" */
  readonly okStatus?: number;
  readonly okBody?: string;
}

export class HttpCaptureServer {
  mode: HttpCaptureMode = 'ok';
  readonly requests: CapturedRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private listeningPort = 0;

  private constructor(options: HttpCaptureOptions) {
    const okStatus = options.okStatus ?? 200;
    const okBody = options.okBody ?? 'ok';
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        switch (this.mode) {
          case 'ok':
            res.writeHead(okStatus, { 'Content-Type': okBody.startsWith('{') ? 'application/json' : 'text/plain' });
            res.end(okBody);
            return;
          case 'transient':
            res.writeHead(503, { 'Content-Type': 'text/plain' });
            res.end('service unavailable');
            return;
          case 'permanent':
            res.writeHead(400, { 'Content-Type': 'application/json' });
            res.end('{"status":"invalid event","message":"Event object is invalid","errors":["bad request"]}');
            return;
          case 'rate-limited':
            res.writeHead(429, { 'Content-Type': 'text/plain' });
            res.end('rate_limited');
            return;
          case 'hang':
            return;
        }
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: HttpCaptureOptions = {}): Promise<HttpCaptureServer> {
    const s = new HttpCaptureServer(options);
    s.listeningPort = await listenLocal(s.server);
    return s;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** A URL on this server. */
  url(path = '/'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function listenLocal(server: Server): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
}

/** A port on 127.0.0.1 where nothing listens (connections are refused). */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  const port = await listenLocal(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
