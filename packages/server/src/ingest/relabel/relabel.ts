/**
 * Prometheus relabeling (`relabel_configs`, `metric_relabel_configs`) with the semantics of
 * Prometheus's model/relabel: the same actions, fully anchored RE2 regexes, Go's `$1` / `${name}`
 * template expansion and the exact hashmod hash.
 */
import { createHash } from 'node:crypto';
import type { RelabelConfig } from '../../config/index.js';
import { isLegacyLabelName, Labels } from '../../lib/labels.js';
import { compileAnchoredRegex } from '../../lib/matcher.js';

/** The regex relabel configs get when none is written; Prometheus takes a fast path for it. */
const DEFAULT_REGEX = '(.*)';

/**
 * A mutable label set, like Prometheus's labels.Builder: relabel rules read the values that
 * earlier rules wrote. Setting an empty value deletes the label.
 */
export class LabelsBuilder {
  private readonly map: Map<string, string>;

  constructor(base: Labels | Iterable<readonly [string, string]> = Labels.EMPTY) {
    this.map = new Map();
    for (const [n, v] of base) if (v !== '') this.map.set(n, v);
  }

  /** The value of `name`, `''` when absent. */
  get(name: string): string {
    return this.map.get(name) ?? '';
  }

  has(name: string): boolean {
    return this.map.has(name);
  }

  set(name: string, value: string): void {
    if (value === '') this.map.delete(name);
    else this.map.set(name, value);
  }

  delete(name: string): void {
    this.map.delete(name);
  }

  get size(): number {
    return this.map.size;
  }

  /** A snapshot of the current pairs: rules that change labels while walking them walk this copy. */
  entries(): [string, string][] {
    return [...this.map];
  }

  labels(): Labels {
    return Labels.from(this.map);
  }
}

interface CompiledRelabelConfig {
  readonly config: RelabelConfig;
  readonly re: RegExp;
  readonly isDefaultRegex: boolean;
  readonly modulus: bigint;
}

/** Compiled regexes per config object: resolved configs are frozen and live as long as the config. */
const compiledConfigs = new WeakMap<RelabelConfig, CompiledRelabelConfig>();

function compile(config: RelabelConfig): CompiledRelabelConfig {
  let c = compiledConfigs.get(config);
  if (c === undefined) {
    c = {
      config,
      re: compileRelabelRegex(config.regex),
      isDefaultRegex: config.regex === DEFAULT_REGEX,
      modulus: BigInt(config.modulus ?? 0),
    };
    compiledConfigs.set(config, c);
  }
  return c;
}

/**
 * Compiles a relabel regex, anchored at both ends as Prometheus does. RE2's `(?P<name>...)` group
 * syntax is accepted and rewritten to JavaScript's `(?<name>...)`.
 */
export function compileRelabelRegex(source: string): RegExp {
  return compileAnchoredRegex(source.replace(/\(\?P</g, '(?<'));
}

/**
 * Applies relabel configs in order, as Prometheus's `relabel.Process`.
 *
 * @returns the new label set, or `undefined` when a `keep`, `drop`, `keepequal` or `dropequal`
 * rule dropped it. The result may lack `__name__` (metric relabeling) or `__address__` (target
 * relabeling): callers check what their pipeline requires.
 * @example
 * relabel(Labels.from({ __address__: 'db-1:9100' }), [
 *   { action: 'replace', source_labels: ['__address__'], regex: '([^:]+):.*', target_label: 'host',
 *     replacement: '$1', separator: ';' },
 * ]); // {__address__="db-1:9100", host="db-1"}
 */
export function relabel(labels: Labels, configs: readonly RelabelConfig[]): Labels | undefined {
  if (configs.length === 0) return labels;
  const lb = new LabelsBuilder(labels);
  return relabelBuilder(lb, configs) ? lb.labels() : undefined;
}

/** Like `relabel`, on a builder the caller already holds; false when the label set was dropped. */
export function relabelBuilder(lb: LabelsBuilder, configs: readonly RelabelConfig[]): boolean {
  for (const config of configs) if (!applyOne(compile(config), lb)) return false;
  return true;
}

function applyOne(c: CompiledRelabelConfig, lb: LabelsBuilder): boolean {
  const cfg = c.config;
  const sources = cfg.source_labels ?? [];
  const val = sources.length === 1 ? lb.get(sources[0]!) : sources.map((n) => lb.get(n)).join(cfg.separator);
  const targetLabel = cfg.target_label ?? '';
  switch (cfg.action) {
    case 'drop':
      return !c.re.test(val);
    case 'keep':
      return c.re.test(val);
    case 'dropequal':
      return lb.get(targetLabel) !== val;
    case 'keepequal':
      return lb.get(targetLabel) === val;
    case 'replace': {
      // Prometheus's fast path when no regex was given: add or delete the label literally.
      if (val === '' && c.isDefaultRegex && !targetLabel.includes('$') && !cfg.replacement.includes('$')) {
        lb.set(targetLabel, cfg.replacement);
        return true;
      }
      const m = c.re.exec(val);
      if (m === null) return true;
      const target = expandTemplate(targetLabel, m);
      if (!isLegacyLabelName(target)) return true;
      lb.set(target, expandTemplate(cfg.replacement, m));
      return true;
    }
    case 'lowercase':
      lb.set(targetLabel, val.toLowerCase());
      return true;
    case 'uppercase':
      lb.set(targetLabel, val.toUpperCase());
      return true;
    case 'hashmod':
      lb.set(targetLabel, hashMod(val, c.modulus).toString());
      return true;
    case 'labelmap':
      for (const [name, value] of lb.entries()) {
        const m = c.re.exec(name);
        if (m !== null) lb.set(expandTemplate(cfg.replacement, m), value);
      }
      return true;
    case 'labeldrop':
      for (const [name] of lb.entries()) if (c.re.test(name)) lb.delete(name);
      return true;
    case 'labelkeep':
      for (const [name] of lb.entries()) if (!c.re.test(name)) lb.delete(name);
      return true;
  }
}

/**
 * Prometheus's hashmod: the MD5 of the value, its last 8 bytes read as a big-endian uint64, modulo
 * `modulus` (model/relabel reads `hash[8:]` to keep the results of its earlier versions).
 */
export function hashMod(value: string, modulus: bigint): bigint {
  if (modulus <= 0n) return 0n;
  const digest = createHash('md5').update(value, 'utf8').digest();
  return digest.readBigUInt64BE(8) % modulus;
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/**
 * Go's `Regexp.ExpandString`: `$1`, `${1}`, `$name`, `${name}` are replaced by the group's match
 * (empty when the group does not exist or did not take part), `$$` is a literal `$`, and a `$`
 * that starts no valid reference stays as it is. `$1x` names the group `1x`, not group 1.
 */
export function expandTemplate(template: string, m: RegExpExecArray): string {
  if (!template.includes('$')) return template;
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) break;
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    const ref = extractReference(template, i);
    if (ref === undefined) {
      out += '$';
      continue;
    }
    i = ref.end;
    out += groupValue(m, ref.name);
  }
  return out + template.slice(i);
}

function extractReference(s: string, start: number): { name: string; end: number } | undefined {
  let i = start;
  const brace = s[i] === '{';
  if (brace) i++;
  const nameStart = i;
  while (i < s.length) {
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (!NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  if (i === nameStart) return undefined;
  const name = s.slice(nameStart, i);
  if (brace) {
    if (s[i] !== '}') return undefined;
    i++;
  }
  return { name, end: i };
}

function groupValue(m: RegExpExecArray, name: string): string {
  // A number with a leading zero is looked up as a name in Go; no JS group can have such a name.
  if (/^[0-9]+$/.test(name)) return name.length > 1 && name[0] === '0' ? '' : (m[Number(name)] ?? '');
  return m.groups?.[name] ?? '';
}
