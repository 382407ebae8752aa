/**
 * The alerting state database: silences and the notification log in one SQLite file under the
 * storage path (`alerting.db`). better-sqlite3 is synchronous and every write is its own
 * transaction in a WAL journal with `synchronous = FULL`: when `set` returns, the silence is on
 * disk and survives kill -9 or a power cut, with no hand-written fsync-and-rename protocol.
 * Schema changes are numbered migrations (`PRAGMA user_version`).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

const MIGRATIONS: readonly string[] = [
  // 1: silences (matchers as JSON in API v2's shape) and the notification log.
  `
  CREATE TABLE silences (
    id TEXT PRIMARY KEY,
    matchers TEXT NOT NULL,
    starts_at_ms INTEGER NOT NULL,
    ends_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    comment TEXT NOT NULL
  );
  CREATE TABLE nflog (
    receiver TEXT NOT NULL,
    group_key TEXT NOT NULL,
    firing TEXT NOT NULL,
    resolved TEXT NOT NULL,
    outstanding TEXT NOT NULL,
    timestamp_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    PRIMARY KEY (receiver, group_key)
  );
  `,
];

/** A migration the database has but this code does not know: a newer Watchkeeper wrote it. */
export class AlertingDbVersionError extends Error {
  readonly code = 'WK_ALERTING_DB_VERSION';
  constructor(file: string, version: number) {
    super(
      `${file}: the alerting database has schema version ${version}, newer than this Watchkeeper knows ` +
        `(${MIGRATIONS.length}); run a newer Watchkeeper or move the file away`,
    );
    this.name = 'AlertingDbVersionError';
  }
}

/** Opens (creating it and its folder if needed) and migrates the alerting database. */
export function openAlertingDb(file: string): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new AlertingDbVersionError(file, version);
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
