/**
 * dashboards/: dashboards as files (config/dashboards/*.yml, the schema of @watchkeeper/model),
 * loaded and checked at start and by `watchkeeper check dashboards`, served by http/ and exported
 * as Grafana dashboard JSON. See README.md.
 */
export {
  checkDashboardPaths,
  dashboardFilesIn,
  DashboardLoadError,
  loadDashboardFolder,
  loadDashboards,
  parseDashboardLink,
  parseDashboardText,
  type DashboardFile,
  type FileCheck,
} from './load.js';
export {
  GRAFANA_DATASOURCE_INPUT,
  GRAFANA_SCHEMA_VERSION,
  layout,
  toGrafanaDashboard,
  type GrafanaJson,
} from './grafana.js';
export {
  BUILTIN_VARIABLES,
  expandQuery,
  queryTiming,
  relativeTimeMs,
  variableReferences,
  variableRegex,
  type QueryContext,
  type StepOptions,
} from './queries.js';
