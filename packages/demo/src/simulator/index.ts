/**
 * The fleet simulator: a seeded, simulated population of shipping companies driving the reference
 * SMS portal over HTTP, with scripted faults (README.md).
 */
export { scaledClock, VirtualClock, type ScaledClockOptions, type SimClock } from './clock.js';
export { simulateCommand } from './command.js';
export { formatDurationMs, parseDurationMs } from './duration.js';
export {
  fetchTransport,
  LimitedTransport,
  portalUrls,
  type HttpRequest,
  type HttpResult,
  type HttpTransport,
  type PortalUrls,
} from './http.js';
export { Planner, type PlannedAction, type PlannerOptions } from './planner.js';
export {
  DEFAULT_SCENARIO,
  EMPTY_SCENARIO,
  loadScenarioFile,
  parseScenario,
  ScenarioError,
  type Scenario,
  type ScenarioEntry,
  type ScenarioFault,
} from './scenario.js';
export { Simulator, type SimulatorOptions } from './simulator.js';
