/**
 * alertmanager.yml with its secrets replaced by `<secret>`, as Alertmanager shows its
 * configuration in `GET /api/v2/status`: passwords, keys, tokens, Slack and Discord webhook URLs,
 * and the path and query of webhook and SMS gateway URLs. The result still parses (amtool's and
 * Watchkeeper's `config routes --alertmanager.url` read it).
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';

/** Keys whose value is a secret wherever they appear. */
const SECRET_KEYS = new Set([
  'smtp_auth_password',
  'smtp_auth_secret',
  'slack_api_url',
  'opsgenie_api_key',
  'wechat_api_secret',
  'victorops_api_key',
  'auth_password',
  'auth_secret',
  'service_key',
  'routing_key',
  'api_key',
  'api_secret',
  'user_key',
  'token',
  'secret_key',
  'bot_token',
  'password',
  'credentials',
  'bearer_token',
  'client_secret',
  'webhook_url',
]);

/** Keys that are secret inside the items of one receiver list. */
const SECRET_KEYS_IN: Record<string, readonly string[]> = {
  slack_configs: ['api_url'],
};

/**
 * URLs whose path and query may carry a token but whose form Alertmanager 0.25 checks (a plain
 * URL, not a SecretURL): the scheme and host stay, the rest becomes `/<secret>`, so that amtool
 * still parses the configuration.
 */
const URL_KEYS_IN: Record<string, readonly string[]> = {
  webhook_configs: ['url'],
  sms_configs: ['url'],
};

function redactUrl(node: unknown): void {
  if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') return;
  try {
    const u = new URL(node.value);
    const rest = `${u.pathname}${u.search}${u.hash}`;
    const auth = u.username !== '' || u.password !== '' ? '<secret>@' : '';
    node.value = `${u.protocol}//${auth}${u.host}${rest === '/' || rest === '' ? rest : '/<secret>'}`;
  } catch {
    node.value = '<secret>';
  }
}

function redactValue(node: unknown): void {
  if (isScalar(node)) {
    if (node.value !== null && node.value !== '') node.value = '<secret>';
  } else if (isSeq(node) || isMap(node)) {
    for (const item of node.items) redactValue(isPair(item) ? item.value : item);
  }
}

/** The configuration text with secrets hidden (empty if it does not parse as YAML: never the raw text). */
export function redactConfigText(original: string): string {
  const doc = parseDocument(original);
  if (doc.errors.length > 0) return '';
  visit(doc, {
    Pair(_key, pair, path) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (key === 'proxy_connect_header' || SECRET_KEYS.has(key)) {
        redactValue(pair.value);
        return visit.SKIP;
      }
      // path: ..., Pair(<list name>), Seq, Map(this item)
      const listPair = path.at(-3);
      if (isPair(listPair) && isScalar(listPair.key)) {
        const list = String(listPair.key.value);
        if (SECRET_KEYS_IN[list]?.includes(key)) {
          redactValue(pair.value);
          return visit.SKIP;
        }
        if (URL_KEYS_IN[list]?.includes(key)) {
          redactUrl(pair.value);
          return visit.SKIP;
        }
      }
      return undefined;
    },
  });
  return doc.toString();
}
