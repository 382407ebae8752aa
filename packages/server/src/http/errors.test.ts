import { describe, expect, it } from 'vitest';
import { Engine, parseExpr, QueryError } from '../promql/index.js';
import { MemoryStorage } from '../tsdb/index.js';
import { BadRequestError, errorStatus } from './errors.js';

/** The error a promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.unreachable('expected the query to fail'),
    (err: unknown) => err,
  );
}

describe('errorStatus', () => {
  const engine = new Engine(new MemoryStorage());

  it.each([
    ['"foo"', 'string'],
    ['up[5m]', 'range vector'],
    ['rate(up[5m])[10m:1m]', 'range vector'],
  ])('answers a range query of %s with 400 bad_data, as Prometheus does', async (query, type) => {
    const err = await rejection(engine.rangeQuery(query, 0, 60_000, 15_000));
    expect(err).toBeInstanceOf(QueryError);
    expect(errorStatus(err)).toEqual({
      status: 400,
      errorType: 'bad_data',
      message: `invalid expression type "${type}" for range query, must be Scalar or instant Vector`,
    });
  });

  it('answers a bad step or time range of a range query with 400 bad_data', async () => {
    expect(errorStatus(await rejection(engine.rangeQuery('1', 0, 60_000, 0)))).toMatchObject({
      status: 400,
      errorType: 'bad_data',
    });
    expect(errorStatus(await rejection(engine.rangeQuery('1', 60_000, 0, 1000)))).toMatchObject({
      status: 400,
      errorType: 'bad_data',
    });
  });

  it('keeps 422 execution for errors while evaluating', async () => {
    const err = await rejection(engine.instantQuery('label_replace(vector(1), "a", "x", "b", "(")', 0));
    expect(errorStatus(err)).toMatchObject({ status: 422, errorType: 'execution' });
  });

  it('maps parse errors and bad requests to 400 bad_data, anything else to 500 internal', () => {
    let parseErr: unknown;
    try {
      parseExpr('sum(');
    } catch (err) {
      parseErr = err;
    }
    expect(errorStatus(parseErr)).toMatchObject({ status: 400, errorType: 'bad_data' });
    expect(errorStatus(new BadRequestError('no'))).toEqual({ status: 400, errorType: 'bad_data', message: 'no' });
    expect(errorStatus(new Error('boom'))).toEqual({ status: 500, errorType: 'internal', message: 'boom' });
  });
});
