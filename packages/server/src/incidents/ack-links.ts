/**
 * Acknowledgement links: `<external URL>/api/wk/ack/<token>`, where the token is
 * `<incident id>.<expiry, Unix seconds>.<HMAC-SHA256, base64url>`. The key is 32 random bytes
 * generated once and kept in a file (mode 0600) under the storage path, so links survive
 * restarts; deleting the file invalidates every link sent so far.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ACK_LINK_KEY_FILE = 'ack-link.key';

export type AckTokenCheck =
  | { ok: true; incidentId: number; expiresAtMs: number }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

const TOKEN_RE = /^([1-9][0-9]{0,15})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$/;

export class AckLinks {
  /**
   * @param key the HMAC key
   * @param baseUrl where people reach Watchkeeper (read at each link: the port may be known only after listening)
   * @param ttlMs how long a link works
   */
  constructor(
    private readonly key: Buffer,
    private readonly baseUrl: () => string,
    private readonly ttlMs: number,
  ) {}

  /** Reads the key from `dir`, or creates it there (written to a temporary file, fsynced, renamed). */
  static loadOrCreateKey(dir: string): Buffer {
    const file = join(dir, ACK_LINK_KEY_FILE);
    try {
      const text = readFileSync(file, 'utf8').trim();
      if (/^[0-9a-f]{64}$/.test(text)) return Buffer.from(text, 'hex');
      throw new Error(`${file} does not hold a 64-digit hex key; delete it to generate a new one`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    mkdirSync(dir, { recursive: true });
    const key = randomBytes(32);
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, `${key.toString('hex')}\n`, { mode: 0o600 });
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    return key;
  }

  /** A link for a notification sent at `nowMs`. */
  url(incidentId: number, nowMs: number): string {
    const base = this.baseUrl().replace(/\/+$/, '');
    return `${base}/api/wk/ack/${this.token(incidentId, nowMs + this.ttlMs)}`;
  }

  token(incidentId: number, expiresAtMs: number): string {
    const expSec = Math.floor(expiresAtMs / 1000);
    return `${incidentId}.${expSec}.${this.sign(incidentId, expSec).toString('base64url')}`;
  }

  verify(token: string, nowMs: number): AckTokenCheck {
    const m = TOKEN_RE.exec(token);
    if (!m) return { ok: false, reason: 'malformed' };
    const incidentId = Number(m[1]);
    const expSec = Number(m[2]);
    const given = Buffer.from(m[3]!, 'base64url');
    const expected = this.sign(incidentId, expSec);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, reason: 'bad_signature' };
    if (nowMs >= expSec * 1000) return { ok: false, reason: 'expired' };
    return { ok: true, incidentId, expiresAtMs: expSec * 1000 };
  }

  private sign(incidentId: number, expSec: number): Buffer {
    return createHmac('sha256', this.key).update(`watchkeeper-ack/v1/${incidentId}/${expSec}`).digest();
  }
}
