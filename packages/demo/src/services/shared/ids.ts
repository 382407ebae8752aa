import { randomBytes } from 'node:crypto';

/** A random identifier `<prefix>_<hex>` (lower-case letters and digits, as contract.ts's ids). */
export function newId(prefix: string, bytes = 8): string {
  return `${prefix}_${randomBytes(bytes).toString('hex')}`;
}
