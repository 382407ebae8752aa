/** The SMS plan's alert (§3) and dashboard (§4) queries, shared by the benchmarks and the differential test. */

export interface PlanQuery {
  /** Where the query comes from: the plan's alert or panel. */
  name: string;
  expr: string;
}

/**
 * Plan §3 alert expressions and §4 dashboard queries that are valid PromQL over metrics this data
 * set has. Not here: `_sms_parts_markup_realized_percent < 18` (§3.1) and the §4.3 panels (restricted
 * metrics, not in the data set; `_sms_quote_to_order_conversion by (price_band)` is not valid
 * PromQL); `{level="error"} |= "exception"` (§4.2, LogQL); the §4.1 and §4.4 panels over metrics the
 * data set does not have (sms_vessel_active, sms_parts_order_value_dollars, sms_company_active,
 * sms_revenue_total, sms_churn_risk_score, sms_user_active, sms_feature_usage_total,
 * sms_equipment_documented_total, sms_time_to_complete_seconds, sms_quality_score,
 * sms_photos_uploaded_total). §4.2's "API Performance" panel, `histogram_quantile(0.95,
 * http_request_duration_seconds)`, selects no series (a histogram is stored as `_bucket` series), so
 * the query it means is benchmarked instead.
 */
export const PLAN_QUERIES: readonly PlanQuery[] = [
  { name: '§3.1 PartsOrderingSystemDown', expr: 'up{job="parts-api"} == 0' },
  {
    name: '§3.1 PartsOrderFailureRate',
    expr: 'rate(sms_parts_orders_failed_total[5m]) / rate(sms_parts_orders_total[5m]) > 0.05',
  },
  { name: '§3.1 PaymentProcessingDown', expr: 'up{job="payment-processor"} == 0' },
  {
    name: '§3.2 APIHighLatency',
    expr: 'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[5m])) by (le, endpoint)) > 1',
  },
  { name: '§3.2 DatabaseConnectionPoolExhausted', expr: 'db_connection_pool_used / db_connection_pool_size > 0.9' },
  {
    name: '§3.2 HighErrorRate',
    expr: 'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.01',
  },
  { name: '§3.3 SuspiciousLoginActivity', expr: 'rate(sms_login_failures_total[5m]) > 10' },
  { name: '§3.3 UnauthorizedAPIAccess', expr: 'sum(rate(http_requests_total{status="403"}[5m])) > 50' },
  { name: '§3.3 DataExfiltrationAttempt', expr: 'sum(rate(http_response_size_bytes_sum[5m])) > 1000000000' },
  { name: '§3.4 LowUserEngagement', expr: 'rate(sms_user_sessions_total[1h]) < 10' },
  {
    name: '§3.4 OnboardingStalled',
    expr: 'sms_onboarding_progress_percent < 50 and time() - sms_onboarding_started_timestamp > 86400',
  },
  { name: '§3.4 HighChurnRisk', expr: 'predict_linear(sms_user_sessions_total[7d], 86400 * 7) < 0' },
  { name: '§4.1 Monthly Recurring Revenue', expr: 'sum(sms_mrr_dollars)' },
  { name: '§4.1 Revenue Trend', expr: 'sum(sms_mrr_dollars) by (month)' },
  { name: '§4.2 Service Status', expr: 'up' },
  {
    name: '§4.2 API Performance (as meant)',
    expr: 'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[5m])) by (le))',
  },
  { name: '§4.2 Error Rate by Service', expr: 'sum(rate(errors_total[5m])) by (service)' },
  { name: '§4.2 CPU Usage', expr: '100 - (avg(irate(node_cpu_seconds_total{mode="idle"}[5m])) * 100)' },
  { name: '§4.2 Memory Usage', expr: '(1 - (node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)) * 100' },
];
