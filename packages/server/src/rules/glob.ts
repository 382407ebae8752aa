/**
 * Go's filepath.Glob, as Prometheus expands `rule_files` and promtool the `rule_files` of a test
 * file: `*`, `?`, `[...]` (with `^` negation and ranges) and `\` escapes within one path
 * segment, no `**`; results sorted per directory; a pattern without meta characters matches
 * itself when the file exists.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Go's filepath.ErrBadPattern. */
export class GlobPatternError extends Error {
  readonly code = 'WK_RULES_BAD_GLOB';
  constructor() {
    super('syntax error in pattern');
  }
}

const META = /[*?[\\]/;

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory() || readdirSync(path) !== undefined;
  } catch {
    return false;
  }
}

/** Translates one segment pattern into an anchored RegExp (Go's filepath.Match syntax). */
function segmentRegExp(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) throw new GlobPatternError();
      re += escapeRe(pattern[i]!);
    } else if (c === '[') {
      let j = i + 1;
      let cls = '';
      if (pattern[j] === '^') {
        cls += '^';
        j++;
      }
      let first = true;
      for (;;) {
        if (j >= pattern.length) throw new GlobPatternError();
        let ch = pattern[j]!;
        if (ch === ']' && !first) break;
        first = false;
        if (ch === '\\') {
          j++;
          if (j >= pattern.length) throw new GlobPatternError();
          ch = pattern[j]!;
        }
        cls += escapeRe(ch);
        if (pattern[j + 1] === '-' && pattern[j + 2] !== undefined && pattern[j + 2] !== ']') {
          let hi = pattern[j + 2]!;
          j += 2;
          if (hi === '\\') {
            j++;
            if (j >= pattern.length) throw new GlobPatternError();
            hi = pattern[j]!;
          }
          if (hi < ch) throw new GlobPatternError();
          cls += `-${escapeRe(hi)}`;
        }
        j++;
      }
      if (cls === '' || cls === '^') throw new GlobPatternError();
      re += `[${cls}]`;
      i = j;
    } else re += escapeRe(c);
  }
  return new RegExp(`${re}$`, 'u');
}

function escapeRe(c: string): string {
  return c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Expands one pattern; throws GlobPatternError on a malformed pattern. */
export function goGlob(pattern: string): string[] {
  if (!META.test(pattern)) return exists(pattern) ? [pattern] : [];
  const slash = pattern.lastIndexOf('/');
  const dirPattern = slash < 0 ? '' : slash === 0 ? '/' : pattern.slice(0, slash);
  const filePattern = pattern.slice(slash + 1);
  const fileRe = segmentRegExp(filePattern);
  const dirs = dirPattern === '' ? ['.'] : META.test(dirPattern) ? goGlob(dirPattern) : [dirPattern];
  const out: string[] = [];
  for (const dir of dirs) {
    if (!isDir(dir)) continue;
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (fileRe.test(name)) out.push(dirPattern === '' ? name : join(dir, name));
    }
  }
  return out;
}
