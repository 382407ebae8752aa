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
export type { AuditEntry, AuditFilter, AuditLog, AuditRecord } from './audit.js';
export {
  AccessError,
  AccessStore,
  ACCESS_DB_FILE,
  checkPassword,
  checkRoles,
  FIRST_ADMIN,
  INITIAL_ADMIN_PASSWORD_FILE,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  USER_NAME_RE,
  type AccessStoreOptions,
  type SessionInfo,
  type TokenInfo,
  type UserInfo,
} from './store.js';
export { LoginRateLimiter, loginKeys, type LoginRateLimitOptions } from './rate-limit.js';
export { DEFAULT_SCRYPT, generatePassword, safeEqual, TOKEN_PREFIX, type ScryptParams } from './secrets.js';
export {
  deriveRestrictedNames,
  RestrictedNames,
  RestrictedScope,
  RestrictedSeriesError,
  RestrictedSeriesPolicy,
  RESTRICTED_MARKER_LABEL,
  RESTRICTED_MARKER_VALUE,
  type RestrictedRequest,
  type RestrictedRuleInput,
  type RestrictedSeriesPolicyOptions,
} from './restricted.js';
export { MemoryAuditLog } from './memory-audit-log.js';
