import { describe, expect, it } from 'vitest';
import { Labels } from '../lib/labels.js';
import { groupKey, groupLabels, parseAlertmanagerConfig } from './index.js';

const TREE = `route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: [team="portal"]
      receiver: portal
      continue: true
      routes:
        - matchers: [service="api"]
          receiver: portal-api
    - matchers: [team="portal"]
      receiver: portal-second
    - matchers: [team!="portal", severity=~"crit.*"]
      receiver: pager
      group_by: ['...']
receivers: [{name: default}, {name: portal}, {name: portal-api}, {name: portal-second}, {name: pager}]
`;

describe('Route.match', () => {
  const tree = parseAlertmanagerConfig(TREE).routeTree;
  const receivers = (labels: Record<string, string>): string[] => tree.match(labels).map((r) => r.opts.receiver);

  it('tries later siblings after a match inside a continue route', () => {
    expect(receivers({ team: 'portal', service: 'api' })).toEqual(['portal-api', 'portal-second']);
    expect(receivers({ team: 'portal' })).toEqual(['portal', 'portal-second']);
  });

  it('treats a missing label as empty and falls back to the root', () => {
    expect(receivers({ severity: 'critical' })).toEqual(['pager']);
    expect(receivers({ severity: 'xcritical' })).toEqual(['default']);
    expect(receivers({})).toEqual(['default']);
  });

  it('accepts lib Labels as well as records', () => {
    expect(tree.match(Labels.from({ team: 'portal', service: 'api' })).map((r) => r.opts.receiver)).toEqual([
      'portal-api',
      'portal-second',
    ]);
  });

  it('gives keys, paths and group keys as Alertmanager', () => {
    const [api] = tree.match({ team: 'portal', service: 'api' });
    expect(api!.key).toBe('{}/{team="portal"}/{service="api"}');
    expect(api!.path).toBe('0.0');
    const labels = { alertname: 'DiskFull', team: 'ops', severity: 'critical', cluster: 'c1' };
    const [pager] = tree.match(labels);
    expect(pager!.opts.groupByAll).toBe(true);
    expect(groupLabels(labels, pager!.opts)).toEqual(labels);
    expect(groupKey(tree, labels)).toBe('{}:{alertname="DiskFull"}');
    expect(groupKey(pager!, labels)).toBe(
      '{}/{severity=~"crit.*",team!="portal"}:{alertname="DiskFull", cluster="c1", severity="critical", team="ops"}',
    );
  });

  it('walks the tree depth first', () => {
    const seen: string[] = [];
    tree.walk((r) => seen.push(r.opts.receiver));
    expect(seen).toEqual(['default', 'portal', 'portal-api', 'portal-second', 'pager']);
  });
});
