/**
 * Password hashing with scrypt (node:crypto, run on libuv's thread pool so the event loop keeps
 * serving). N = 2^12 keeps a login near 10 ms on this demo's small machines; production would
 * raise it.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const KEY_BYTES = 32;
const SCRYPT_OPTIONS = { N: 2 ** 12, r: 8, p: 1 } as const;

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_BYTES, SCRYPT_OPTIONS, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export interface PasswordHash {
  readonly salt: Buffer;
  readonly hash: Buffer;
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16);
  return { salt, hash: await derive(password, salt) };
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const candidate = await derive(password, stored.salt);
  return candidate.length === stored.hash.length && timingSafeEqual(candidate, stored.hash);
}

const DUMMY: PasswordHash = { salt: Buffer.alloc(16, 7), hash: Buffer.alloc(KEY_BYTES) };

/** Spends the time of a verification, for unknown users: a login's duration doesn't reveal whether the user exists. */
export async function spendVerificationTime(password: string): Promise<void> {
  await verifyPassword(password, DUMMY);
}
