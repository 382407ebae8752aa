/**
 * Passwords, session ids and API token secrets: generating them, hashing them for storage and
 * comparing them in constant time. Nothing here logs or keeps a secret.
 *
 * Passwords are hashed with scrypt (Node's crypto.scrypt, memory-hard: an attacker with a stolen
 * access.db pays memory per guess, which GPUs and ASICs have little of). The parameters are stored
 * with each hash, so that raising them later re-hashes nothing and old hashes still verify.
 * Session ids and API tokens are 256-bit random values: a single SHA-256 is enough to store them
 * (nobody can guess a preimage of 2^256), and a lookup by hash needs no scan.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelization. */
  p: number;
}

/**
 * OWASP's password storage cheat sheet lists N=2^15, r=8, p=3 among its equivalent minimums for
 * scrypt: 32 MiB per hash (128 × N × r), about 0.27 s on this project's machine. libuv's thread
 * pool (4 threads) bounds how many run at once, and the login rate limit how often.
 */
export const DEFAULT_SCRYPT: ScryptParams = Object.freeze({ N: 2 ** 15, r: 8, p: 3 });

const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Refuse parameters from a tampered database that would take gigabytes or minutes. */
const MAX_N = 2 ** 20;

function scryptAsync(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `$scrypt$N=32768,r=8,p=3$<salt, base64>$<hash, base64>`: the parameters travel with the hash. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, params);
  return `$scrypt$N=${params.N},r=${params.r},p=${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

const HASH_RE = /^\$scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const m = HASH_RE.exec(stored);
  if (!m) return undefined;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!(N >= 2 && N <= MAX_N && (N & (N - 1)) === 0 && r >= 1 && r <= 32 && p >= 1 && p <= 16)) return undefined;
  const key = Buffer.from(m[5]!, 'base64');
  if (key.length !== KEY_BYTES) return undefined;
  return { params: { N, r, p }, salt: Buffer.from(m[4]!, 'base64'), key };
}

/** Whether `password` matches `stored`; false for a malformed hash. Constant time in the comparison. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await scryptAsync(password, parsed.salt, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time of a verification when there is no user (or the user is disabled), so that the
 * response time does not tell which user names exist. Always false.
 */
export async function verifyNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await dummyHash);
  return false;
}

/** A password for a new user or the first admin: 144 random bits, 24 URL-safe characters. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** A session id or CSRF token: 256 random bits. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

export const TOKEN_PREFIX = 'wk_';

/** An API token secret: `wk_` and 256 random bits. */
export function generateTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** A token's public id: `tok_` and 64 random bits (shown in lists and the audit log; not a secret). */
export function generateTokenId(): string {
  return `tok_${randomBytes(8).toString('hex')}`;
}

/** SHA-256, hex: how session ids and token secrets are stored and looked up. */
export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time equality of two strings of any length (compares their SHA-256 digests). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}
