/**
 * Roles and what they may do (issue 6, "Access control"). A principal — a user with a session, an
 * API token, the admin token from WATCHKEEPER_ADMIN_TOKEN — carries roles; every API checks a
 * permission, never a role name, so that what a role means is written in one place: here.
 */

/**
 * The plan's six roles for people, and `ingest` for machine clients that only write (a remote
 * write or alert-sending token: it can push data but read nothing).
 */
export const ROLES = ['admin', 'ops', 'exec', 'revenue-internal', 'security', 'viewer', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  /** Query metrics, series, labels, metadata, rules and alerts that are not restricted; public dashboards. */
  'metrics:read',
  /** Restricted series (`_sms_*` and what rules derive from them), the revenue protection dashboard, internal alerts. */
  'restricted:read',
  /** Alerts, groups, silences, incidents (read). */
  'alerts:read',
  /** Create and expire silences, acknowledge incidents. */
  'alerts:write',
  /** The audit log. */
  'audit:read',
  /** Users, roles, API tokens, TSDB admin endpoints. */
  'admin',
  /** Remote write and alert ingest (POST /api/v1/write, POST /api/v2/alerts) by machine clients. */
  'ingest:write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: PERMISSIONS,
  ops: ['metrics:read', 'alerts:read', 'alerts:write'],
  security: ['metrics:read', 'alerts:read', 'alerts:write', 'audit:read'],
  exec: ['metrics:read', 'alerts:read'],
  'revenue-internal': ['metrics:read', 'restricted:read', 'alerts:read', 'alerts:write'],
  viewer: ['metrics:read'],
  ingest: ['ingest:write'],
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Who is asking. */
export interface Principal {
  /** `user`: a session cookie; `token`: an API token; `admin-token`: WATCHKEEPER_ADMIN_TOKEN; `anonymous`: nothing sent. */
  readonly kind: 'user' | 'token' | 'admin-token' | 'anonymous';
  /** The user name, the token's id (`tok_...`), `admin-token` or `anonymous`: what the audit log records. */
  readonly name: string;
  readonly roles: readonly Role[];
}

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous', name: 'anonymous', roles: [] });

export function permissionsOf(principal: Principal): ReadonlySet<Permission> {
  return new Set(principal.roles.flatMap((r) => ROLE_PERMISSIONS[r]));
}

export function hasPermission(principal: Principal, permission: Permission): boolean {
  return principal.roles.some((r) => ROLE_PERMISSIONS[r].includes(permission));
}

/** Whether restricted series exist for this principal. */
export function canReadRestricted(principal: Principal): boolean {
  return hasPermission(principal, 'restricted:read');
}
