/**
 * The critical user journeys of plan §6.2: their span names, as the services must name their spans
 * so that traces of a journey line up, and their end-to-end SLA.
 *
 * The HTTP span of a journey is the server span the SDK's HTTP instrumentation starts
 * (`HTTP <METHOD> <route template>`); the others are started by the service with `t.span(...)`.
 * When a server span belongs to a journey, the SDK sets `sms.journey`, `sms.journey.sla_ms` and,
 * if the request took longer, `sms.journey.sla_exceeded` on it.
 */
export const JOURNEYS = {
  partsOrdering: {
    name: 'parts_ordering_flow',
    slaMs: 3_000,
    spans: {
      http: 'HTTP POST /api/parts/quote',
      authValidateToken: 'Auth.validateToken',
      partsGetSupplierQuotes: 'PartsService.getSupplierQuotes',
      /** Internal only: never put markup or supplier cost on this span's attributes. */
      markupCalculatePrice: 'MarkupService.calculatePrice',
      databaseSaveQuote: 'Database.saveQuote',
      cacheInvalidate: 'Cache.invalidate',
      webhookNotifyUser: 'Webhook.notifyUser',
    },
  },
  technicianSync: {
    name: 'technician_sync_flow',
    slaMs: 10_000,
    spans: {
      http: 'HTTP POST /api/sync/upload',
      authValidateOfflineToken: 'Auth.validateOfflineToken',
      syncValidateChecksum: 'SyncService.validateChecksum',
      conflictResolverMergeData: 'ConflictResolver.mergeData',
      databaseBulkUpsert: 'Database.bulkUpsert',
      qualityScoreCalculate: 'QualityScore.calculate',
      webSocketBroadcastUpdate: 'WebSocket.broadcastUpdate',
    },
  },
  vesselOnboarding: {
    name: 'vessel_onboarding_flow',
    slaMs: 5_000,
    spans: {
      http: 'HTTP POST /api/vessels/create',
      validationCheckImo: 'ValidationService.checkIMO',
      integrationFetchVesselData: 'IntegrationService.fetchVesselData',
      equipmentGenerateTemplates: 'EquipmentService.generateTemplates',
      notificationInformUsers: 'NotificationService.informUsers',
    },
  },
} as const;

export type JourneyKey = keyof typeof JOURNEYS;
export type Journey = (typeof JOURNEYS)[JourneyKey];
/** Every span name of every journey. */
export type JourneySpanName = {
  [K in JourneyKey]: (typeof JOURNEYS)[K]['spans'][keyof (typeof JOURNEYS)[K]['spans']];
}[JourneyKey];

const BY_HTTP_SPAN: ReadonlyMap<string, Journey> = new Map(
  Object.values(JOURNEYS).map((journey): [string, Journey] => [journey.spans.http, journey]),
);

/** The journey whose entry point is this HTTP server span name, if any. */
export function journeyOfHttpSpan(spanName: string): Journey | undefined {
  return BY_HTTP_SPAN.get(spanName);
}
