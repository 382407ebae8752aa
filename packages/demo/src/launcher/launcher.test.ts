import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { officeHoursStart, REPO_ROOT, serverStoragePath } from './launcher.js';

describe('officeHoursStart', () => {
  it.each([
    ['2026-11-27T18:12:00Z', '2026-11-27T08:00:00.000Z'], // Friday evening → that morning
    ['2026-11-27T07:59:00Z', '2026-11-26T08:00:00.000Z'], // Friday before 08:00 → Thursday
    ['2026-11-28T12:00:00Z', '2026-11-27T08:00:00.000Z'], // Saturday → Friday
    ['2026-11-30T07:00:00Z', '2026-11-27T08:00:00.000Z'], // Monday before 08:00 → Friday
    ['2026-11-30T08:00:00Z', '2026-11-30T08:00:00.000Z'], // Monday 08:00 exactly
  ])('%s → %s', (now, expected) => {
    expect(officeHoursStart(new Date(now)).toISOString()).toBe(expected);
  });
});

describe('serverStoragePath', () => {
  it('is --storage.path when given, else the config file storage.path against its folder, else ./data', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wk-launcher-'));
    try {
      const withPath = join(dir, 'a.yml');
      writeFileSync(withPath, 'storage:\n  path: ../state/data\n');
      const without = join(dir, 'b.yml');
      writeFileSync(without, 'web: { listen_address: 127.0.0.1:0 }\n');
      expect(serverStoragePath(withPath)).toBe(resolve(dir, '../state/data'));
      expect(serverStoragePath(without)).toBe(join(dir, 'data'));
      expect(serverStoragePath(withPath, ['--storage.path', '/srv/wk'])).toBe('/srv/wk');
      expect(serverStoragePath(withPath, ['--storage.path=/srv/wk2'])).toBe('/srv/wk2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds the repository configuration storage (.watchkeeper/data)', () => {
    expect(serverStoragePath(join(REPO_ROOT, 'config/watchkeeper.yml'))).toBe(join(REPO_ROOT, '.watchkeeper/data'));
  });
});
