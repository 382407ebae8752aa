import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isServerPath, registerWebUi } from './web-ui.js';

describe('web UI files', () => {
  let base: string;
  let dir: string;
  let app: FastifyInstance;

  beforeEach(() => {
    base = mkdtempSync(path.join(tmpdir(), 'wk-web-'));
    dir = path.join(base, 'dist');
    mkdirSync(dir);
  });
  afterEach(async () => {
    await app?.close();
    rmSync(base, { recursive: true, force: true });
  });

  async function start(build: boolean): Promise<FastifyInstance> {
    if (build) {
      mkdirSync(path.join(dir, 'assets'));
      writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
      writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
      writeFileSync(path.join(dir, 'robots.txt'), 'User-agent: *');
    }
    writeFileSync(path.join(base, 'wk-secret.txt'), 'secret');
    app = Fastify();
    app.get('/api/v1/query', async () => ({ status: 'success' }));
    await registerWebUi(app, { root: dir });
    return app;
  }

  it('serves index.html at / and for the UI routes, never cached without revalidation', async () => {
    await start(true);
    for (const url of [
      '/',
      '/dashboards/executive?from=now-7d&var-company=a',
      '/login?next=%2Fexplore',
      '/index.html',
    ]) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.body).toContain('<div id="root">');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['content-type']).toMatch(/text\/html/);
      expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });

  it('caches hashed assets for a year and other files with revalidation', async () => {
    await start(true);
    const js = await app.inject({ url: '/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.body).toBe('console.log(1)');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const txt = await app.inject({ url: '/robots.txt' });
    expect(txt.statusCode).toBe(200);
    expect(txt.headers['cache-control']).toBe('no-cache');
  });

  it('answers 404 for missing files and for API paths, not the page', async () => {
    await start(true);
    expect((await app.inject({ url: '/assets/index-old.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/favicon.ico' })).statusCode).toBe(404);
    for (const url of ['/api/v1/nope', '/api/wk/nope', '/-/nope', '/metrics/x', '/api']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(404);
      expect(r.body).not.toContain('<div id="root">');
    }
    expect((await app.inject({ url: '/api/v1/query' })).json()).toEqual({ status: 'success' });
  });

  it('never serves files outside its folder', async () => {
    await start(true);
    for (const url of ['/../wk-secret.txt', '/%2e%2e/wk-secret.txt', '/assets/..%2f..%2fwk-secret.txt']) {
      const r = await app.inject({ url });
      expect(r.body, url).not.toBe('secret');
    }
  });

  it('says how to build the UI when there is no build', async () => {
    await start(false);
    const r = await app.inject({ url: '/dashboards/executive' });
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('npm run build');
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('knows the server paths', () => {
    expect(isServerPath('/api/v1/query')).toBe(true);
    expect(isServerPath('/-/healthy')).toBe(true);
    expect(isServerPath('/metrics')).toBe(true);
    expect(isServerPath('/dashboards/x')).toBe(false);
    expect(isServerPath('/apiary')).toBe(false);
  });
});
