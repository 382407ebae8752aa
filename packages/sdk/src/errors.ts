/** Stable codes of the SDK's setup errors. */
export type TelemetryErrorCode =
  /** `createTelemetry` got an option it cannot use. */
  | 'WK_SDK_INVALID_OPTIONS'
  /** A metric definition breaks the label policy, or names a metric the catalog does not have. */
  | 'WK_SDK_INVALID_METRIC';

/**
 * The SDK's only error, thrown at setup — by `createTelemetry` for bad options, by `define`,
 * `counter`, `gauge` and `histogram` for a metric that breaks the policy — and never afterwards:
 * recording a sample, serving an endpoint or instrumenting a request does not throw.
 *
 * `path` locates the problem: an option path (`tracing.otlpEndpoint`) or a metric and what in it
 * (`sms_custom_total.labels.user_id`).
 */
export class TelemetryOptionsError extends Error {
  override readonly name = 'TelemetryOptionsError';

  constructor(
    readonly code: TelemetryErrorCode,
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
