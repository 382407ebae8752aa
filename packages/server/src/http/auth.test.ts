import { describe, expect, it } from 'vitest';
import { requirementOf, ROUTE_PERMISSIONS } from './auth.js';

describe('the route permission table', () => {
  it.each([
    ['GET', '/-/healthy', 'open'],
    ['GET', '/-/ready', 'open'],
    ['GET', '/metrics', 'open'],
    ['POST', '/api/wk/login', 'open'],
    ['GET', '/api/wk/ack/:token', 'open'],
    ['POST', '/api/wk/ack/:token', 'open'],
    ['POST', '/api/wk/integrations/pagerduty/webhook', 'open'],
    ['GET', '/api/wk/me', 'authenticated'],
    ['POST', '/api/wk/logout', 'authenticated'],
    ['GET', '/api/v1/query', 'metrics:read'],
    ['HEAD', '/api/v1/query', 'metrics:read'],
    ['POST', '/api/v1/query', 'metrics:read'],
    ['POST', '/api/v1/query_range', 'metrics:read'],
    ['GET', '/api/v1/label/:name/values', 'metrics:read'],
    ['GET', '/api/v1/status/tsdb', 'metrics:read'],
    ['POST', '/api/v1/admin/tsdb/delete_series', 'admin'],
    ['PUT', '/api/v1/admin/tsdb/delete_series', 'admin'],
    ['GET', '/api/v1/admin/anything', 'admin'],
    ['POST', '/api/v1/write', 'ingest:write'],
    ['PUT', '/api/v1/write', 'admin'],
    ['POST', '/api/v2/alerts', 'ingest:write'],
    ['GET', '/api/v2/alerts', 'alerts:read'],
    ['GET', '/api/v2/alerts/groups', 'alerts:read'],
    ['POST', '/api/v2/silences', 'alerts:write'],
    ['DELETE', '/api/v2/silence/:id', 'alerts:write'],
    ['GET', '/api/v2/silence/:id', 'alerts:read'],
    ['GET', '/api/wk/incidents', 'alerts:read'],
    ['GET', '/api/wk/incidents/:id', 'alerts:read'],
    ['POST', '/api/wk/incidents/:id/acknowledge', 'alerts:write'],
    ['GET', '/api/wk/audit', 'audit:read'],
    ['GET', '/api/wk/users', 'admin'],
    ['PATCH', '/api/wk/users/:name', 'admin'],
    ['DELETE', '/api/wk/tokens/:id', 'admin'],
    ['GET', '/api/wk/dashboards', 'metrics:read'],
    ['GET', '/api/wk/dashboards/:id', 'metrics:read'],
    ['GET', '/api/wk/something-new', 'admin'],
    ['POST', '/api/v1/something-new', 'admin'],
    ['GET', '/api', 'admin'],
    ['POST', '/v1/traces', 'ingest:write'],
    ['GET', '/v1/traces', 'admin'],
    ['POST', '/loki/api/v1/push', 'ingest:write'],
    ['GET', '/loki/api/v1/query_range', 'metrics:read'],
    ['GET', '/', 'open'],
    ['GET', '/dashboards/executive', 'open'],
    ['GET', '/assets/index-abc.js', 'open'],
    ['POST', '/', 'admin'],
    ['OPTIONS', '/api/v1/query', 'admin'],
  ])('%s %s needs %s', (method, path, need) => {
    expect(requirementOf(method, path)).toBe(need);
  });

  it('ends with catch-all rules, so that nothing falls through', () => {
    expect(ROUTE_PERMISSIONS.at(-1)).toMatchObject({ methods: '*', path: '/**', need: 'admin' });
  });
});
