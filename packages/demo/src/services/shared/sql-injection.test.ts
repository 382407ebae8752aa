import { describe, expect, it } from 'vitest';
import { looksLikeSqlInjection } from './sql-injection.js';

const PROBES = [
  "' OR 1=1 --",
  "FLT-1001'; DROP TABLE orders; --",
  "1' UNION SELECT card_token FROM payments --",
  '"; DELETE FROM quotes WHERE "1"="1',
  "' OR 'a'='a",
  "admin'--",
  "VLV-2040' AND SLEEP(5) --",
  "1; EXEC xp_cmdshell('dir') --",
  'x/**/or/**/1=1',
  'cmp_abc OR 1=1',
  '1 UNION SELECT password FROM users',
];

const ORDINARY = [
  "o'brien",
  "O'Neil Shipping",
  'PART NUMBER 7',
  'ENG-4411-A',
  'notes; checked twice',
  'Selection of spares',
];

describe('looksLikeSqlInjection', () => {
  it.each(PROBES)('flags %s', (text) => expect(looksLikeSqlInjection(text)).toBe(true));
  it.each(ORDINARY)('accepts %s', (text) => expect(looksLikeSqlInjection(text)).toBe(false));
});
