/**
 * Remote write 1.0 ingestion: decodes a request and writes its samples through one durable batch.
 * Returns the outcome as a value (status and message) for the HTTP layer, following the remote
 * write specification: 2xx once written, 400 for data that will never be accepted (corrupt body,
 * samples rejected as out of order or invalid), 5xx only for conditions worth retrying.
 */
import type { Counter } from 'prom-client';
import type { Appendable, AppendRejection } from '../tsdb/index.js';
import { decodeWriteRequest } from './remote-write/index.js';

export interface RemoteWriteMetrics {
  requests: Counter<'code'>;
  samples: Counter<'result'>;
  rejected: Counter<'reason'>;
  decodeErrors: Counter<'code'>;
}

export interface RemoteWriteOutcome {
  status: 204 | 400 | 413 | 500;
  message?: string;
  accepted: number;
  rejected: number;
}

const MAX_EXAMPLES = 3;

export async function handleRemoteWrite(
  body: Uint8Array,
  storage: Appendable,
  metrics: RemoteWriteMetrics,
  opts: { maxDecompressedBytes: number },
): Promise<RemoteWriteOutcome> {
  const decoded = decodeWriteRequest(body, { maxDecompressedBytes: opts.maxDecompressedBytes });
  if ('error' in decoded) {
    metrics.decodeErrors.inc({ code: decoded.error.code });
    const status = decoded.error.code === 'WK_REMOTE_WRITE_TOO_LARGE' ? 413 : 400;
    return { status, message: decoded.error.message, accepted: 0, rejected: 0 };
  }
  const app = storage.appender();
  let accepted = 0;
  const rejections = new Map<AppendRejection, number>();
  const examples: string[] = [];
  for (const s of decoded.series) {
    const labels = s.labels;
    for (let i = 0; i < s.timestampsMs.length; i++) {
      const r = app.append(labels, s.timestampsMs[i]!, s.values[i]!);
      if (r === undefined) {
        accepted++;
        continue;
      }
      rejections.set(r, (rejections.get(r) ?? 0) + 1);
      if (examples.length < MAX_EXAMPLES) examples.push(`${r} at ${s.timestampsMs[i]} for ${labels.toString()}`);
    }
  }
  try {
    await app.commit();
  } catch (err) {
    metrics.requests.inc({ code: '500' });
    return {
      status: 500,
      message: `storage failed to persist the batch: ${(err as Error).message}`,
      accepted: 0,
      rejected: 0,
    };
  }
  metrics.samples.inc({ result: 'accepted' }, accepted);
  let rejected = 0;
  for (const [reason, n] of rejections) {
    metrics.rejected.inc({ reason }, n);
    rejected += n;
  }
  const issues = decoded.issues.map((i) => i.message);
  if (rejected > 0 || issues.length > 0) {
    metrics.samples.inc({ result: 'rejected' }, rejected);
    metrics.requests.inc({ code: '400' });
    const parts: string[] = [];
    if (rejected > 0) {
      parts.push(
        `${rejected} sample(s) rejected (${[...rejections].map(([r, n]) => `${r}: ${n}`).join(', ')}), e.g. ${examples.join('; ')}`,
      );
    }
    if (issues.length > 0)
      parts.push(`${issues.length} series dropped, e.g. ${issues.slice(0, MAX_EXAMPLES).join('; ')}`);
    return { status: 400, message: `${accepted} sample(s) written; ${parts.join('; ')}`, accepted, rejected };
  }
  metrics.requests.inc({ code: '204' });
  return { status: 204, accepted, rejected: 0 };
}
