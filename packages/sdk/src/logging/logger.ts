/**
 * The service's logger: pino writing the log schema of plan §5.2, one JSON object per line:
 *
 * ```json
 * {"level":"INFO","timestamp":"2025-01-05T10:30:45.123Z","service":"parts-api",
 *  "trace_id":"…","span_id":"…","user_id":"usr_123","company_id":"cmp_456","vessel_id":"vsl_789",
 *  "context":{"endpoint":"/api/parts/quote","method":"POST","duration_ms":245,"status_code":200},
 *  "metadata":{"version":"1.2.3","environment":"production","region":"us-east-1","pod":"parts-api-7d9f8b-x2np4"},
 *  "message":"Parts quote requested"}
 * ```
 *
 * - `trace_id`/`span_id` are those of the active span (absent outside any span).
 * - `user_id`, `company_id`, `vessel_id` and `err` stay at the top level; any other field the
 *   caller logs is moved under `context`.
 * - The message and every string field are masked ({@link maskPii}); fields named like secrets or
 *   personal data (`password`, `token`, `email`, ...) are redacted ({@link maskFields}).
 */
import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger } from 'pino';
import { TelemetryOptionsError } from '../errors.js';
import { maskFields, maskPii } from '../pii.js';
import type { LogLevel } from '../options.js';

/** Top-level fields of the schema a caller may set; everything else goes under `context`. */
const TOP_LEVEL_FIELDS = new Set(['user_id', 'company_id', 'vessel_id', 'trace_id', 'span_id', 'context', 'err']);

export interface LoggerOptions {
  readonly service: string;
  readonly version: string;
  readonly environment: string;
  readonly region: string | undefined;
  readonly pod: string;
  readonly level: LogLevel;
  readonly destination: string | NodeJS.WritableStream | undefined;
  readonly now: () => number;
}

export interface ServiceLogger {
  readonly logger: Logger;
  /** Writes out what is buffered; ends the file stream the SDK opened. */
  close(): Promise<void>;
  /** Writes out what is buffered. */
  flush(): Promise<void>;
}

function isoTimestamp(now: () => number): string {
  let ms: number;
  try {
    ms = now();
  } catch {
    ms = Date.now();
  }
  return new Date(Number.isFinite(ms) ? ms : Date.now()).toISOString();
}

function activeSpanIds(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getSpanContext(context.active());
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/** Error serializer: pino's, with message and stack masked. */
function serializeError(error: unknown): unknown {
  const serialized = error instanceof Error ? pino.stdSerializers.err(error) : error;
  return maskFields(serialized);
}

interface SonicBoomLike {
  write(line: string): boolean;
  flush(cb?: (err?: Error) => unknown): void;
  end(): void;
  once(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** Opens (creates, appends to) the log file now, so that a bad path fails at setup. */
function openLogFile(path: string): number {
  try {
    mkdirSync(dirname(path), { recursive: true });
    return openSync(path, 'a');
  } catch (error) {
    throw new TelemetryOptionsError(
      'WK_SDK_INVALID_OPTIONS',
      'log.destination',
      `Invalid telemetry options — log.destination: cannot open ${path} for appending (${error instanceof Error ? error.message : String(error)}).`,
      { cause: error },
    );
  }
}

export function createServiceLogger(options: LoggerOptions): ServiceLogger {
  const metadata = Object.freeze({
    version: options.version,
    environment: options.environment,
    ...(options.region === undefined ? {} : { region: options.region }),
    pod: options.pod,
  });

  let ownFile: SonicBoomLike | undefined;
  let fileOpen = true;
  let destination: DestinationStream | NodeJS.WritableStream;
  if (typeof options.destination === 'string') {
    const file = pino.destination({ dest: openLogFile(options.destination), sync: false }) as unknown as SonicBoomLike &
      DestinationStream;
    // A write error (disk full) must not crash the host through an unhandled 'error' event.
    file.on('error', () => undefined);
    ownFile = file;
    // Lines logged after shutdown are dropped instead of failing on the closed file.
    destination = {
      write: (line: string) => {
        if (fileOpen) file.write(line);
      },
      flush: (cb?: (err?: Error) => unknown) => {
        if (fileOpen) file.flush(cb);
        else cb?.();
      },
    } as DestinationStream;
  } else if (options.destination !== undefined) {
    destination = options.destination;
  } else {
    const stdout = pino.destination({ dest: 1, sync: true }) as unknown as SonicBoomLike & DestinationStream;
    stdout.on('error', () => undefined);
    destination = stdout;
  }

  const logger = pino(
    {
      level: options.level,
      messageKey: 'message',
      base: { service: options.service },
      timestamp: () => `,"timestamp":"${isoTimestamp(options.now)}"`,
      mixin: activeSpanIds,
      serializers: {
        message: (message: unknown) => (typeof message === 'string' ? maskPii(message) : message),
        err: serializeError,
      },
      formatters: {
        level: (label) => ({ level: label.toUpperCase() }),
        bindings: (bindings) => maskFields(bindings) as Record<string, unknown>,
        log: (object) => {
          const out: Record<string, unknown> = {};
          let extra: Record<string, unknown> | undefined;
          for (const [key, value] of Object.entries(object)) {
            if (key === 'err' || key === 'trace_id' || key === 'span_id') out[key] = value;
            else if (key === 'context') out.context = value;
            else if (TOP_LEVEL_FIELDS.has(key)) out[key] = maskFields(value);
            else (extra ??= {})[key] = value;
          }
          const given = out.context;
          if (extra !== undefined) {
            out.context =
              typeof given === 'object' && given !== null && !Array.isArray(given) ? { ...given, ...extra } : extra;
          }
          // Masked as one object, so that secret-like keys are redacted wherever they are.
          if (out.context !== undefined) out.context = maskFields(out.context);
          out.metadata = metadata;
          return out;
        },
      },
    },
    destination,
  );

  // pino applies formatters.bindings to the root's bindings only; children mask theirs here
  // (children of children inherit this method through their prototype, the parent).
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the child as `this`
  const pinoChild = logger.child as unknown as (this: Logger, bindings: unknown, ...rest: unknown[]) => Logger;
  const maskedChild = function (this: Logger, bindings: unknown, ...rest: unknown[]): Logger {
    return pinoChild.call(this, maskFields(bindings), ...rest);
  };
  logger.child = maskedChild as unknown as Logger['child'];

  const flush = (): Promise<void> =>
    new Promise((resolve) => {
      try {
        logger.flush(() => resolve());
      } catch {
        resolve();
      }
    });

  return {
    logger,
    flush,
    async close() {
      await flush();
      const file = ownFile;
      if (file === undefined || !fileOpen) return;
      fileOpen = false;
      await new Promise<void>((resolve) => {
        try {
          file.once('close', resolve);
          file.end();
        } catch {
          resolve();
        }
      });
    },
  };
}
