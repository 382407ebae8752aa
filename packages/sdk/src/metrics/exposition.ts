/**
 * Defence in depth for the public `/metrics` endpoint: whatever reached the public registry,
 * the text that leaves the process has no family, series or label whose name or value starts
 * with `_sms_` (in any case). Works on the Prometheus text format (0.0.4) line by line; a sample line whose
 * labels cannot be parsed is dropped too, rather than trusted.
 */
import { looksRestricted, mentionsRestricted } from './restricted.js';

export interface FilteredExposition {
  readonly text: string;
  /** Names of the families (or series) cut out. */
  readonly droppedFamilies: ReadonlySet<string>;
}

/** Label names and values of `{a="x",b="y"}` starting at `line[start] === '{'`, or undefined if malformed. */
function parseLabels(line: string, start: number): string[] | undefined {
  const tokens: string[] = [];
  let i = start + 1;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return tokens;
    const eq = line.indexOf('=', i);
    if (eq < 0) return undefined;
    tokens.push(line.slice(i, eq).trim());
    i = eq + 1;
    if (line[i] !== '"') return undefined;
    i++;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) return undefined;
      if (c === '\\') {
        const next = line[i + 1];
        if (next === undefined) return undefined;
        value += next === 'n' ? '\n' : next;
        i += 2;
        continue;
      }
      if (c === '"') break;
      value += c;
      i++;
    }
    tokens.push(value);
    i++;
  }
}

/** Removes restricted families, series and labels from a Prometheus text exposition. */
export function filterRestricted(text: string): FilteredExposition {
  const dropped = new Set<string>();
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    // A line without the prefix anywhere cannot name or label anything restricted.
    if (!mentionsRestricted(line)) {
      kept.push(line);
      continue;
    }
    if (line.startsWith('#')) {
      const [, keyword, name] = line.split(/\s+/, 3);
      if (
        (keyword === 'HELP' || keyword === 'TYPE' || keyword === 'UNIT') &&
        name !== undefined &&
        looksRestricted(name)
      ) {
        dropped.add(name);
        continue;
      }
      kept.push(line);
      continue;
    }
    const nameMatch = /^[^\s{]+/.exec(line);
    const name = nameMatch?.[0] ?? '';
    if (name === '' || looksRestricted(name)) {
      dropped.add(name);
      continue;
    }
    if (line[name.length] === '{') {
      const labels = parseLabels(line, name.length);
      if (labels === undefined || labels.some(looksRestricted)) {
        dropped.add(name);
        continue;
      }
    }
    kept.push(line);
  }
  return { text: kept.join('\n'), droppedFamilies: dropped };
}
