/** Prometheus 2.42's functions and the way its rules expand alert templates. */
import { describe, expect, it } from 'vitest';
import { AlertTemplate, PrometheusTemplate, type Sample } from './index.js';
import {
  humanize,
  humanize1024,
  humanizeDuration,
  humanizePercentage,
  humanizeTimestamp,
  isIP,
  parseDuration,
  splitHostPort,
  stripDomain,
  stripPort,
} from './prometheus.js';
import { GoScalar } from './value.js';

const labels = { __name__: 'probe_value', instance: 'db-1.example.com:9100', job: 'db' };

async function alert(text: string, value = 0.5, query?: (q: string) => Promise<Sample[]>): Promise<string> {
  return (
    await new AlertTemplate('Test', text).expand({ labels, value }, { query, externalURL: 'http://prom:9090/prefix' })
  ).text;
}

describe('humanize functions', () => {
  it.each([
    [0, '0'],
    [1234567, '1.235M'],
    [0.12, '120m'],
    [999.95, '1000'],
    [999999, '1000k'],
    [-1500, '-1.5k'],
    [1e-30, '1e-06y'],
  ])('humanize %s', (v, want) => expect(humanize(v)).toBe(want));

  it('accepts Go ints and numeric strings, refuses the rest', () => {
    expect(humanize(new GoScalar('int64', 'int', 9223372036854775807n))).toBe('9.223E');
    expect(humanize('1e3')).toBe('1k');
    expect(() => humanize('one')).toThrow('strconv.ParseFloat: parsing "one": invalid syntax');
    expect(() => humanize('1e400')).toThrow('strconv.ParseFloat: parsing "1e400": value out of range');
    expect(() => humanize(true)).toThrow("can't convert bool to float");
  });

  it('humanize1024, humanizePercentage, humanizeDuration, humanizeTimestamp', () => {
    expect(humanize1024(1048576)).toBe('1Mi');
    expect(humanize1024(0.5)).toBe('0.5');
    expect(humanizePercentage(0.1234567)).toBe('12.35%');
    expect(humanizeDuration(90061.5)).toBe('1d 1h 1m 1s');
    expect(humanizeDuration(-0.0012)).toBe('-1.2ms');
    expect(humanizeDuration(1e21)).toBe('-106751991167300d -15h -30m -8s');
    expect(humanizeTimestamp(-0.22222)).toBe('1969-12-31 23:59:59.778 +0000 UTC');
    expect(humanizeTimestamp(NaN)).toBe('NaN');
    expect(() => humanizeTimestamp(1e21)).toThrow(
      '1e+21 cannot be represented as a nanoseconds timestamp since it overflows int64',
    );
  });
});

describe('string and duration functions', () => {
  it('parseDuration follows Prometheus durations', () => {
    expect(parseDuration('1h2m10ms')).toBe(3720.01);
    expect(parseDuration('1y')).toBe(31536000);
    expect(parseDuration('0')).toBe(0);
    expect(() => parseDuration('1.5h')).toThrow('not a valid duration string: "1.5h"');
    expect(() => parseDuration('')).toThrow('empty duration string');
    expect(() => parseDuration('1000000y')).toThrow('duration out of range');
  });

  it("stripPort and stripDomain follow Go's net.SplitHostPort", () => {
    expect(stripPort('[::1]:80')).toBe('::1');
    expect(stripPort('a:b:c')).toBe('a:b:c');
    expect(stripDomain('db-1.example.com:9100')).toBe('db-1:9100');
    expect(stripDomain('10.0.0.1:80')).toBe('10.0.0.1:80');
    expect(stripDomain('host')).toBe('host');
    expect(splitHostPort('noport')).toBeUndefined();
    expect(isIP('2001:db8::1')).toBe(true);
    expect(isIP('1.2.3.04')).toBe(false);
  });
});

describe('AlertTemplate', () => {
  it('defines $labels, $value, $externalLabels and $externalURL', async () => {
    const t = new AlertTemplate('Test', '{{ $labels.job }} {{ $value }} {{ $externalLabels.site }} {{ $externalURL }}');
    const r = await t.expand({ labels, value: 0.25, externalLabels: { site: 'ship' }, externalURL: 'http://x' });
    expect(r).toEqual({ ok: true, text: 'db 0.25 ship http://x' });
  });

  it('missing labels are empty (missingkey=zero)', async () => {
    expect(await alert('[{{ $labels.nope }}]')).toBe('[]');
  });

  it('reports execution errors as Prometheus puts them into the annotation', async () => {
    const t = new AlertTemplate('Test', '{{ $value | humanizeTimestamp }}');
    const r = await t.expand({ labels, value: 1e21 });
    expect(r.ok).toBe(false);
    expect(r.text).toBe(
      '<error expanding template: error executing template __alert_Test: template: __alert_Test:1:124: executing "__alert_Test" at <humanizeTimestamp>: error calling humanizeTimestamp: 1e+21 cannot be represented as a nanoseconds timestamp since it overflows int64>',
    );
    if (!r.ok) expect(r.error.code).toBe('WK_TEMPLATE_EXEC');
  });

  it('keeps parse errors for `check rules` and reports them on expansion', async () => {
    const t = new AlertTemplate('Test', '{{ nope }}');
    expect(t.parseError?.message).toBe('template: __alert_Test:1: function "nope" not defined');
    expect((await t.expand({ labels, value: 0 })).text).toBe(
      '<error expanding template: error parsing template __alert_Test: template: __alert_Test:1: function "nope" not defined>',
    );
  });

  it('runs queries through the injected function', async () => {
    const seen: string[] = [];
    const query = async (q: string): Promise<Sample[]> => {
      seen.push(q);
      return [
        { labels: { instance: 'b' }, value: 2 },
        { labels: { instance: 'a' }, value: 1 },
      ];
    };
    const text =
      '{{ range query (printf "up{job=%q}" $labels.job) | sortByLabel "instance" }}{{ .Labels.instance }}={{ .Value }} {{ end }}{{ with query "up" }}{{ len . }}{{ end }}';
    expect(await alert(text, 0, query)).toBe('a=1 b=2 2');
    expect(seen).toEqual(['up{job="db"}', 'up']);
  });

  it('reports a failing query', async () => {
    const query = async (): Promise<Sample[]> => {
      throw new Error('parse error: unexpected end of input');
    };
    expect(await alert('{{ query "up{" }}', 0, query)).toBe(
      '<error expanding template: error executing template __alert_Test: template: __alert_Test:1:115: executing "__alert_Test" at <query "up{">: error calling query: parse error: unexpected end of input>',
    );
  });

  it('needs a query function to query', async () => {
    expect(await alert('{{ query "up" }}')).toContain('error calling query: no query function available');
  });

  it('links, path prefix and external URL', async () => {
    expect(await alert('{{ graphLink "up" }} {{ tableLink "up" }} {{ pathPrefix }} {{ externalURL }}')).toBe(
      '/graph?g0.expr=up&g0.tab=0 /graph?g0.expr=up&g0.tab=1 /prefix http://prom:9090/prefix',
    );
  });
});

describe('PrometheusTemplate in HTML mode', () => {
  it('escapes values, not safeHtml, and offers tmpl', async () => {
    const t = new PrometheusTemplate(
      'page',
      '{{ define "b" }}<b>{{ . }}</b>{{ end }}{{ tmpl "b" "x<y" }} {{ "<i>" }} {{ "<u>" | safeHtml }}',
      {
        html: true,
      },
    );
    expect(await t.expand(undefined, {})).toEqual({ ok: true, text: '<b>x&lt;y</b> &lt;i&gt; <u>' });
  });
});
