/** Setup errors of the notifiers: thrown by `createNotifiers` only, never by `notify`. */

/**
 * A receiver configuration Watchkeeper cannot deliver as written (an HTTP client feature the
 * notifiers do not implement). Thrown at startup so that the problem is seen before an alert needs it.
 */
export class NotifierSetupError extends Error {
  readonly code = 'WK_NOTIFIER_SETUP';
  constructor(
    /** Where: `receivers[name=ops].slack_configs.0.http_config.oauth2`. */
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`At ${path}: ${message}`, options);
    this.name = 'NotifierSetupError';
  }
}
