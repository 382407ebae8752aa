import { describe, expect, it } from 'vitest';
import { htmlToText, parseMail } from './mail.js';

const mail = (lines: readonly string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

describe('parseMail', () => {
  it('unfolds headers, decodes B and Q encoded words and keeps the first of repeated headers', () => {
    const parsed = parseMail(
      mail([
        'From: =?utf-8?B?V2F0Y2hrZWVwZXI=?= <watchkeeper@sms.example>',
        'To: a@sms.example,',
        '\tb@sms.example',
        'Subject: =?UTF-8?Q?caf=C3=A9?= =?UTF-8?Q?_au_lait?= and more',
        'Subject: second',
        '',
        'body',
      ]),
    );
    expect(parsed.from).toBe('Watchkeeper <watchkeeper@sms.example>');
    expect(parsed.to).toBe('a@sms.example,\tb@sms.example');
    expect(parsed.subject).toBe('café au lait and more');
    expect(parsed.text).toBe('body');
    expect(parsed.html).toBeUndefined();
  });

  it('finds the text part in nested multiparts, skips attachments, decodes base64 and charsets', () => {
    const parsed = parseMail(
      mail([
        'Subject: nested',
        'Content-Type: multipart/mixed; boundary=outer',
        '',
        'preamble',
        '--outer',
        'Content-Type: multipart/alternative; boundary="inner"',
        '',
        '--inner',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('Tromsø', 'latin1').toString('base64'),
        '--inner',
        'Content-Type: text/html',
        '',
        '<p>Troms&oslash;</p>',
        '--inner--',
        '--outer',
        'Content-Type: text/plain',
        'Content-Disposition: attachment; filename="log.txt"',
        '',
        'not the body',
        '--outer--',
        'epilogue',
      ]),
    );
    expect(parsed.text).toBe('Tromsø');
    expect(parsed.html).toBe('<p>Troms&oslash;</p>');
  });

  it('reads what it does not understand as it is, and a message without a body', () => {
    expect(parseMail(mail(['Subject: x', 'Content-Type: text/plain; charset=no-such-charset', '', 'plain'])).text).toBe(
      'plain',
    );
    expect(parseMail(mail(['Subject: only headers']))).toMatchObject({ subject: 'only headers', text: '' });
    expect(parseMail(Buffer.from('')).subject).toBe('');
  });
});

describe('htmlToText', () => {
  it('drops head, styles and tags, decodes entities and keeps paragraphs apart', () => {
    expect(
      htmlToText(
        '<html><head><title>t</title><style>h1{}</style></head><body><h1>A &amp; B</h1><p>x&nbsp;&#8211;&#x2014;y</p></body></html>',
      ),
    ).toBe('A & B\nx –—y');
  });
});
