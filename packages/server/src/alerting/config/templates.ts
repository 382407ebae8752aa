/**
 * The `templates:` globs of alertmanager.yml, expanded as Go's filepath.Glob does (`*`, `?`,
 * `[...]`, `\` escapes; a pattern that matches nothing is not an error).
 */
import { readdirSync, statSync } from 'node:fs';
import { join, parse, sep } from 'node:path';

/** A malformed glob pattern (Go's filepath.ErrBadPattern). */
export class GlobPatternError extends Error {
  readonly code = 'WK_ALERTING_BAD_GLOB';
  constructor() {
    super('syntax error in pattern');
    this.name = 'GlobPatternError';
  }
}

const META = /[*?[\\]/;

/** Go's path.Match for one path element, as a RegExp. @throws GlobPatternError */
function elementRegExp(pattern: string): RegExp {
  let re = '';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      const next = chars[++i];
      if (next === undefined) throw new GlobPatternError();
      re += `\\u{${next.codePointAt(0)!.toString(16)}}`;
    } else if (c === '[') {
      let j = i + 1;
      let cls = '';
      if (chars[j] === '^') {
        cls += '^';
        j++;
      }
      let first = true;
      for (;;) {
        const d = chars[j];
        if (d === undefined) throw new GlobPatternError();
        if (d === ']' && !first) break;
        first = false;
        let lo = d;
        if (d === '\\') {
          j++;
          lo = chars[j] ?? '';
          if (lo === '') throw new GlobPatternError();
        }
        cls += `\\u{${lo.codePointAt(0)!.toString(16)}}`;
        if (chars[j + 1] === '-' && chars[j + 2] !== undefined && chars[j + 2] !== ']') {
          j += 2;
          let hi = chars[j]!;
          if (hi === '\\') hi = chars[++j] ?? '';
          if (hi === '') throw new GlobPatternError();
          cls += `-\\u{${hi.codePointAt(0)!.toString(16)}}`;
        }
        j++;
      }
      re += `[${cls}]`;
      i = j;
    } else {
      re += `\\u{${c.codePointAt(0)!.toString(16)}}`;
    }
  }
  try {
    return new RegExp(`^${re}$`, 'u');
  } catch {
    throw new GlobPatternError();
  }
}

/** Files matching an absolute or relative glob, sorted per directory as Go does. @throws GlobPatternError */
export function globFiles(pattern: string): string[] {
  if (!META.test(pattern)) {
    try {
      statSync(pattern);
      return [pattern];
    } catch {
      return [];
    }
  }
  const { root } = parse(pattern);
  const parts = pattern
    .slice(root.length)
    .split(sep)
    .filter((p) => p !== '');
  let current = [root === '' ? '' : root];
  for (const part of parts) {
    const next: string[] = [];
    if (!META.test(part)) {
      for (const dir of current) next.push(dir === '' ? part : join(dir, part));
    } else {
      const re = elementRegExp(part);
      for (const dir of current) {
        let names: string[];
        try {
          names = readdirSync(dir === '' ? '.' : dir);
        } catch {
          continue;
        }
        for (const n of names.sort()) if (re.test(n)) next.push(dir === '' ? n : join(dir, n));
      }
    }
    current = next;
  }
  return current.filter((p) => {
    try {
      statSync(p);
      return true;
    } catch {
      return false;
    }
  });
}
