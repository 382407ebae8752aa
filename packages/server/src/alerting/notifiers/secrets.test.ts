import { describe, expect, it } from 'vitest';
import { SecretMasker, redactUrl } from './secrets.js';

describe('SecretMasker', () => {
  it('masks values, their URL-encoded forms and basic-auth tokens', () => {
    const m = new SecretMasker().add('p@ss word!').addBasicAuth('user', 'hunter2');
    const basic = Buffer.from('user:hunter2').toString('base64');
    expect(m.mask(`a p@ss word! b p%40ss%20word! c ${basic} d hunter2`)).toBe(
      'a <secret> b <secret> c <secret> d <secret>',
    );
  });

  it('masks a secret URL, its path with query, and its password', () => {
    const m = new SecretMasker().addUrl('https://bot:tok3n@hooks.example/services/T1/B2/XyZ?key=abcd');
    expect(m.mask('POST https://bot:tok3n@hooks.example/services/T1/B2/XyZ?key=abcd failed')).toBe(
      'POST <secret> failed',
    );
    expect(m.mask('404 for /services/T1/B2/XyZ?key=abcd')).toBe('404 for <secret>');
    expect(m.mask('password tok3n')).toBe('password <secret>');
  });

  it('leaves very short values alone (they would garble messages)', () => {
    expect(new SecretMasker().add('ab', '').mask('about')).toBe('about');
  });

  it('copies with extra secrets without changing the original', () => {
    const base = new SecretMasker().add('first-secret');
    const copy = base.with('second-secret');
    expect(copy.mask('first-secret second-secret')).toBe('<secret> <secret>');
    expect(base.mask('first-secret second-secret')).toBe('<secret> second-secret');
  });
});

describe('redactUrl', () => {
  it('keeps scheme and host only', () => {
    expect(redactUrl('https://u:p@hooks.slack.com:8443/services/T/B/X?x=1')).toBe(
      'https://hooks.slack.com:8443/<secret>',
    );
    expect(redactUrl('not a url')).toBe('<secret>');
  });
});
