import { describe, expect, it } from 'vitest';
import { TelemetryOptionsError } from '../errors.js';
import { checkDefinition } from './definition.js';

const BASE = { name: 'sms_custom_total', type: 'counter', help: 'A custom counter.', labels: ['feature'] } as const;

interface BadDefinitionCase {
  readonly name: string;
  readonly definition: unknown;
  /** The error's path, naming the metric and what in it. */
  readonly path: string;
  /** A fragment of the message. */
  readonly message: string;
}

const BAD_DEFINITIONS: readonly BadDefinitionCase[] = [
  { name: 'no object', definition: 'sms_x', path: '(definition)', message: 'object' },
  { name: 'invalid name', definition: { ...BASE, name: 'sms-x' }, path: '(definition).name', message: 'not a valid' },
  { name: 'reserved name', definition: { ...BASE, name: '__name' }, path: '(definition).name', message: 'not a valid' },
  {
    name: 'recording-rule name',
    definition: { ...BASE, name: 'job:sms:rate5m' },
    path: '(definition).name',
    message: 'not a valid',
  },
  {
    name: 'catalog name',
    definition: { ...BASE, name: 'http_requests_total' },
    path: 'http_requests_total',
    message: 'catalog',
  },
  {
    name: 'a catalog histogram series',
    definition: { ...BASE, name: 'http_request_duration_seconds_count' },
    path: 'http_request_duration_seconds_count',
    message: 'catalog',
  },
  {
    name: 'SDK prefix',
    definition: { ...BASE, name: 'watchkeeper_sdk_x_total' },
    path: 'watchkeeper_sdk_x_total',
    message: 'SDK',
  },
  { name: 'runtime prefix', definition: { ...BASE, name: 'process_x_total' }, path: 'process_x_total', message: 'SDK' },
  {
    name: 'restricted prefix in capitals',
    definition: { ...BASE, name: '_SMS_markup_total' },
    path: '_SMS_markup_total',
    message: 'lower-case',
  },
  { name: 'summary', definition: { ...BASE, type: 'summary' }, path: 'sms_custom_total.type', message: 'type' },
  { name: 'no help', definition: { ...BASE, help: ' ' }, path: 'sms_custom_total.help', message: 'help' },
  {
    name: 'labels not an array',
    definition: { ...BASE, labels: 'feature' },
    path: 'sms_custom_total.labels',
    message: 'array',
  },
  {
    name: 'invalid label',
    definition: { ...BASE, labels: ['a-b'] },
    path: 'sms_custom_total.labels',
    message: 'not a valid label',
  },
  {
    name: 'PII user_id',
    definition: { ...BASE, labels: ['user_id'] },
    path: 'sms_custom_total.labels.user_id',
    message: 'PII',
  },
  {
    name: 'PII email',
    definition: { ...BASE, labels: ['email'] },
    path: 'sms_custom_total.labels.email',
    message: 'PII',
  },
  {
    name: 'PII ip_address',
    definition: { ...BASE, labels: ['feature', 'ip_address'] },
    path: 'sms_custom_total.labels.ip_address',
    message: 'PII',
  },
  {
    name: 'PII in capitals',
    definition: { ...BASE, labels: ['User_ID'] },
    path: 'sms_custom_total.labels.User_ID',
    message: 'PII',
  },
  {
    name: 'an e-mail label by another name',
    definition: { ...BASE, labels: ['customer_email'] },
    path: 'sms_custom_total.labels.customer_email',
    message: 'e-mail',
  },
  {
    name: 'an IP label by another name',
    definition: { ...BASE, labels: ['client_ip'] },
    path: 'sms_custom_total.labels.client_ip',
    message: 'IP',
  },
  {
    name: 'required label',
    definition: { ...BASE, labels: ['service'] },
    path: 'sms_custom_total.labels.service',
    message: 'added',
  },
  { name: 'le', definition: { ...BASE, labels: ['le'] }, path: 'sms_custom_total.labels.le', message: 'reserved' },
  {
    name: 'duplicate label',
    definition: { ...BASE, labels: ['a', 'a'] },
    path: 'sms_custom_total.labels.a',
    message: 'twice',
  },
  {
    name: 'too many labels',
    definition: { ...BASE, labels: Array.from({ length: 11 }, (_, i) => `l${i}`) },
    path: 'sms_custom_total.labels',
    message: 'at most',
  },
  {
    name: 'buckets on a counter',
    definition: { ...BASE, buckets: [1] },
    path: 'sms_custom_total.buckets',
    message: 'only histograms',
  },
  {
    name: 'histogram without buckets',
    definition: { ...BASE, name: 'sms_x_seconds', type: 'histogram' },
    path: 'sms_x_seconds.buckets',
    message: 'needs',
  },
  {
    name: 'decreasing buckets',
    definition: { ...BASE, name: 'sms_x_seconds', type: 'histogram', buckets: [1, 0.5] },
    path: 'sms_x_seconds.buckets.1',
    message: 'increase',
  },
  {
    name: 'infinite bucket',
    definition: { ...BASE, name: 'sms_x_seconds', type: 'histogram', buckets: [1, Infinity] },
    path: 'sms_x_seconds.buckets.1',
    message: 'finite',
  },
];

describe('metric definitions (plan §10.1)', () => {
  it.each(BAD_DEFINITIONS)('rejects $name', ({ definition, path, message }) => {
    let caught: unknown;
    try {
      checkDefinition(definition);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TelemetryOptionsError);
    expect(caught).toMatchObject({ code: 'WK_SDK_INVALID_METRIC', path });
    expect((caught as Error).message).toContain(message);
  });

  it('names the metric and the label in the message of a PII rejection', () => {
    expect(() => checkDefinition({ ...BASE, labels: ['user_id'] })).toThrow(/sms_custom_total.*user_id/);
  });

  it('accepts a valid definition and marks _sms_ names restricted', () => {
    expect(checkDefinition(BASE)).toMatchObject({ name: 'sms_custom_total', restricted: false, buckets: undefined });
    expect(checkDefinition({ ...BASE, name: '_sms_custom_total' }).restricted).toBe(true);
    expect(checkDefinition({ ...BASE, name: 'sms_x_seconds', type: 'histogram', buckets: [0.1, 1] }).buckets).toEqual([
      0.1, 1,
    ]);
  });
});
