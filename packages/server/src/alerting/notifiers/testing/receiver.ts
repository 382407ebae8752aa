/**
 * Receivers for notifier tests, parsed from alertmanager.yml text as the server parses them (so
 * that Alertmanager's defaults and the global settings apply).
 */
import { parseAlertmanagerConfig } from '../../config/load.js';
import type { ReceiverConfig } from '../../config/receivers.js';

/**
 * The receiver `r` of a configuration whose receiver body is `body` (YAML, indented by the caller
 * as a mapping's members: `slack_configs:\n  - api_url: ...`) and whose global section is `global`.
 */
export function receiverFromYaml(body: string, global = ''): ReceiverConfig {
  const indent = (text: string, n: number) =>
    text
      .split('\n')
      .map((l) => (l.trim() === '' ? l : ' '.repeat(n) + l))
      .join('\n');
  const text = [
    ...(global !== '' ? ['global:', indent(global, 2)] : []),
    'route:',
    '  receiver: r',
    'receivers:',
    '  - name: r',
    indent(body, 4),
    '',
  ].join('\n');
  const config = parseAlertmanagerConfig(text, { file: 'notifier-test.yml', baseDir: '/' });
  return config.receiversByName.get('r')!;
}
