/**
 * access/: users, sessions, roles, API tokens, the restricted-series policy and the audit log
 * (docs/architecture.md). http/ asks it who is calling and what they may see; the query paths
 * take its series filter.
 */
export {
  ANONYMOUS,
  canReadRestricted,
  hasPermission,
  isRole,
  permissionsOf,
  PERMISSIONS,
  ROLE_PERMISSIONS,
  ROLES,
  type Permission,
  type Principal,
  type Role,
} from './roles.js';
export type { AuditEntry, AuditLog, AuditRecord } from './audit.js';
