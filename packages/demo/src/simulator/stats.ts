/**
 * Counts of the simulator's requests by outcome — a status class or code, a timeout, an
 * unreachable service, a request dropped because too many were waiting — per simulated hour
 * (the one-line summaries on stdout) and in total.
 */
import type { HttpResult } from './http.js';

/** `ok` (2xx/3xx), a 4xx or 5xx status code as text (`'403'`), or why no response came. */
export type Outcome = string;

const ORDER = ['ok', 'timeout', 'unreachable', 'dropped', 'aborted', 'error'];

/** The outcome a result is counted under. */
export function outcomeOf(result: HttpResult): Outcome {
  if (result.kind !== 'response') return result.kind;
  return result.status < 400 ? 'ok' : String(result.status);
}

export class Stats {
  #hour = new Map<Outcome, number>();
  readonly #total = new Map<Outcome, number>();
  #hourBytes = 0;
  #totalBytes = 0;
  #errors = 0;

  record(result: HttpResult): void {
    const outcome = outcomeOf(result);
    this.#hour.set(outcome, (this.#hour.get(outcome) ?? 0) + 1);
    this.#total.set(outcome, (this.#total.get(outcome) ?? 0) + 1);
    if (result.kind === 'response') {
      this.#hourBytes += result.sizeBytes;
      this.#totalBytes += result.sizeBytes;
    }
  }

  /** An action failed in a way the simulator did not expect (a bug, not the portal's fault). */
  recordInternalError(): void {
    this.#errors++;
  }

  get internalErrors(): number {
    return this.#errors;
  }

  /** Counts since the start, by outcome. */
  totals(): Readonly<Record<Outcome, number>> {
    return Object.fromEntries(this.#total);
  }

  /** Requests in the hour in progress. */
  get hourRequests(): number {
    let n = 0;
    for (const count of this.#hour.values()) n += count;
    return n;
  }

  /** Requests since the start. */
  get totalRequests(): number {
    let n = 0;
    for (const count of this.#total.values()) n += count;
    return n;
  }

  /** The summary of the hour that started at `hourStartMs` (simulated), then a fresh hour. */
  takeHourLine(hourStartMs: number, activeFaults: readonly string[]): string {
    const line = formatLine(`sim ${formatSimTime(hourStartMs)}`, this.#hour, this.#hourBytes, activeFaults);
    this.#hour = new Map();
    this.#hourBytes = 0;
    return line;
  }

  /** The summary since the start. */
  totalLine(label: string): string {
    const line = formatLine(label, this.#total, this.#totalBytes, []);
    return this.#errors > 0 ? `${line} | ${this.#errors} internal errors` : line;
  }
}

function formatLine(
  label: string,
  counts: ReadonlyMap<Outcome, number>,
  bytes: number,
  faults: readonly string[],
): string {
  let total = 0;
  for (const n of counts.values()) total += n;
  const keys = [...counts.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const parts = keys.map((k) => `${k} ${counts.get(k)}`);
  const tail = faults.length > 0 ? ` | faults: ${faults.join(', ')}` : '';
  return `[${label}] ${total} requests${parts.length > 0 ? `: ${parts.join(', ')}` : ''} | ${formatBytes(bytes)} received${tail}`;
}

function rank(outcome: Outcome): number {
  const i = ORDER.indexOf(outcome);
  if (i === 0) return 0;
  if (/^\d+$/.test(outcome)) return 1;
  return i < 0 ? 99 : 1 + i;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `Mon 2025-06-02 14:00Z` */
export function formatSimTime(ms: number): string {
  const d = new Date(ms);
  return `${WEEKDAYS[d.getUTCDay()]} ${d.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}
