import { describe, expect, it } from 'vitest';
import { filterRestricted } from './exposition.js';

describe('filterRestricted', () => {
  it('keeps an exposition without restricted names untouched', () => {
    const text = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="y"} 1\n\n# HELP b B.\n# TYPE b gauge\nb 2\n';
    expect(filterRestricted(text)).toEqual({ text, droppedFamilies: new Set() });
  });

  it('cuts restricted families, series and labels', () => {
    const text = [
      '# HELP _sms_markup Markup.',
      '# TYPE _sms_markup counter',
      '_sms_markup{c="e"} 5',
      '# HELP public_total Public.',
      '# TYPE public_total counter',
      'public_total{c="ok"} 1',
      'public_total{c="_sms_leak"} 2',
      'public_total{_sms_label="x"} 3',
      'public_total{c="a\\"b",d="_sms_\\"q"} 4',
      'public_total{c="x_sms_y"} 6',
      'public_total{c="unterminated _sms_} 7',
      '_sms_orphan_bucket{le="1"} 8',
      '_SMS_shouting 9',
      'public_total{c="_Sms_mixed"} 10',
      '',
    ].join('\n');
    const { text: filtered, droppedFamilies } = filterRestricted(text);
    expect(filtered).toBe(
      [
        '# HELP public_total Public.',
        '# TYPE public_total counter',
        'public_total{c="ok"} 1',
        'public_total{c="x_sms_y"} 6',
        '',
      ].join('\n'),
    );
    expect([...droppedFamilies].sort()).toEqual(['_SMS_shouting', '_sms_markup', '_sms_orphan_bucket', 'public_total']);
  });
});
