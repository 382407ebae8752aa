import { RESTRICTED_PREFIX } from '@watchkeeper/model';

/**
 * True when a metric name, label name or label value starts with the restricted prefix `_sms_`
 * in any case. Only the lower-case prefix makes a metric restricted (the catalog's rule); the
 * SDK refuses other spellings at definition time and treats them as restricted everywhere else,
 * so that `_SMS_markup` cannot slip onto a public endpoint.
 */
export function looksRestricted(token: string): boolean {
  return (
    token.length >= RESTRICTED_PREFIX.length &&
    token.slice(0, RESTRICTED_PREFIX.length).toLowerCase() === RESTRICTED_PREFIX
  );
}

/** True when `text` contains the restricted prefix anywhere, in any case. */
export function mentionsRestricted(text: string): boolean {
  return /_sms_/i.test(text);
}
