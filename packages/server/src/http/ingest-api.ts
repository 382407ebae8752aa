/** Ingestion endpoints: Prometheus remote write 1.0 at `POST /api/v1/write`. */
import type { FastifyInstance } from 'fastify';
import { handleRemoteWrite, type RemoteWriteMetrics } from '../ingest/index.js';
import type { Appendable } from '../tsdb/index.js';

export interface IngestApiOptions {
  storage: Appendable;
  metrics: RemoteWriteMetrics;
  maxRequestBodyBytes: number;
  /** Largest decompressed remote-write body accepted. */
  maxDecompressedBytes: number;
}

export function registerIngestApi(app: FastifyInstance, opts: IngestApiOptions): void {
  app.register((scope, _o, done) => {
    // Remote write bodies are snappy-compressed protobuf, whatever content type a sender claims.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.maxRequestBodyBytes }, (_req, body, next) => {
      next(null, body);
    });
    scope.post('/api/v1/write', async (req, reply) => {
      const body = req.body instanceof Buffer ? req.body : Buffer.alloc(0);
      const out = await handleRemoteWrite(body, opts.storage, opts.metrics, {
        maxDecompressedBytes: opts.maxDecompressedBytes,
      });
      if (out.status === 204) return reply.code(204).send();
      return reply
        .code(out.status)
        .header('content-type', 'text/plain; charset=utf-8')
        .send(`${out.message ?? ''}\n`);
    });
    done();
  });
}
