import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { GetMetricHistoryBulkInterval_Response } from '../../src/mlflow/contract.ts';
import { bulkIntervalJson } from '../../src/mlflow/tracking-presenters.ts';

/** The answers written as JSON text bypass the serializer and the response check: they are held to their schema here. */
describe('the bulk-interval answer written as text', () => {
  const validate = new Ajv({ strict: false }).compile(GetMetricHistoryBulkInterval_Response);

  it('is a GetMetricHistoryBulkInterval_Response, NaN and infinities included', () => {
    const body = JSON.parse(
      bulkIntervalJson('loss', [
        {
          runId: 'a'.repeat(32),
          points: [
            { key: 'loss', value: 1.5, timestamp: 10, step: 0 },
            { key: 'loss', value: Number.NaN, timestamp: 11, step: 1 },
          ],
        },
        { runId: 'b'.repeat(32), points: [] },
        { runId: 'c'.repeat(32), points: [{ key: 'loss', value: Number.NEGATIVE_INFINITY, timestamp: 12, step: 5 }] },
      ]).toString('utf8'),
    );
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    expect(body.metrics.map((m: { value: unknown }) => m.value)).toEqual([1.5, 'NaN', '-Infinity']);
    expect(validate(JSON.parse(bulkIntervalJson('loss', []).toString('utf8')))).toBe(true);
  });
});
