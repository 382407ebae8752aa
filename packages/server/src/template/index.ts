/**
 * Go's text/template as Prometheus and Alertmanager use it: the language, Go's builtins and fmt,
 * Prometheus 2.42's functions (rules: alert labels and annotations) and Alertmanager 0.25's
 * (notifications). See README.md.
 */
export { Template, type ExecuteOptions, type FuncMap, type TemplateOptions } from './template.js';
export { TemplateError, type TemplateErrorCode } from './errors.js';
export { DEFAULT_LIMITS, type ExecLimits, type MissingKey } from './exec.js';
export { FuncError } from './builtins.js';
export {
  GO_METHODS,
  GO_STRING,
  GO_TYPE,
  GoFuncValue,
  GoMap,
  GoScalar,
  T_ANY,
  T_BOOL,
  T_FLOAT64,
  T_INT,
  T_STRING,
  T_STRING_SLICE,
  goInt,
  goSlice,
  goType,
  safeHTML,
  type CallContext,
  type GoFunc,
  type GoMethods,
  type GoType,
} from './value.js';
export { GoDuration, GoTime } from './time.js';
export {
  ALERT_TEMPLATE_PREAMBLE,
  AlertTemplate,
  PROMETHEUS_FUNCS,
  PROMETHEUS_HTML_FUNCS,
  PrometheusTemplate,
  type AlertTemplateData,
  type ExpandResult,
  type PrometheusEnv,
  type QueryFunc,
  type Sample,
} from './prometheus.js';
export {
  ALERTMANAGER_FUNCS,
  AlertmanagerTemplates,
  AmData,
  KV,
  labelsFingerprint,
  notificationData,
  type NotificationAlert,
  type NotificationInput,
  type RenderResult,
} from './alertmanager.js';
