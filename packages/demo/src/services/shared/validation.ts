import type { z } from 'zod';
import { PortalError, type FieldErrors } from './errors.js';
import { looksLikeSqlInjection } from './sql-injection.js';

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/**
 * Parses a request body (or query, or path parameters) with one of the contract's zod schemas. A
 * failure is a `PortalError('invalid_request')` whose `fields` map each failing path to its
 * messages — or `rejected_input` when a failing value looks like an SQL-injection probe.
 */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown, what = 'request body'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data as z.output<S>;
  const fields: FieldErrors = {};
  const rejectedValues: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const path = issue.path.length === 0 ? '(root)' : issue.path.join('.');
    (fields[path] ??= []).push(issue.message);
    const value = valueAt(input, issue.path);
    if (typeof value === 'string' && looksLikeSqlInjection(value)) rejectedValues[path] = value.slice(0, 200);
  }
  const names = Object.keys(fields).join(', ');
  if (Object.keys(rejectedValues).length > 0) {
    throw new PortalError('rejected_input', `Rejected ${what}: SQL syntax in ${names}`, { fields, rejectedValues });
  }
  throw new PortalError('invalid_request', `Invalid ${what}: ${names}`, { fields });
}
