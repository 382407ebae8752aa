import { describe, expect, it } from 'vitest';
import { formatFromContentType, parseExposition } from './parser.js';
import type { ExpositionFormat, MetricMetadata, ParseExpositionOptions, ParseResult } from './types.js';

/** `[labels as printed by Labels.toString(), value, timestampMs?]`. */
type ExpectedSample = [labels: string, value: number, timestampMs?: number];
/** `[line, column, a part of the message]`. */
type ExpectedIssue = [line: number, column: number, message: string];

interface ParseCase {
  name: string;
  format: ExpositionFormat;
  input: string;
  samples: ExpectedSample[];
  issues?: ExpectedIssue[];
  metadata?: MetricMetadata[];
  opts?: ParseExpositionOptions;
}

const T = 'text-0.0.4';
const OM = 'openmetrics-1.0';

function check(c: ParseCase, r: ParseResult): void {
  const got = r.samples.map((s): ExpectedSample =>
    s.timestampMs === undefined ? [s.labels.toString(), s.value] : [s.labels.toString(), s.value, s.timestampMs],
  );
  expect(got).toEqual(c.samples);
  expect(r.issues.map((i) => [i.line, i.column, i.message])).toEqual(
    (c.issues ?? []).map(([line, column, msg]): unknown => [line, column, expect.stringContaining(msg)]),
  );
  if (c.metadata !== undefined) expect(r.metadata).toEqual(c.metadata);
}

const GOOD_CASES: ParseCase[] = [
  {
    name: 'the text format example of the Prometheus docs',
    format: T,
    input: [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      '# Escaping in label values:',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      '',
      '# Minimalistic line:',
      'metric_without_timestamp_and_labels 12.47',
      '',
      '# A weird metric from before the epoch:',
      'something_weird{problem="division by zero"} +Inf -3982045',
      '',
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="0.05"} 24054',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      'http_request_duration_seconds_sum 53423',
      'http_request_duration_seconds_count 144320',
      '# TYPE rpc_duration_seconds summary',
      'rpc_duration_seconds{quantile="0.5"} 4773',
      'rpc_duration_seconds_count 2693',
      '',
    ].join('\n'),
    samples: [
      ['{__name__="http_requests_total", code="200", method="post"}', 1027, 1395066363000],
      ['{__name__="http_requests_total", code="400", method="post"}', 3, 1395066363000],
      [
        '{__name__="msdos_file_access_time_seconds", error="Cannot find file:\\n\\"FILE.TXT\\"", path="C:\\\\DIR\\\\FILE.TXT"}',
        1.458255915e9,
      ],
      ['{__name__="metric_without_timestamp_and_labels"}', 12.47],
      ['{__name__="something_weird", problem="division by zero"}', Infinity, -3982045],
      ['{__name__="http_request_duration_seconds_bucket", le="0.05"}', 24054],
      ['{__name__="http_request_duration_seconds_bucket", le="+Inf"}', 144320],
      ['{__name__="http_request_duration_seconds_sum"}', 53423],
      ['{__name__="http_request_duration_seconds_count"}', 144320],
      ['{__name__="rpc_duration_seconds", quantile="0.5"}', 4773],
      ['{__name__="rpc_duration_seconds_count"}', 2693],
    ],
    metadata: [
      { family: 'http_requests_total', type: 'counter', help: 'The total number of HTTP requests.' },
      { family: 'http_request_duration_seconds', type: 'histogram' },
      { family: 'rpc_duration_seconds', type: 'summary' },
    ],
  },
  {
    name: '0.0.4 HELP unescapes \\\\ and \\n only; untyped is unknown',
    format: T,
    input: '# HELP a x\\\\y\\nz \\"q\\" \\t\n# TYPE a untyped\na 1\n',
    samples: [['{__name__="a"}', 1]],
    metadata: [{ family: 'a', type: 'unknown', help: 'x\\y\nz \\"q\\" \\t' }],
  },
  {
    name: '0.0.4 whitespace: tabs, leading blanks, spaces inside braces, no comma, trailing comma, CRLF',
    format: T,
    input: '  \t a { x = "1" y="2" , } \t 5 \t 17 \t\r\nb{}7\n\t\n#\n#comment without space\n# HELPER not metadata\n',
    samples: [
      ['{__name__="a", x="1", y="2"}', 5, 17],
      ['{__name__="b"}', 7],
    ],
    metadata: [],
  },
  {
    name: 'UTF-8 quoted metric and label names (Prometheus 3), also in metadata',
    format: T,
    input: [
      '# HELP "my.metric" A metric with a dot.',
      '# TYPE "my.metric" gauge',
      '{"my.metric", "label.name"="v", plain="p"} 1',
      '{"label.name"="v", "my.metric"} 2',
      'legacy{"quoted.label"="ä ö 🚢"} 3',
      '{"ñame\\"q\\\\"} 4',
    ].join('\n'),
    samples: [
      ['{__name__="my.metric", "label.name"="v", plain="p"}', 1],
      ['{__name__="my.metric", "label.name"="v"}', 2],
      ['{__name__="legacy", "quoted.label"="ä ö 🚢"}', 3],
      ['{__name__="ñame\\"q\\\\"}', 4],
    ],
    metadata: [{ family: 'my.metric', type: 'gauge', help: 'A metric with a dot.' }],
  },
  {
    name: 'values: NaN, Inf in every spelling, signs, exponents, hex-free',
    format: T,
    input: [
      'v{i="1"} NaN',
      'v{i="2"} nan',
      'v{i="3"} +Inf',
      'v{i="4"} -inf',
      'v{i="5"} Infinity',
      'v{i="6"} -1.5e-3',
      'v{i="7"} .5',
      'v{i="8"} 5.',
      'v{i="9"} 1E+2',
      'v{i="10"} 0.1',
      'v{i="11"} 123456789012345678901234567890',
      'v{i="12"} -0',
      'v{i="13"} 1e-400',
      'v{i="14"} 2.2250738585072014e-308',
    ].join('\n'),
    samples: [
      ['{__name__="v", i="1"}', NaN],
      ['{__name__="v", i="2"}', NaN],
      ['{__name__="v", i="3"}', Infinity],
      ['{__name__="v", i="4"}', -Infinity],
      ['{__name__="v", i="5"}', Infinity],
      ['{__name__="v", i="6"}', -0.0015],
      ['{__name__="v", i="7"}', 0.5],
      ['{__name__="v", i="8"}', 5],
      ['{__name__="v", i="9"}', 100],
      ['{__name__="v", i="10"}', 0.1],
      ['{__name__="v", i="11"}', 1.2345678901234568e29],
      ['{__name__="v", i="12"}', -0],
      ['{__name__="v", i="13"}', 0],
      ['{__name__="v", i="14"}', 2.2250738585072014e-308],
    ],
  },
  {
    name: 'empty label values are dropped, the rest sorted',
    format: T,
    input: 'm{z="1",a="",b="2"} 1',
    samples: [['{__name__="m", b="2", z="1"}', 1]],
  },
  {
    name: 'a body without a final newline, and an empty body',
    format: T,
    input: 'a 1\nb 2',
    samples: [
      ['{__name__="a"}', 1],
      ['{__name__="b"}', 2],
    ],
  },
  {
    name: 'the OpenMetrics example: counter with _total, _created dropped, exemplars, float timestamps',
    format: OM,
    input: [
      '# TYPE acme_http_router_request_seconds summary',
      '# UNIT acme_http_router_request_seconds seconds',
      "# HELP acme_http_router_request_seconds Latency though all of ACME's global HTTP routers.",
      'acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32',
      'acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0',
      'acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0',
      '# TYPE go_goroutines gauge',
      'go_goroutines 69',
      '# TYPE foo counter',
      'foo_total 17.0 1520879607.789 # {id="counter-test"} 5',
      'foo_created 1520872607.123',
      '# TYPE hist histogram',
      'hist_bucket{le="0.5"} 2 # {trace_id="KOO5S4vxi0o"} 0.67 1520879602.1',
      'hist_bucket{le="+Inf"} 3',
      'hist_count 3',
      'hist_sum 2.5',
      'hist_created 1520872607.123',
      '# TYPE gh gaugehistogram',
      'gh_gcount 3',
      'gh_gsum 2',
      '# TYPE s stateset',
      's{s="a"} 1',
      '# TYPE build info',
      'build_info{version="1.2"} 1',
      '# TYPE other unknown',
      'other 1 -1.5',
      '# EOF',
      '',
    ].join('\n'),
    samples: [
      ['{__name__="acme_http_router_request_seconds_sum", method="GET", path="/api/v1"}', 9036.32],
      ['{__name__="acme_http_router_request_seconds_count", method="GET", path="/api/v1"}', 807283],
      ['{__name__="go_goroutines"}', 69],
      ['{__name__="foo_total"}', 17, 1520879607789],
      ['{__name__="hist_bucket", le="0.5"}', 2],
      ['{__name__="hist_bucket", le="+Inf"}', 3],
      ['{__name__="hist_count"}', 3],
      ['{__name__="hist_sum"}', 2.5],
      ['{__name__="gh_gcount"}', 3],
      ['{__name__="gh_gsum"}', 2],
      ['{__name__="s", s="a"}', 1],
      ['{__name__="build_info", version="1.2"}', 1],
      ['{__name__="other"}', 1, -1500],
    ],
    metadata: [
      {
        family: 'acme_http_router_request_seconds',
        type: 'summary',
        unit: 'seconds',
        help: "Latency though all of ACME's global HTTP routers.",
      },
      { family: 'go_goroutines', type: 'gauge' },
      { family: 'foo', type: 'counter' },
      { family: 'hist', type: 'histogram' },
      { family: 'gh', type: 'gaugehistogram' },
      { family: 's', type: 'stateset' },
      { family: 'build', type: 'info' },
      { family: 'other', type: 'unknown' },
    ],
  },
  {
    name: 'OpenMetrics: _created of a gauge is an ordinary sample; keepCreatedSeries keeps counter ones',
    format: OM,
    input: '# TYPE g gauge\ng_created 1\n# TYPE c counter\nc_total 1\nc_created 2\n# EOF\n',
    samples: [
      ['{__name__="g_created"}', 1],
      ['{__name__="c_total"}', 1],
      ['{__name__="c_created"}', 2],
    ],
    opts: { keepCreatedSeries: true },
  },
  {
    name: 'OpenMetrics HELP unescapes \\", timestamps round to the nearest ms',
    format: OM,
    input: '# HELP m say \\"hi\\"\\n\\\\\nm 1 1.001\nm 2 1520879607.7899\n# EOF',
    samples: [
      ['{__name__="m"}', 1, 1001],
      ['{__name__="m"}', 2, 1520879607790],
    ],
    metadata: [{ family: 'm', type: 'unknown', help: 'say "hi"\n\\' }],
  },
  {
    name: 'OpenMetrics: quoted names, trailing comma',
    format: OM,
    input: '# TYPE "my.gauge" gauge\n{"my.gauge","a.b"="1",} 1\n# EOF\n',
    samples: [['{__name__="my.gauge", "a.b"="1"}', 1]],
  },
  {
    name: 'the same body from bytes, with a byte-order mark',
    format: T,
    input: '\ufeffa{x="é"} 1\n',
    samples: [['{__name__="a", x="é"}', 1]],
  },
];

const BAD_CASES: ParseCase[] = [
  {
    name: 'invalid metric name: unquoted dot, with a hint to quote it; the next line still parses',
    format: T,
    input: 'my.metric 1\ngood 2',
    samples: [['{__name__="good"}', 2]],
    issues: [
      [1, 3, `invalid metric name: unexpected '.' after "my" (quote other names inside the braces: {"my.metric"})`],
    ],
  },
  {
    name: 'invalid start of line, quoted name outside braces',
    format: T,
    input: '1abc 1\n"q" 1\n',
    samples: [],
    issues: [
      [1, 1, "invalid metric name: a line must start with a metric name, '{' or '#', found '1'"],
      [2, 1, 'a quoted metric name goes inside the braces'],
    ],
  },
  {
    name: 'duplicate label name, also against the metric name',
    format: T,
    input: 'a{x="1",y="2",x="3"} 1\nb{__name__="b"} 1\n{"c","c"} 1\nok 1',
    samples: [['{__name__="ok"}', 1]],
    issues: [
      [1, 15, 'duplicate label name "x"'],
      [2, 3, 'duplicate label name "__name__"'],
      [3, 6, 'metric name already set ("c")'],
    ],
  },
  {
    name: 'missing value, missing metric name, missing label value',
    format: T,
    input: 'a\nb{x="1"}\n{x="1"} 1\nc{x=} 1\nd{x} 1\n',
    samples: [],
    issues: [
      [1, 2, 'missing value'],
      [2, 9, 'missing value'],
      [3, 1, 'missing metric name'],
      [4, 5, 'missing label value'],
      [5, 4, 'expected \'=\' after label name "x"'],
    ],
  },
  {
    name: 'value not a float, out of range; hex and underscores are not floats (as in Prometheus)',
    format: T,
    input: 'a abc\nb 1e500\nc 0x1p3\nd 1_000\ne +NaN\nf 1.2.3\n',
    samples: [],
    issues: [
      [1, 3, 'value not a float: "abc"'],
      [2, 3, 'value out of range: "1e500"'],
      [3, 3, 'value not a float: "0x1p3"'],
      [4, 3, 'value not a float: "1_000"'],
      [5, 3, 'value not a float: "+NaN"'],
      [6, 3, 'value not a float: "1.2.3"'],
    ],
  },
  {
    name: 'timestamp not an integer, out of range, text after it, exemplar in 0.0.4',
    format: T,
    input: 'a 1 1.5\nb 1 99999999999999999999\nc 1 2 3\nd 1 # {a="b"} 1\n',
    samples: [],
    issues: [
      [1, 5, 'timestamp not an integer (milliseconds): "1.5"'],
      [2, 5, 'timestamp out of range: "99999999999999999999"'],
      [3, 7, "unexpected text after the timestamp: '3'"],
      [4, 5, 'exemplars need OpenMetrics'],
    ],
  },
  {
    name: 'bad label names and unterminated strings',
    format: T,
    input: 'a{1x="1"} 1\nb{x="1} 1\nc{""="v"} 1\nd{x="1\\"} 1\ne{x="1"\n',
    samples: [],
    issues: [
      [1, 3, "invalid label name: unexpected '1'"],
      [2, 5, 'unterminated quoted label value'],
      [3, 3, 'invalid label name: empty'],
      [4, 5, 'unterminated quoted label value'],
      [5, 8, "unterminated label set: missing '}'"],
    ],
  },
  {
    name: 'invalid TYPE, HELP without a name',
    format: T,
    input: '# TYPE a countr\n# TYPE b gaugehistogram\n# HELP 1a x\n# TYPE c.d counter\na 1\n',
    samples: [['{__name__="a"}', 1]],
    issues: [
      [1, 10, 'invalid metric type "countr" for "a"'],
      [2, 10, 'invalid metric type "gaugehistogram"'],
      [3, 8, 'expected a metric name after # HELP'],
      [4, 9, "invalid metric name in # TYPE: unexpected '.'"],
    ],
  },
  {
    name: '0.0.4 keeps unknown escapes as written (as Prometheus does)',
    format: T,
    input: 'a{x="\\t\\q"} 1\n',
    samples: [['{__name__="a", x="\\\\t\\\\q"}', 1]],
  },
  {
    name: 'line too long',
    format: T,
    input: `a{x="${'v'.repeat(50)}"} 1\nb 1\n`,
    opts: { maxLineChars: 40 },
    samples: [['{__name__="b"}', 1]],
    issues: [[1, 41, 'line too long: 59 characters, the limit is 40']],
  },
  {
    name: 'column counts code points: an issue after an astral character',
    format: T,
    input: 'a{x="🚢🚢"} zz\n',
    samples: [],
    issues: [[1, 11, 'value not a float: "zz"']],
  },
  {
    name: 'maxIssues: the rest is counted in one last issue',
    format: T,
    input: 'x\n'.repeat(5),
    opts: { maxIssues: 2 },
    samples: [],
    issues: [
      [1, 2, 'missing value'],
      [2, 2, 'missing value'],
      [3, 2, '3 more issue(s) not listed (maxIssues 2)'],
    ],
  },
  {
    name: 'OpenMetrics: # EOF missing (samples kept), data after it',
    format: OM,
    input: 'a 1\nb 2\n',
    samples: [
      ['{__name__="a"}', 1],
      ['{__name__="b"}', 2],
    ],
    issues: [[3, 1, 'missing # EOF']],
  },
  {
    name: 'OpenMetrics: # EOF missing without a final newline',
    format: OM,
    input: 'a 1',
    samples: [['{__name__="a"}', 1]],
    issues: [[1, 4, 'missing # EOF']],
  },
  {
    name: 'OpenMetrics: data after # EOF',
    format: OM,
    input: 'a 1\n# EOF\nb 2\n',
    samples: [['{__name__="a"}', 1]],
    issues: [[3, 1, 'unexpected data after # EOF']],
  },
  {
    name: 'OpenMetrics: an empty body has no # EOF',
    format: OM,
    input: '',
    samples: [],
    issues: [[1, 1, 'missing # EOF']],
  },
  {
    name: 'OpenMetrics is strict about spaces, blank lines and comments',
    format: OM,
    input: 'a  1\nb 1 \n\nc{x="1", y="2"} 1\n# free comment\nd\t1\n e 1\nf 1  2\n# EOF\n',
    samples: [],
    issues: [
      [1, 3, 'expected a single space before the value'],
      [2, 4, 'unexpected space at the end of the line'],
      [3, 1, 'empty line'],
      [4, 9, "invalid label name: unexpected ' '"],
      [5, 1, 'invalid comment: OpenMetrics allows only'],
      [6, 2, 'invalid metric name: unexpected character U+0009'],
      [7, 1, 'a line must start with a metric name'],
      [8, 5, 'expected a single space before the timestamp'],
    ],
  },
  {
    name: 'OpenMetrics: bad escapes in label values and HELP; unit not a suffix; invalid type',
    format: OM,
    input: 'a{x="\\t"} 1\n# HELP a x\\ty\n# UNIT a seconds\n# TYPE a untyped\n# EOF\n',
    samples: [],
    issues: [
      [1, 6, "bad escape in label value: '\\t'"],
      [2, 11, "bad escape in HELP text: '\\t'"],
      [3, 10, 'unit "seconds" is not a suffix of metric "a"'],
      [4, 10, 'invalid metric type "untyped"'],
    ],
  },
  {
    name: 'OpenMetrics timestamps: not a number, not finite',
    format: OM,
    input: 'a 1 abc\nb 1 NaN\nc 1 +Inf\n# EOF\n',
    samples: [],
    issues: [
      [1, 5, 'timestamp not a number (seconds): "abc"'],
      [2, 5, 'timestamp must be finite: "NaN"'],
      [3, 5, 'timestamp must be finite: "+Inf"'],
    ],
  },
  {
    name: 'OpenMetrics exemplars: bad syntax drops the line; too long drops only the exemplar',
    format: OM,
    input: [
      'a_total 1 # {x="1"}',
      'b_total 1 # {x="1"} abc',
      'c_total 1 # x',
      `d_total 1 # {trace_id="${'t'.repeat(130)}"} 1`,
      'e_total 1 # {x="1"} 2 3 4',
      'f_total 1 # {"q"} 1',
      '# EOF',
    ].join('\n'),
    samples: [['{__name__="d_total"}', 1]],
    issues: [
      [1, 20, 'missing exemplar value'],
      [2, 21, 'exemplar value not a float: "abc"'],
      [3, 11, 'expected a timestamp or an exemplar'],
      [4, 11, 'exemplar labels have 138 characters, more than 128: exemplar dropped'],
      [5, 24, 'unexpected text after the exemplar: " 4"'],
      [6, 14, 'exemplar labels have no metric name'],
    ],
  },
];

describe('parseExposition: good input', () => {
  it.each(GOOD_CASES)('$name', (c) => {
    check(c, parseExposition(c.input, c.format, c.opts));
    // The same body as UTF-8 bytes parses the same.
    check(c, parseExposition(new TextEncoder().encode(c.input), c.format, c.opts));
  });
});

describe('parseExposition: bad input gives issues with line, column and message', () => {
  it.each(BAD_CASES)('$name', (c) => {
    check(c, parseExposition(c.input, c.format, c.opts));
  });
});

describe('parseExposition: details', () => {
  it('keeps exemplars with their labels, value and timestamp', () => {
    const r = parseExposition(
      '# TYPE h histogram\nh_bucket{le="1"} 2 # {trace_id="abc"} 0.5 1700000000.25\n# EOF\n',
      OM,
    );
    expect(r.issues).toEqual([]);
    const ex = r.samples[0]!.exemplar!;
    expect(ex.labels.toString()).toBe('{trace_id="abc"}');
    expect(ex.value).toBe(0.5);
    expect(ex.timestampMs).toBe(1700000000250);
  });

  it('invalid UTF-8 drops exactly the lines that have it', () => {
    const body = new Uint8Array([
      ...new TextEncoder().encode('a{x="ok"} 1\nb{x="'),
      0xc3,
      0x28, // 0xc3 needs a continuation byte
      ...new TextEncoder().encode('"} 2\n# HELP c h\xe9\nc 3\nd{x="'),
      0xed,
      0xa0,
      0x80, // a UTF-16 surrogate encoded in UTF-8: invalid
      ...new TextEncoder().encode('"} 4\ne 5'),
      0xff,
    ]);
    const r = parseExposition(body, T);
    expect(r.samples.map((s) => s.labels.get('__name__'))).toEqual(['a', 'c']);
    expect(r.issues).toEqual([
      { line: 2, column: 6, message: 'invalid UTF-8: byte 0xc3' },
      { line: 5, column: 6, message: 'invalid UTF-8: byte 0xed' },
      { line: 6, column: 4, message: 'invalid UTF-8: byte 0xff' },
    ]);
    expect(r.metadata).toEqual([{ family: 'c', type: 'unknown', help: 'hé' }]);
  });

  it('a lone surrogate in a string body drops its line', () => {
    const r = parseExposition('a{x="\ud800"} 1\nb 2\n', T);
    expect(r.samples.map((s) => s.labels.get('__name__'))).toEqual(['b']);
    expect(r.issues).toEqual([{ line: 1, column: 6, message: 'invalid Unicode: lone surrogate U+D800' }]);
  });

  it('NaN values are the ordinary NaN, never the staleness marker', () => {
    const v = parseExposition('a NaN\n', T).samples[0]!.value;
    const bits = new Uint32Array(new Float64Array([v]).buffer);
    expect([bits[1], bits[0]]).toEqual([0x7ff80000, 0]);
  });

  it('merges HELP, TYPE and UNIT of one family into one metadata entry in first-seen order', () => {
    const r = parseExposition('# HELP b hb\n# TYPE a gauge\n# UNIT b_seconds seconds\n# TYPE b counter\n# EOF\n', OM);
    expect(r.metadata).toEqual([
      { family: 'b', type: 'counter', help: 'hb' },
      { family: 'a', type: 'gauge' },
      { family: 'b_seconds', type: 'unknown', unit: 'seconds' },
    ]);
  });

  // A quadratic scan would take minutes here: the test's timeout catches it (no wall-clock assertion).
  it('every line of a large body is scanned once (no quadratic search for backslashes)', { timeout: 20_000 }, () => {
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(`m{i="${i}",path="/a/b/c/${i}"} ${i}`);
    lines.push('last{x="has \\\\ backslash"} 1');
    const r = parseExposition(lines.join('\n'), T);
    expect(r.samples).toHaveLength(20_001);
    expect(r.samples[20_000]!.labels.get('x')).toBe('has \\ backslash');
  });
});

describe('formatFromContentType', () => {
  const cases: [string | undefined, ExpositionFormat][] = [
    [undefined, T],
    ['', T],
    ['text/plain; version=0.0.4; charset=utf-8', T],
    ['text/plain', T],
    ['application/openmetrics-text; version=1.0.0; charset=utf-8', OM],
    ['application/openmetrics-text; version=0.0.1', OM],
    ['Application/OpenMetrics-Text', OM],
    ['  application/openmetrics-text ;version=1.0.0', OM],
    ['application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited', T],
    ['application/json', T],
  ];
  it.each(cases)('%j → %s', (contentType, format) => {
    expect(formatFromContentType(contentType)).toBe(format);
  });
});
