/**
 * Calls between the portal's services, over HTTP with the SDK's `t.fetch` (trace context
 * propagated) and a short-lived service token. `call` is a request whose answer the caller needs;
 * `deliver` is a report that must arrive eventually (revenue, usage, activity): it is queued, sent
 * at once, and retried every few seconds while the peer is unreachable.
 */
import type { Telemetry } from '@watchkeeper/sdk';
import type { ServiceName } from '../../contract.js';
import { PortalError } from './errors.js';
import type { TokenCodec } from './tokens.js';

export interface PeerClientOptions {
  self: ServiceName;
  telemetry: Telemetry;
  tokens: TokenCodec;
  /** The base URL of a peer, or undefined while it has never listened. */
  peerUrl: (service: ServiceName) => string | undefined;
  /** Deliveries kept while peers are unreachable; the oldest are dropped beyond it. @default 10000 */
  maxQueued?: number;
}

interface Delivery {
  readonly service: ServiceName;
  readonly path: string;
  readonly body: unknown;
}

export class PeerClient {
  readonly #options: PeerClientOptions;
  readonly #queue: Delivery[] = [];
  #flushing: Promise<void> | undefined;

  constructor(options: PeerClientOptions) {
    this.#options = options;
  }

  /** Deliveries waiting for their peer. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * One request to a peer. A network failure or timeout is a `dependency_unavailable` error;
   * any HTTP answer (including 4xx/5xx) is returned for the caller to judge.
   */
  async call(
    service: ServiceName,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    timeoutMs = 3_000,
  ): Promise<Response> {
    const base = this.#options.peerUrl(service);
    if (base === undefined) throw new PortalError('dependency_unavailable', `${service} has no address yet`);
    try {
      return await this.#options.telemetry.fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#options.tokens.serviceToken(this.#options.self)}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const reason =
        err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'unreachable';
      throw new PortalError('dependency_unavailable', `${service} ${reason} (${method} ${path})`, { cause: err });
    }
  }

  /** Queues a report for a peer and tries to send it now; never throws. */
  deliver(service: ServiceName, path: string, body: unknown): void {
    const max = this.#options.maxQueued ?? 10_000;
    if (this.#queue.length >= max) {
      this.#queue.shift();
      this.#options.telemetry.logger.warn({ service, path }, 'Peer delivery queue full: dropped the oldest report');
    }
    this.#queue.push({ service, path, body });
    void this.flush();
  }

  /** Sends the queued reports in order; those whose peer is unreachable stay queued. */
  flush(timeoutMs = 3_000): Promise<void> {
    this.#flushing ??= this.#flushQueue(timeoutMs).finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #flushQueue(timeoutMs: number): Promise<void> {
    const unreachable = new Set<ServiceName>();
    let index = 0;
    while (index < this.#queue.length) {
      const delivery = this.#queue[index]!;
      if (unreachable.has(delivery.service)) {
        index++;
        continue;
      }
      let outcome: 'sent' | 'retry' | 'drop';
      try {
        const res = await this.call(delivery.service, 'POST', delivery.path, delivery.body, timeoutMs);
        await res.arrayBuffer();
        outcome = res.ok ? 'sent' : res.status >= 500 || res.status === 429 ? 'retry' : 'drop';
        if (outcome === 'drop') {
          this.#options.telemetry.logger.error(
            { peer: delivery.service, path: delivery.path, status_code: res.status },
            'Peer rejected a report; dropped it',
          );
        }
      } catch {
        outcome = 'retry';
      }
      if (outcome === 'retry') {
        unreachable.add(delivery.service);
        index++;
      } else {
        this.#queue.splice(index, 1);
      }
    }
  }
}
