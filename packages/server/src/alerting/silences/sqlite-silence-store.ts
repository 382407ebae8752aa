/**
 * Silences in the alerting database (`dispatch/state-db.ts` creates the table): one row per
 * silence, written in its own durable transaction.
 */
import type Database from 'better-sqlite3';
import type { Silence, SilenceMatcher, SilenceStore } from './silences.js';

interface Row {
  id: string;
  matchers: string;
  starts_at_ms: number;
  ends_at_ms: number;
  updated_at_ms: number;
  created_by: string;
  comment: string;
}

export class SqliteSilenceStore implements SilenceStore {
  private readonly upsert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly all: Database.Statement<[], Row>;

  constructor(private readonly db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO silences (id, matchers, starts_at_ms, ends_at_ms, updated_at_ms, created_by, comment)
       VALUES (@id, @matchers, @starts_at_ms, @ends_at_ms, @updated_at_ms, @created_by, @comment)
       ON CONFLICT (id) DO UPDATE SET matchers = excluded.matchers, starts_at_ms = excluded.starts_at_ms,
         ends_at_ms = excluded.ends_at_ms, updated_at_ms = excluded.updated_at_ms,
         created_by = excluded.created_by, comment = excluded.comment`,
    );
    this.remove = db.prepare('DELETE FROM silences WHERE id = ?');
    this.all = db.prepare<[], Row>('SELECT * FROM silences');
  }

  loadAll(): Silence[] {
    return this.all.all().map((r) => ({
      id: r.id,
      matchers: JSON.parse(r.matchers) as SilenceMatcher[],
      startsAtMs: r.starts_at_ms,
      endsAtMs: r.ends_at_ms,
      updatedAtMs: r.updated_at_ms,
      createdBy: r.created_by,
      comment: r.comment,
    }));
  }

  save(s: Silence): void {
    this.upsert.run({
      id: s.id,
      matchers: JSON.stringify(s.matchers),
      starts_at_ms: s.startsAtMs,
      ends_at_ms: s.endsAtMs,
      updated_at_ms: s.updatedAtMs,
      created_by: s.createdBy,
      comment: s.comment,
    });
  }

  delete(ids: readonly string[]): void {
    this.db.transaction(() => {
      for (const id of ids) this.remove.run(id);
    })();
  }
}
