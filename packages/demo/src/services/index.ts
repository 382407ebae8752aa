/** The six portal services, by contract.ts name. */
import type { ServiceName } from '../contract.js';
import { authService } from './auth/auth-service.js';
import { billingService } from './billing/billing-service.js';
import { partsService } from './parts-api/parts-service.js';
import { paymentService } from './payment-processor/payment-service.js';
import type { ServiceDefinition } from './shared/service-host.js';
import { syncService } from './sync/sync-service.js';
import { vesselsService } from './vessels/vessels-service.js';

export const SERVICES: Readonly<Record<ServiceName, ServiceDefinition>> = {
  auth: authService,
  billing: billingService,
  vessels: vesselsService,
  sync: syncService,
  'parts-api': partsService,
  'payment-processor': paymentService,
};

export { ServiceHost, PORTAL_ENVIRONMENT, PORTAL_VERSION } from './shared/service-host.js';
export type { FaultView, PortalEnvironment, ServiceDefinition } from './shared/service-host.js';
export { ManualScheduler, systemScheduler } from './shared/scheduler.js';
export type { Scheduler, TimerHandle } from './shared/scheduler.js';
export { TokenCodec } from './shared/tokens.js';
