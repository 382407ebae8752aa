/**
 * sync: technicians' offline uploads (`POST /api/sync/upload`, the plan's technician_sync_flow):
 * checksum validation, field-wise conflict merge, bulk upsert, quality scores, and a broadcast to
 * the vessel's live subscribers (server-sent events). Counts documentation, photos, quality and
 * sync time; reports documented equipment to billing (onboarding progress).
 *
 * Records are scoped by the uploader's company: sync does not ask vessels who owns a vessel (an
 * upload must work from a ship's intermittent link), so reads show a company only its own uploads.
 */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { JOURNEYS } from '@watchkeeper/sdk';
import { z } from 'zod';
import { SyncUploadRequest } from '../../contract.js';
import { PortalError, type FieldErrors } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { ServiceContext, ServiceDefinition } from '../shared/service-host.js';
import { parseInput } from '../shared/validation.js';
import {
  dataSizeCategory,
  mergeRecord,
  qualityScore,
  recordsChecksum,
  type IncomingRecord,
  type StoredRecord,
} from './sync-domain.js';

const SCHEMA = `
CREATE TABLE equipment_records (
  vessel_id TEXT NOT NULL,
  equipment_id TEXT NOT NULL,
  company_id TEXT NOT NULL,
  equipment_type TEXT NOT NULL,
  fields_json TEXT NOT NULL,
  field_times_json TEXT NOT NULL,
  photos INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  quality_score INTEGER,
  last_tech_id TEXT NOT NULL,
  PRIMARY KEY (vessel_id, equipment_id)
);
CREATE TABLE sync_uploads (
  upload_id TEXT PRIMARY KEY,
  vessel_id TEXT NOT NULL,
  tech_id TEXT NOT NULL,
  company_id TEXT NOT NULL,
  records INTEGER NOT NULL,
  applied INTEGER NOT NULL,
  conflicts INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL,
  received_at_ms INTEGER NOT NULL
);
`;

const spans = JOURNEYS.technicianSync.spans;
const VesselQuery = z.object({ vessel_id: z.string().regex(/^vsl_[a-z0-9]+$/) });
/** Rows per SELECT when loading the records an upload touches (SQLite's parameter limit). */
const LOAD_CHUNK = 500;

interface RecordRow {
  equipment_id: string;
  equipment_type: string;
  fields_json: string;
  field_times_json: string;
  photos: number;
  updated_at_ms: number;
  quality_score: number | null;
}

function toStored(row: RecordRow): StoredRecord {
  return {
    equipmentType: row.equipment_type,
    fields: JSON.parse(row.fields_json) as Record<string, string>,
    fieldUpdatedAtMs: JSON.parse(row.field_times_json) as Record<string, number>,
    photos: row.photos,
    updatedAtMs: row.updated_at_ms,
  };
}

function parseTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

export const syncService: ServiceDefinition = {
  name: 'sync',
  schema: SCHEMA,
  bodyLimitBytes: 32 * 1_048_576,
  setup(ctx: ServiceContext) {
    const { app, t, pool } = ctx;
    const documented = t.counter('sms_equipment_documented_total');
    const photosUploaded = t.counter('sms_photos_uploaded_total');
    const syncDuration = t.histogram('sms_offline_sync_duration_seconds');
    const quality = t.histogram('sms_quality_score');
    const featureUsage = t.counter('sms_feature_usage_total');
    const timeToComplete = t.histogram('sms_time_to_complete_seconds');
    const subscribers = new Map<string, Set<ServerResponse>>();

    app.post('/api/sync/upload', async (request, reply) => {
      const started = performance.now();
      const claims = await ctx.authenticate(request, 'POST /api/sync/upload', {
        spanName: spans.authValidateOfflineToken,
      });
      const body = parseInput(SyncUploadRequest, request.body);
      const rawRecords = (request.body as { records: unknown }).records;
      const sizeBytes = Number(request.headers['content-length'] ?? JSON.stringify(request.body).length);

      await t.span(spans.syncValidateChecksum, async (span) => {
        span.setAttribute('sync.records', body.records.length);
        const actual = recordsChecksum(rawRecords);
        if (actual !== body.checksum) {
          t.logger.warn(
            { vessel_id: body.vessel_id, tech_id: body.tech_id, records: body.records.length },
            'Sync upload rejected: checksum mismatch',
          );
          throw new PortalError(
            'checksum_mismatch',
            'The checksum does not match sha256(JSON.stringify(records)); the upload was corrupted or altered',
          );
        }
      });

      const badTimes: FieldErrors = {};
      const incoming = body.records.map((r, i) => {
        const updatedAtMs = parseTime(r.updated_at);
        if (updatedAtMs === undefined) badTimes[`records.${i}.updated_at`] = ['Expected an ISO 8601 time'];
        if (r.started_at !== undefined && parseTime(r.started_at) === undefined) {
          badTimes[`records.${i}.started_at`] = ['Expected an ISO 8601 time'];
        }
        return {
          equipmentId: r.equipment_id,
          startedAtMs: parseTime(r.started_at),
          record: {
            equipmentType: r.equipment_type,
            fields: r.fields,
            photos: r.photos,
            updatedAtMs: updatedAtMs ?? 0,
          } satisfies IncomingRecord,
        };
      });
      if (Object.keys(badTimes).length > 0) {
        throw new PortalError('invalid_request', 'Invalid record times', { fields: badTimes });
      }

      const merged = await t.span(spans.conflictResolverMergeData, async (span) => {
        const ids = [...new Set(incoming.map((r) => r.equipmentId))];
        const existing = new Map<string, StoredRecord>();
        for (let i = 0; i < ids.length; i += LOAD_CHUNK) {
          const chunk = ids.slice(i, i + LOAD_CHUNK);
          const rows = await pool.query((sql) =>
            sql.all<RecordRow>(
              `SELECT * FROM equipment_records WHERE vessel_id = ? AND equipment_id IN (${chunk.map(() => '?').join(',')})`,
              body.vessel_id,
              ...chunk,
            ),
          );
          for (const row of rows) existing.set(row.equipment_id, toStored(row));
        }
        const isNew = new Set(ids.filter((id) => !existing.has(id)));
        const changed = new Map<string, StoredRecord>();
        let conflicts = 0;
        const newPhotosByType = new Map<string, number>();
        for (const item of incoming) {
          const result = mergeRecord(existing.get(item.equipmentId), item.record);
          if (result.conflictingFields.length > 0) conflicts++;
          if (result.newPhotos > 0) {
            const type = result.record.equipmentType;
            newPhotosByType.set(type, (newPhotosByType.get(type) ?? 0) + result.newPhotos);
          }
          existing.set(item.equipmentId, result.record);
          if (result.changed) changed.set(item.equipmentId, result.record);
        }
        span.setAttribute('sync.conflicts_merged', conflicts);
        return { changed, conflicts, newPhotosByType, isNew, all: existing, ids };
      });

      await t.span(spans.databaseBulkUpsert, async (span) => {
        span.setAttribute('sync.changed', merged.changed.size);
        await pool.transaction('sync_bulk_upsert', (sql) => {
          for (const [equipmentId, r] of merged.changed) {
            sql.run(
              `INSERT INTO equipment_records
                 (vessel_id, equipment_id, company_id, equipment_type, fields_json, field_times_json, photos, updated_at_ms, quality_score, last_tech_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)
               ON CONFLICT (vessel_id, equipment_id) DO UPDATE SET
                 equipment_type = excluded.equipment_type, fields_json = excluded.fields_json,
                 field_times_json = excluded.field_times_json, photos = excluded.photos,
                 updated_at_ms = excluded.updated_at_ms, quality_score = NULL, last_tech_id = excluded.last_tech_id`,
              body.vessel_id,
              equipmentId,
              claims.companyId,
              r.equipmentType,
              JSON.stringify(r.fields),
              JSON.stringify(r.fieldUpdatedAtMs),
              r.photos,
              r.updatedAtMs,
              body.tech_id,
            );
          }
          sql.run(
            `INSERT INTO sync_uploads (upload_id, vessel_id, tech_id, company_id, records, applied, conflicts, size_bytes, received_at_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            newId('upl'),
            body.vessel_id,
            body.tech_id,
            claims.companyId,
            body.records.length,
            merged.changed.size,
            merged.conflicts,
            sizeBytes,
            ctx.now(),
          );
        });
      });

      const scores = await t.span(spans.qualityScoreCalculate, async () => {
        const byId = new Map<string, number>();
        for (const id of merged.ids) {
          const r = merged.all.get(id)!;
          byId.set(id, qualityScore(r.equipmentType, r.fields, r.photos));
        }
        await pool.transaction('quality_score_update', (sql) => {
          for (const id of merged.changed.keys()) {
            sql.run(
              'UPDATE equipment_records SET quality_score = ? WHERE vessel_id = ? AND equipment_id = ?',
              byId.get(id)!,
              body.vessel_id,
              id,
            );
          }
        });
        return byId;
      });

      await t.span(spans.webSocketBroadcastUpdate, async (span) => {
        const listeners = subscribers.get(body.vessel_id);
        span.setAttribute('sync.subscribers', listeners?.size ?? 0);
        if (listeners === undefined || merged.changed.size === 0) return;
        const event = JSON.stringify({
          vessel_id: body.vessel_id,
          equipment_ids: [...merged.changed.keys()],
          applied: merged.changed.size,
        });
        for (const res of listeners) res.write(`data: ${event}\n\n`);
      });

      // Metrics, after the upload is stored.
      if (merged.changed.size > 0)
        documented.inc({ vessel_id: body.vessel_id, tech_id: body.tech_id }, merged.changed.size);
      for (const [equipmentType, n] of merged.newPhotosByType) {
        photosUploaded.inc({ vessel_id: body.vessel_id, equipment_type: equipmentType }, n);
      }
      for (const id of merged.changed.keys()) {
        quality.observe({ equipment_type: merged.all.get(id)!.equipmentType }, scores.get(id)!);
      }
      for (const item of incoming) {
        if (item.startedAtMs === undefined || !merged.changed.has(item.equipmentId)) continue;
        const seconds = (item.record.updatedAtMs - item.startedAtMs) / 1000;
        if (seconds >= 0) timeToComplete.observe({ task_type: 'document_equipment', role: claims.role }, seconds);
      }
      featureUsage.inc({ feature: 'offline_sync', role: claims.role });
      const newlyDocumented = [...merged.isNew].filter((id) => merged.changed.has(id)).length;
      ctx.usage.add(claims.companyId, 'equipment_documented', newlyDocumented);
      ctx.usage.add(claims.companyId, 'sync_upload');
      syncDuration.observe(
        { vessel_id: body.vessel_id, data_size_category: dataSizeCategory(sizeBytes) },
        (performance.now() - started) / 1000,
      );
      const avg = merged.ids.length === 0 ? 0 : [...scores.values()].reduce((a, b) => a + b, 0) / merged.ids.length;
      t.logger.info(
        {
          vessel_id: body.vessel_id,
          company_id: claims.companyId,
          tech_id: body.tech_id,
          records: body.records.length,
          applied: merged.changed.size,
          conflicts_merged: merged.conflicts,
        },
        'Sync upload applied',
      );
      return reply.send({
        applied: merged.changed.size,
        conflicts_merged: merged.conflicts,
        quality_score_avg: Math.round(avg * 10) / 10,
      });
    });

    app.get('/api/sync/records', async (request, reply) => {
      const claims = await ctx.authenticate(request, 'GET /api/sync/records');
      const { vessel_id: vesselId } = parseInput(VesselQuery, request.query, 'query');
      const rows = await pool.query((sql) =>
        sql.all<RecordRow>(
          'SELECT * FROM equipment_records WHERE vessel_id = ? AND (? = 1 OR company_id = ?) ORDER BY equipment_id',
          vesselId,
          claims.role === 'support' ? 1 : 0,
          claims.companyId,
        ),
      );
      return reply.send({
        records: rows.map((row) => ({
          equipment_id: row.equipment_id,
          equipment_type: row.equipment_type,
          fields: JSON.parse(row.fields_json) as Record<string, string>,
          photos: row.photos,
          updated_at: new Date(row.updated_at_ms).toISOString(),
          quality_score: row.quality_score,
        })),
      });
    });

    app.get('/api/sync/events', async (request, reply) => {
      await ctx.authenticate(request, 'GET /api/sync/events');
      const { vessel_id: vesselId } = parseInput(VesselQuery, request.query, 'query');
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.write(': subscribed\n\n');
      const set = subscribers.get(vesselId) ?? new Set<ServerResponse>();
      set.add(res);
      subscribers.set(vesselId, set);
      res.on('close', () => {
        set.delete(res);
        if (set.size === 0) subscribers.delete(vesselId);
      });
    });

    ctx.onClose(() => {
      for (const set of subscribers.values()) for (const res of set) res.end();
      subscribers.clear();
    });
  },
};
