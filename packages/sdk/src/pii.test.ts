import { describe, expect, it } from 'vitest';
import { maskFields, maskPii } from './pii.js';

interface MaskCase {
  readonly name: string;
  readonly input: string;
  readonly expected: string;
}

const MASK_CASES: readonly MaskCase[] = [
  { name: 'the README example', input: 'mail bob@example.com from 10.1.2.3', expected: 'mail [email] from [ip]' },
  { name: 'e-mail with plus and subdomain', input: 'to a.b+tag@mail.example.co.uk.', expected: 'to [email].' },
  { name: 'IPv4 at the end of a sentence', input: 'peer 192.168.0.1.', expected: 'peer [ip].' },
  { name: 'IPv4 with port', input: 'connect 10.0.0.7:5432', expected: 'connect [ip]:5432' },
  { name: 'not an IPv4: octet over 255', input: 'v 300.1.2.3', expected: 'v 300.1.2.3' },
  { name: 'not an IPv4: five dotted numbers', input: 'oid 1.3.6.1.4', expected: 'oid 1.3.6.1.4' },
  { name: 'IPv6 full', input: 'from 2001:0db8:85a3:0000:0000:8a2e:0370:7334 x', expected: 'from [ip] x' },
  { name: 'IPv6 compressed', input: 'from 2001:db8::1 and fe80::1ff:fe23:4567:890a', expected: 'from [ip] and [ip]' },
  { name: 'IPv6 loopback', input: 'bind ::1', expected: 'bind [ip]' },
  { name: 'card, Luhn-valid, grouped', input: 'card 4111 1111 1111 1111 charged', expected: 'card [card] charged' },
  { name: 'card, Luhn-invalid, dashes', input: 'card 4111-1111-1111-1112', expected: 'card [card]' },
  { name: 'card, 19 digits plain', input: 'pan 6011000990139424123', expected: 'pan [card]' },
  { name: 'international phone', input: 'call +44 20 7946 0958 now', expected: 'call [phone] now' },
  { name: 'E.164 phone', input: 'sms +14155552671', expected: 'sms [phone]' },
  { name: 'North-American phone', input: 'call (415) 555-2671 or 415-555-2671', expected: 'call [phone] or [phone]' },
  { name: 'IMO number kept', input: 'vessel IMO 9074729', expected: 'vessel IMO 9074729' },
  {
    name: 'ids and amounts kept',
    input: 'usr_123 cmp_456 vsl_789 paid 1234.56',
    expected: 'usr_123 cmp_456 vsl_789 paid 1234.56',
  },
  { name: 'timestamps kept', input: 'at 2025-01-05T10:30:45.123Z', expected: 'at 2025-01-05T10:30:45.123Z' },
  { name: 'times and versions kept', input: 'v1.2.3 at 10:30:45', expected: 'v1.2.3 at 10:30:45' },
  {
    name: 'UUID kept',
    input: 'req 123e4567-e89b-12d3-a456-426614174000',
    expected: 'req 123e4567-e89b-12d3-a456-426614174000',
  },
  { name: 'C++ scope kept', input: 'Cache::add and std::map', expected: 'Cache::add and std::map' },
  { name: 'long digit run masked as card', input: 'ts 1735000000000', expected: 'ts [card]' },
];

describe('maskPii', () => {
  it.each(MASK_CASES)('$name', ({ input, expected }) => {
    expect(maskPii(input)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const { input } of MASK_CASES) expect(maskPii(maskPii(input))).toBe(maskPii(input));
  });
});

describe('maskFields', () => {
  it('masks strings deeply and redacts secret-like keys', () => {
    const masked = maskFields({
      user_id: 'usr_1',
      note: 'from bob@example.com',
      nested: {
        list: ['10.0.0.1', 3, true, null],
        password: 'hunter2',
        Authorization: 'Bearer x',
        internalMetricsToken: 'x',
      },
      email: 'carol@example.com',
      count: 42,
    });
    expect(masked).toEqual({
      user_id: 'usr_1',
      note: 'from [email]',
      nested: {
        list: ['[ip]', 3, true, null],
        password: '[redacted]',
        Authorization: '[redacted]',
        internalMetricsToken: '[redacted]',
      },
      email: '[redacted]',
      count: 42,
    });
  });

  it('survives cycles and deep objects, and copies shared objects', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(maskFields(cyclic)).toEqual({ a: 1, self: '[…]' });
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 20; i++) deep = { deep };
    expect(JSON.stringify(maskFields(deep))).toContain('[…]');
    const shared = { ip: '10.0.0.1' };
    expect(maskFields({ a: shared, b: shared })).toEqual({ a: { ip: '[ip]' }, b: { ip: '[ip]' } });
  });
});
