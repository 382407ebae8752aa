/**
 * Session and service tokens: `v1.<payload>.<signature>`, the payload base64url JSON, the
 * signature HMAC-SHA256 over `v1.<payload>` with a secret every service of the portal shares — so
 * every service validates a token locally, without a call to auth.
 *
 * Consequence: a logout revokes the session in auth at once, but a copy of the token stays valid
 * elsewhere until it expires (short lifetimes bound that).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { PLATFORMS, ROLES, type ServiceName } from '../../contract.js';

export type Role = (typeof ROLES)[number];
export type Platform = (typeof PLATFORMS)[number];

/** A portal user's session. */
export interface UserClaims {
  readonly kind: 'user';
  /** `usr_…`, auth's pseudonymous user id (never a metric label). */
  readonly userId: string;
  readonly sessionId: string;
  readonly role: Role;
  readonly companyId: string;
  /** The company's display name (the `company` label of the plan's metrics). */
  readonly company: string;
  readonly platform: Platform;
  readonly expiresAtMs: number;
}

/** One service calling another. */
export interface ServiceClaims {
  readonly kind: 'service';
  readonly service: ServiceName;
  readonly expiresAtMs: number;
}

export type Claims = UserClaims | ServiceClaims;

export type TokenCheck =
  { ok: true; claims: Claims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

const VERSION = 'v1';

export class TokenCodec {
  readonly #secret: Buffer;
  readonly #now: () => number;

  constructor(secret: Buffer, now: () => number) {
    if (secret.length < 16) throw new Error('TokenCodec: the secret must have at least 16 bytes');
    this.#secret = secret;
    this.#now = now;
  }

  sign(claims: Claims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${VERSION}.${payload}.${this.#mac(payload)}`;
  }

  /** A short-lived token for a service-to-service call. */
  serviceToken(service: ServiceName, lifetimeMs = 60_000): string {
    return this.sign({ kind: 'service', service, expiresAtMs: this.#now() + lifetimeMs });
  }

  verify(token: string): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
    const [, payload = '', signature = ''] = parts;
    const expected = Buffer.from(this.#mac(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { ok: false, reason: 'bad_signature' };
    }
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (!isClaims(claims)) return { ok: false, reason: 'malformed' };
    if (claims.expiresAtMs <= this.#now()) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }

  #mac(payload: string): string {
    return createHmac('sha256', this.#secret).update(`${VERSION}.${payload}`).digest('base64url');
  }
}

function isClaims(value: unknown): value is Claims {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v['expiresAtMs'] !== 'number') return false;
  if (v['kind'] === 'service') return typeof v['service'] === 'string';
  return (
    v['kind'] === 'user' &&
    typeof v['userId'] === 'string' &&
    typeof v['sessionId'] === 'string' &&
    typeof v['companyId'] === 'string' &&
    typeof v['company'] === 'string' &&
    (ROLES as readonly unknown[]).includes(v['role']) &&
    (PLATFORMS as readonly unknown[]).includes(v['platform'])
  );
}
