/**
 * auth: portal users, logins and sessions. Issues the HMAC-signed tokens every other service
 * validates locally; counts logins (sms_user_sessions_total) and failures
 * (sms_login_failures_total); owns sms_user_active from the activity all services report.
 */
import { randomBytes } from 'node:crypto';
import { ActivityReport, CreateUserRequest, LoginRequest } from '../../contract.js';
import { PortalError } from '../shared/errors.js';
import { looksLikeSqlInjection } from '../shared/sql-injection.js';
import { GaugeSync } from '../shared/gauge-sync.js';
import { newId } from '../shared/ids.js';
import type { ServiceContext, ServiceDefinition } from '../shared/service-host.js';
import type { Platform, Role } from '../shared/tokens.js';
import { parseInput } from '../shared/validation.js';
import { hashPassword, spendVerificationTime, verifyPassword } from './passwords.js';

const SCHEMA = `
CREATE TABLE users (
  user_id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_salt BLOB NOT NULL,
  password_hash BLOB NOT NULL,
  role TEXT NOT NULL,
  company_id TEXT NOT NULL,
  company TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until_ms INTEGER NOT NULL DEFAULT 0,
  last_seen_ms INTEGER
);
CREATE INDEX users_last_seen ON users (last_seen_ms);
CREATE TABLE sessions (
  session_id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (user_id),
  platform TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  revoked_at_ms INTEGER
);
CREATE INDEX sessions_expiry ON sessions (expires_at_ms);
`;

/** Failed logins in a row that lock an account, and for how long. */
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MS = 15 * 60_000;
/** Session lifetime; the offline app's sessions outlive a voyage leg without coverage. */
export const SESSION_MS = 8 * 3_600_000;
export const OFFLINE_SESSION_MS = 72 * 3_600_000;
/** "Active" users: seen within this window (sms_user_active). */
export const ACTIVE_WINDOW_MS = 15 * 60_000;

interface UserRow {
  user_id: string;
  password_salt: Buffer;
  password_hash: Buffer;
  role: Role;
  company_id: string;
  company: string;
  failed_attempts: number;
  locked_until_ms: number;
}

export const authService: ServiceDefinition = {
  name: 'auth',
  schema: SCHEMA,
  setup(ctx: ServiceContext) {
    const { app, t, pool } = ctx;
    const sessionsTotal = t.counter('sms_user_sessions_total');
    const loginFailures = t.counter('sms_login_failures_total');
    const featureUsage = t.counter('sms_feature_usage_total');
    const userActive = new GaugeSync(t.gauge('sms_user_active'));

    ctx.activity.redirect(async (entries) => {
      await pool.transaction('record_activity', (sql) => {
        for (const e of entries) {
          sql.run(
            'UPDATE users SET last_seen_ms = max(coalesce(last_seen_ms, 0), ?) WHERE user_id = ?',
            e.seenAtMs,
            e.userId,
          );
        }
      });
    });

    app.post('/api/auth/users', async (request, reply) => {
      const body = parseInput(CreateUserRequest, request.body);
      const { salt, hash } = await hashPassword(body.password);
      const userId = newId('usr');
      const inserted = await pool.query(
        (sql) =>
          sql.run(
            `INSERT INTO users (user_id, username, password_salt, password_hash, role, company_id, company, created_at_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING`,
            userId,
            body.username,
            salt,
            hash,
            body.role,
            body.company_id,
            body.company,
            ctx.now(),
          ).changes,
      );
      if (inserted === 0) throw new PortalError('conflict', 'That username is taken');
      t.logger.info({ user_id: userId, company_id: body.company_id, role: body.role }, 'User created');
      return reply.code(201).send({ user_id: userId });
    });

    app.post('/api/auth/login', async (request, reply) => {
      const body = parseInput(LoginRequest, request.body);
      const now = ctx.now();
      if (looksLikeSqlInjection(body.username)) {
        // Answered like any failed login (401), but counted and logged as a probe.
        loginFailures.inc({ reason: 'suspicious_input' });
        ctx.countError('rejected_input');
        t.logger.warn(
          {
            security: 'suspicious_input',
            context: { endpoint: '/api/auth/login' },
            rejected: { username: body.username },
          },
          'Security: SQL syntax in a login user name',
        );
        throw new PortalError('unauthenticated', 'Unknown user name or wrong password');
      }
      const user = await pool.query((sql) =>
        sql.get<UserRow>(
          `SELECT user_id, password_salt, password_hash, role, company_id, company, failed_attempts, locked_until_ms
           FROM users WHERE username = ?`,
          body.username,
        ),
      );
      const fail = (reason: 'unknown_user' | 'bad_password' | 'account_locked', userId?: string): never => {
        loginFailures.inc({ reason });
        t.logger.warn({ user_id: userId, reason, platform: body.platform }, 'Login failed');
        throw new PortalError('unauthenticated', 'Unknown user name or wrong password');
      };
      if (user === undefined) {
        await spendVerificationTime(body.password);
        return fail('unknown_user');
      }
      if (user.locked_until_ms > now) return fail('account_locked', user.user_id);
      if (!(await verifyPassword(body.password, { salt: user.password_salt, hash: user.password_hash }))) {
        const attempts = user.failed_attempts + 1;
        const lock = attempts >= LOCKOUT_THRESHOLD;
        await pool.query((sql) =>
          sql.run(
            'UPDATE users SET failed_attempts = ?, locked_until_ms = ? WHERE user_id = ?',
            lock ? 0 : attempts,
            lock ? now + LOCKOUT_MS : user.locked_until_ms,
            user.user_id,
          ),
        );
        if (lock)
          t.logger.warn({ user_id: user.user_id, lock_ms: LOCKOUT_MS }, 'Account locked after repeated failures');
        return fail('bad_password', user.user_id);
      }

      const platform: Platform = body.platform;
      const sessionId = randomBytes(12).toString('hex');
      const expiresAtMs = now + (platform === 'offline_app' ? OFFLINE_SESSION_MS : SESSION_MS);
      await pool.transaction('login', (sql) => {
        sql.run('UPDATE users SET failed_attempts = 0, last_seen_ms = ? WHERE user_id = ?', now, user.user_id);
        sql.run(
          'INSERT INTO sessions (session_id, user_id, platform, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?)',
          sessionId,
          user.user_id,
          platform,
          now,
          expiresAtMs,
        );
      });
      const token = ctx.env.tokens.sign({
        kind: 'user',
        userId: user.user_id,
        sessionId,
        role: user.role,
        companyId: user.company_id,
        company: user.company,
        platform,
        expiresAtMs,
      });
      sessionsTotal.inc({ role: user.role, platform, company: user.company });
      featureUsage.inc({ feature: 'login', role: user.role });
      ctx.usage.add(user.company_id, 'login');
      t.logger.info({ user_id: user.user_id, company_id: user.company_id, platform }, 'Login');
      return reply.send({
        token,
        role: user.role,
        company_id: user.company_id,
        expires_at: new Date(expiresAtMs).toISOString(),
      });
    });

    app.post('/api/auth/logout', async (request, reply) => {
      const claims = await ctx.authenticate(request, 'POST /api/auth/logout');
      await pool.query((sql) =>
        sql.run(
          'UPDATE sessions SET revoked_at_ms = ? WHERE session_id = ? AND revoked_at_ms IS NULL',
          ctx.now(),
          claims.sessionId,
        ),
      );
      return reply.code(204).send();
    });

    app.post('/api/auth/activity', async (request, reply) => {
      ctx.authenticateService(request);
      const body = parseInput(ActivityReport, request.body);
      await pool.transaction('record_activity', (sql) => {
        for (const u of body.users) {
          sql.run(
            'UPDATE users SET last_seen_ms = max(coalesce(last_seen_ms, 0), ?) WHERE user_id = ?',
            u.seen_at_ms,
            u.user_id,
          );
        }
      });
      return reply.code(204).send();
    });

    ctx.every(60_000, async () => {
      await pool.query((sql) => sql.run('DELETE FROM sessions WHERE expires_at_ms < ?', ctx.now() - 86_400_000));
    });

    ctx.onScrape(() => {
      const rows = pool.tryQuery((sql) =>
        sql.all<{ role: string; company_id: string; n: number }>(
          `SELECT role, company_id, count(*) AS n FROM users WHERE last_seen_ms > ? GROUP BY role, company_id`,
          ctx.now() - ACTIVE_WINDOW_MS,
        ),
      );
      if (rows === undefined) return;
      userActive.update(rows.map((r) => ({ labels: { role: r.role, company_id: r.company_id }, value: r.n })));
    });
  },
};
