import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  metricValue,
  scrape,
  signUpCompany,
  startTestPortal,
  type TestCompany,
  type TestPortal,
} from '../../portal/test-kit.js';
import { LOCKOUT_THRESHOLD } from './auth-service.js';

let portal: TestPortal;
let company: TestCompany;

beforeAll(async () => {
  portal = await startTestPortal();
  company = await signUpCompany(portal);
});
afterAll(async () => {
  await portal?.stop();
});

const login = (username: string, password: string, platform = 'web') =>
  portal.call('auth', 'POST', '/api/auth/login', { json: { username, password, platform } });

async function failures(reason: string): Promise<number> {
  return metricValue(await scrape(portal, 'auth'), 'sms_login_failures_total', { reason });
}

describe('auth', () => {
  it('counts sessions by role, platform and company', async () => {
    const metrics = await scrape(portal, 'auth');
    expect(
      metricValue(metrics, 'sms_user_sessions_total', {
        role: 'technician',
        platform: 'offline_app',
        company: company.name,
      }),
    ).toBe(1);
    // A login is activity: all five users of the company are active.
    expect(metricValue(metrics, 'sms_user_active', { company_id: company.companyId })).toBe(5);
  });

  it('validates bodies with field errors and refuses duplicate user names', async () => {
    const bad = await portal.call('auth', 'POST', '/api/auth/users', {
      json: { username: 'x', password: 'short', role: 'captain', company_id: 'nope', company: '' },
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json<{ fields: object }>().fields).sort()).toEqual([
      'company',
      'company_id',
      'password',
      'role',
    ]);
    const dup = await portal.call('auth', 'POST', '/api/auth/users', {
      json: {
        username: `purchaser-${company.companyId}`,
        password: 'whatever-long',
        role: 'purchaser',
        company_id: company.companyId,
        company: company.name,
      },
    });
    expect(dup.status).toBe(409);
  });

  it('answers a brute-force burst with 401s, counts the reasons and locks the account', async () => {
    const username = `customer_admin-${company.companyId}`;
    const before = await failures('bad_password');
    const statuses: number[] = [];
    for (let i = 0; i < LOCKOUT_THRESHOLD + 3; i++) statuses.push((await login(username, `guess-${i}`)).status);
    statuses.push((await login('nobody-here', 'password1')).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    expect((await failures('bad_password')) - before).toBe(LOCKOUT_THRESHOLD);
    expect(await failures('account_locked')).toBe(3);
    expect(await failures('unknown_user')).toBe(1);
    // Locked: even the right password fails until the lock expires.
    expect((await login(username, 'correct horse battery')).status).toBe(401);
    portal.scheduler.advance(16 * 60_000);
    expect((await login(username, 'correct horse battery')).status).toBe(200);
  });

  it('counts SQL in a user name as rejected input', async () => {
    const res = await login("admin'--", 'password1');
    expect(res.status).toBe(401);
    const metrics = await scrape(portal, 'auth');
    expect(metricValue(metrics, 'sms_login_failures_total', { reason: 'suspicious_input' })).toBe(1);
    expect(metricValue(metrics, 'errors_total', { type: 'rejected_input' })).toBe(1);
  });

  it('sees users active in the last 15 minutes through the other services', async () => {
    portal.scheduler.advance(16 * 60_000);
    expect(metricValue(await scrape(portal, 'auth'), 'sms_user_active', { company_id: company.companyId })).toBe(0);
    const res = await portal.call('vessels', 'GET', `/api/vessels?company_id=${company.companyId}`, {
      token: company.tokens.fleet_manager,
    });
    expect(res.status).toBe(200);
    await portal.services.get('vessels')!.flushReports();
    const active = metricValue(await scrape(portal, 'auth'), 'sms_user_active', {
      role: 'fleet_manager',
      company_id: company.companyId,
    });
    expect(active).toBe(1);
    portal.scheduler.advance(16 * 60_000);
    expect(metricValue(await scrape(portal, 'auth'), 'sms_user_active', { role: 'fleet_manager' })).toBe(0);
  });

  it('rejects tokens that are missing, forged or expired', async () => {
    const path = `/api/vessels?company_id=${company.companyId}`;
    expect((await portal.call('vessels', 'GET', path)).status).toBe(401);
    const forged = company.tokens.support.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await portal.call('vessels', 'GET', path, { token: forged })).status).toBe(401);
    expect((await portal.call('auth', 'POST', '/api/auth/logout', { token: company.tokens.purchaser })).status).toBe(
      204,
    );
    portal.scheduler.advance(9 * 3_600_000);
    expect((await portal.call('vessels', 'GET', path, { token: company.tokens.fleet_manager })).status).toBe(401);
    // The offline app's session lasts 72 hours.
    expect((await portal.call('vessels', 'GET', path, { token: company.tokens.technician })).status).toBe(200);
  });
});
