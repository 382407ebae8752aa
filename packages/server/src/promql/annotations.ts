/** Rendering of warning/info annotations as Prometheus prints them (API `warnings`/`infos`, test DSL). */
import type { Annotation } from './value.js';

/** `line:col` of a 0-based character offset; the column counts UTF-8 bytes, as Go's parser does. */
export function queryPosition(query: string, offset: number): string {
  if (offset < 0 || offset > query.length) return 'invalid position:';
  const before = query.slice(0, offset);
  const nl = before.lastIndexOf('\n');
  let line = 1;
  for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) line++;
  return `${line}:${Buffer.byteLength(before.slice(nl + 1)) + 1}`;
}

/** An annotation as Prometheus renders it: `PromQL warning: <message> (<line>:<col>)`. */
export function formatAnnotation(a: Annotation, query: string): string {
  const prefix = a.kind === 'warning' ? 'PromQL warning' : 'PromQL info';
  return a.pos ? `${prefix}: ${a.message} (${queryPosition(query, a.pos.start)})` : `${prefix}: ${a.message}`;
}
