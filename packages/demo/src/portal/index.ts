/** The reference SMS portal in one process: six services, the host exporter and fault control. */
export {
  PORTAL_COMPONENTS,
  PortalOptionsError,
  portalPorts,
  startPortal,
  type PortalComponent,
  type PortalOptions,
  type RunningPortal,
} from './portal.js';
export { FaultController, faultView, type ActiveFault, type FaultTargets } from './faults.js';
