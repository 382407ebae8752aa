import { describe, expect, it } from 'vitest';
import { parseAlertmanagerConfig } from '../alerting/index.js';
import { Labels } from '../lib/labels.js';
import { AmtoolExit } from './amtool.js';
import { formatMatchingTree, formatRoutingTree, parseLabelArgs, resolveReceivers } from './routes.js';

const CONFIG = parseAlertmanagerConfig(`route:
  receiver: default
  routes:
    - match: {team: portal}
      receiver: portal
      routes:
        - {matchers: ['env=~"prod.*"'], receiver: portal-prod, continue: true}
        - {matchers: [severity="critical"], receiver: portal-pager}
    - match_re: {team: 'ops|sec'}
      receiver: ops
receivers: [{name: default}, {name: portal}, {name: portal-prod}, {name: portal-pager}, {name: ops}]
`);

describe('amtool config routes output', () => {
  it('prints the routing tree as treeprint does (no-break spaces under unfinished levels)', () => {
    expect(formatRoutingTree(CONFIG)).toBe(
      'Routing tree:\n' +
        '.\n' +
        '└── default-route  receiver: default\n' +
        '    ├── {team="portal"}  receiver: portal\n' +
        '    │\u00a0\u00a0 ├── {env=~"prod.*"}  continue: true  receiver: portal-prod\n' +
        '    │\u00a0\u00a0 └── {severity="critical"}  receiver: portal-pager\n' +
        '    └── {team=~"^(?:ops|sec)$"}  receiver: ops\n' +
        '\n',
    );
  });

  it('prints the matching routes and the receivers line', () => {
    const labels = parseLabelArgs(['team=portal', 'env=production', 'severity="critical"']);
    expect(formatMatchingTree(CONFIG, labels)).toBe(
      'Matching routes:\n' +
        '.\n' +
        '└── default-route\n' +
        '    └── {team="portal"}\n' +
        '        ├── {env=~"prod.*"}  receiver: portal-prod\n' +
        '        └── {severity="critical"}  receiver: portal-pager\n' +
        '\n\n',
    );
    expect(resolveReceivers(CONFIG, labels)).toBe('portal-prod,portal-pager');
    expect(resolveReceivers(CONFIG, Labels.EMPTY)).toBe('default');
  });

  it('reads labels as amtool does', () => {
    expect(parseLabelArgs(['a=1', 'b="x y"', 'a=2']).get('a')).toBe('2');
    expect(() => parseLabelArgs(['a=~1'])).toThrow(
      new AmtoolExit('Failed to parse labels: labels must be specified as key=value pairs'),
    );
    expect(() => parseLabelArgs(['a b'])).toThrow('Failed to parse labels: bad matcher format: a b');
  });
});
