/**
 * @watchkeeper/model — shared types and schemas: the metrics catalog of the SMS plan (and, with
 * later issues, configuration, dashboards and alerts). A leaf package: it depends on nothing else
 * in the repository.
 */
export const MODEL_VERSION = 1;

export {
  CATALOG,
  MAX_LABEL_VALUES,
  MAX_SERIES_PER_METRIC,
  PII_LABELS,
  REQUIRED_LABELS,
  RESTRICTED_PREFIX,
  RUNTIME_METRIC_PREFIXES,
  findMetric,
  findMetricForSeriesName,
  isCataloguedSeriesName,
  isRestrictedMetricName,
} from './catalog.js';
export type {
  Catalog,
  CatalogEntry,
  CatalogLabelName,
  CatalogMetric,
  CatalogMetricName,
  MetricDefinition,
  MetricSource,
  MetricType,
} from './catalog.js';

export { dashboardSchema, panelQuerySchema, panelSchema, variableSchema, PANEL_TYPES, UNITS } from './dashboard.js';
export type {
  Dashboard,
  DashboardInput,
  DashboardSummary,
  Panel,
  PanelQuery,
  PanelType,
  Unit,
  Variable,
} from './dashboard.js';
