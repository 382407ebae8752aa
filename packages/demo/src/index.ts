/**
 * @watchkeeper/demo — the reference SMS portal (`startPortal`, `watchkeeper-demo portal`), the
 * fleet simulator (`watchkeeper-demo simulate`) and the HTTP contract between them (contract.ts).
 */
export {
  PORTAL_COMPONENTS,
  PortalOptionsError,
  startPortal,
  type PortalComponent,
  type PortalOptions,
  type RunningPortal,
} from './portal/index.js';
