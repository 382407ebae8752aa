/**
 * What SQL-injection probes put into input: a quote that closes a string followed by SQL syntax,
 * comment markers, stacked statements, tautologies, UNION SELECT, time-based probes. An ordinary
 * apostrophe (O'Brien) is not one. The portal's SQL is parameterised, so such input cannot change
 * a query; detecting it keeps garbage out and makes probes visible
 * (errors_total{type="rejected_input"} and a security warning in the log).
 */
const SIGNS: readonly RegExp[] = [
  /['"`]\s*(\bor\b|\band\b|\bunion\b|;|\)|--|#|\|\||\+)/i,
  /--|\/\*|\*\//,
  /;\s*(select|insert|update|delete|drop|alter|truncate|exec|execute|shutdown|declare)\b/i,
  /\b(or|and)\s+(['"]?)(\w+)\2\s*(=|like)\s*(['"]?)\3\5/i,
  /\b(or|and)\s+\d+\s*=\s*\d+/i,
  /\bunion\b(\s+all)?\s+select\b/i,
  /\bselect\b.+\bfrom\b/i,
  /\b(drop|truncate|alter)\s+(table|database)\b/i,
  /\bdelete\s+from\b/i,
  /\b(sleep|benchmark|pg_sleep)\s*\(|\bwaitfor\s+delay\b/i,
  /\bxp_\w+|\bexec(ute)?\s*\(/i,
];

export function looksLikeSqlInjection(text: string): boolean {
  return SIGNS.some((sign) => sign.test(text));
}
