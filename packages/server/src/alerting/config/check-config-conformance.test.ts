/**
 * The alertmanager.yml files of Alertmanager's own tests (config/testdata, cli/testdata), read in
 * place from ../shared/conformance/alerting/check-config with amtool 0.25's verdicts
 * (results.tsv: file, exit code, first line of output when it failed): each must load or fail as
 * there, with the same message.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertmanagerConfigError, loadAlertmanagerConfig } from '../index.js';

const DIR = new URL('../../../../../../shared/conformance/alerting/check-config/', import.meta.url).pathname;
const RESULTS = join(DIR, 'results.tsv');

const available = existsSync(RESULTS);
if (!available) console.warn(`check-config conformance: ${RESULTS} not found; skipping`);

describe.skipIf(!available)("Alertmanager's configuration test files", () => {
  const rows = available
    ? readFileSync(RESULTS, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.split('\t') as [string, string, string?])
    : [];

  it('has files to check', () => expect(rows.length).toBeGreaterThanOrEqual(28));

  for (const [file, code, firstLine] of rows) {
    it(`${file}: exit ${code}`, () => {
      let message: string | undefined;
      try {
        loadAlertmanagerConfig(join(DIR, file));
      } catch (err) {
        expect(err).toBeInstanceOf(AlertmanagerConfigError);
        message = (err as AlertmanagerConfigError).amtoolMessage;
      }
      if (code === '0') {
        expect(message).toBeUndefined();
      } else {
        expect(`Checking '${file}'  FAILED: ${message?.split('\n')[0]}`).toBe(firstLine);
      }
    });
  }
});
