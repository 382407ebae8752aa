/**
 * Scenarios: scripted faults on a schedule of simulated time. A server-side fault is the
 * control API's `FaultRequest` (contract.ts), sent to POST /faults; a client-side fault is traffic
 * the simulator itself generates (a brute-force burst, SQL-injection-like requests, bulk exports,
 * unauthorized access) or a vessel going offline.
 *
 * In a scenario every `at` and `duration_ms` is simulated time (`2h30m`, `45m`, or milliseconds);
 * the simulator divides durations by the speed factor before it sends them to the control API.
 * `extra_latency_ms` and `rate_per_second` are wall-clock quantities: requests happen in real time.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FaultRequest } from '../contract.js';
import { parseDurationMs } from './duration.js';

/** Simulated duration: `2h30m`, `90s`, or a number of milliseconds. */
const Duration = z
  .union([z.number(), z.string()], {
    errorMap: (_issue, ctx) => ({
      message: ctx.data === undefined ? 'Required' : 'Expected a duration such as 90s, 15m, 2h30m or 1d',
    }),
  })
  .transform((value, ctx) => {
    const ms = parseDurationMs(value);
    if (ms === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `Expected a duration such as 90s, 15m, 2h30m or 1d` });
      return z.NEVER;
    }
    return ms;
  });
const PositiveDuration = Duration.refine((ms) => ms > 0, 'Expected a positive duration');

const burst = <K extends string>(kind: K, defaultRatePerSecond: number) =>
  z
    .object({
      kind: z.literal(kind),
      duration_ms: PositiveDuration,
      /** Requests per wall-clock second while the burst lasts. */
      rate_per_second: z.number().positive().max(1_000).default(defaultRatePerSecond),
    })
    .strict();

/** Client-side faults: traffic the simulator generates, or a vessel losing its connection. */
const ClientFault = [
  /** Many failed logins, fast: guessed passwords for real and common usernames. */
  burst('brute_force', 25),
  /** Quotes with `' OR 1=1 --`-style part numbers, injection in query strings and usernames (400s). */
  burst('sql_injection', 5),
  /** Repeated GETs of the export endpoints with one compromised account (large responses). */
  burst('bulk_export', 4),
  /** Technicians trying to order parts, users reading other companies' data (403s). */
  burst('unauthorized_access', 20),
  /** A vessel loses its link: its technicians' uploads queue on board, then sync as one backlog. */
  z
    .object({
      kind: z.literal('vessel_offline'),
      duration_ms: PositiveDuration,
      /** IMO number of the vessel; by default the active vessel with the most technicians. */
      vessel: z
        .string()
        .regex(/^\d{7}$/, 'Expected an IMO number (7 digits)')
        .optional(),
    })
    .strict(),
] as const;

/** Server-side faults: the contract's FaultRequest, with `duration_ms` in simulated time. */
const ServerFault = FaultRequest.options.map((option) =>
  option.extend({ duration_ms: PositiveDuration }).strict(),
) as unknown as readonly [
  z.ZodObject<{ kind: z.ZodLiteral<'down'> }>,
  ...z.ZodObject<{ kind: z.ZodLiteral<string> }>[],
];

const ScenarioFaultSchema = z.discriminatedUnion('kind', [...ServerFault, ...ClientFault]);

const EntrySchema = z.object({ at: Duration, fault: ScenarioFaultSchema }).strict();

/** A scenario file: a list of entries, or `{ repeat_every, faults }` to run the list every period. */
const ScenarioListSchema = z.array(EntrySchema);
const ScenarioObjectSchema = z
  .object({
    /** The list starts again after this much simulated time (e.g. `1d`). */
    repeat_every: PositiveDuration.optional(),
    faults: z.array(EntrySchema),
  })
  .strict();

export type ServerFaultKind = FaultRequest['kind'];
export type ClientFault = z.output<(typeof ClientFault)[number]>;
export type BurstKind = Exclude<ClientFault['kind'], 'vessel_offline'>;
/** A fault of a scenario, every duration in simulated milliseconds. */
export type ScenarioFault = FaultRequest | ClientFault;

export interface ScenarioEntry {
  /** Simulated offset from the simulation's start. */
  readonly atMs: number;
  readonly fault: ScenarioFault;
}

/** A validated scenario. */
export interface Scenario {
  readonly entries: readonly ScenarioEntry[];
  /** When set, the entries repeat with this simulated period. */
  readonly repeatEveryMs?: number;
}

const SERVER_KINDS: ReadonlySet<string> = new Set(FaultRequest.options.map((o) => o.shape.kind.value));

/** Whether a scenario fault goes to the control API (true) or is played by the simulator. */
export function isServerFault(fault: ScenarioFault): fault is FaultRequest {
  return SERVER_KINDS.has(fault.kind);
}

/** A scenario file could not be read or is invalid. */
export class ScenarioError extends Error {
  readonly code = 'WKDEMO_SCENARIO_INVALID';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScenarioError';
  }
}

/** Validates parsed scenario data (from JSON or YAML); `source` names it in errors. */
export function parseScenario(data: unknown, source = 'scenario'): Scenario {
  // Two schemas rather than a union, so that errors name the path inside the form that was meant.
  const result = Array.isArray(data) ? ScenarioListSchema.safeParse(data) : ScenarioObjectSchema.safeParse(data);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      return `  At ${path}: ${issue.message}`;
    });
    throw new ScenarioError(
      `${source} is not a valid scenario (a list of { at, fault }, or { repeat_every, faults }):\n${lines.join('\n')}`,
    );
  }
  const file = result.data;
  const list = Array.isArray(file) ? file : file.faults;
  const entries = list.map((e) => ({ atMs: e.at, fault: e.fault as ScenarioFault })).sort((a, b) => a.atMs - b.atMs);
  const repeatEveryMs = Array.isArray(file) ? undefined : file.repeat_every;
  if (repeatEveryMs !== undefined) {
    const late = entries.find((e) => e.atMs >= repeatEveryMs);
    if (late) throw new ScenarioError(`${source}: an entry at ${late.atMs} ms is not inside repeat_every`);
  }
  return repeatEveryMs === undefined ? { entries } : { entries, repeatEveryMs };
}

/** Reads a scenario file, YAML or JSON (YAML is a superset of JSON). */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ScenarioError(`Cannot read the scenario file ${path}: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new ScenarioError(`${path} is neither YAML nor JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseScenario(data, path);
}

/** No faults at all. */
export const EMPTY_SCENARIO: Scenario = { entries: [] };

/**
 * The default scenario: two simulated days of incidents, repeated. At the default speed (60: a
 * simulated hour per real minute) each fault lasts long enough in wall time for the plan's alerts
 * to see it; README.md has the timeline.
 */
export const DEFAULT_SCENARIO: Scenario = parseScenario(
  {
    repeat_every: '2d',
    faults: [
      // Day 1
      { at: '30m', fault: { kind: 'vessel_offline', duration_ms: '40h' } },
      { at: '1h', fault: { kind: 'brute_force', duration_ms: '3h', rate_per_second: 25 } },
      { at: '5h', fault: { kind: 'down', service: 'parts-api', duration_ms: '3h' } },
      { at: '8h30m', fault: { kind: 'sql_injection', duration_ms: '1h', rate_per_second: 5 } },
      { at: '10h', fault: { kind: 'payment_failures', failure_ratio: 0.3, duration_ms: '6h' } },
      { at: '13h', fault: { kind: 'db_pool_exhaustion', service: 'sync', duration_ms: '7h' } },
      { at: '14h', fault: { kind: 'unauthorized_access', duration_ms: '2h', rate_per_second: 20 } },
      { at: '17h', fault: { kind: 'bulk_export', duration_ms: '2h', rate_per_second: 4 } },
      { at: '20h', fault: { kind: 'down', service: 'payment-processor', duration_ms: '3h' } },
      { at: '23h', fault: { kind: 'slow', service: 'sync', extra_latency_ms: 2500, duration_ms: '1h' } },
      // Day 2 (the vessel offline since 00:30 on day 1 comes back at 16:30 and syncs its backlog)
      { at: '1d30m', fault: { kind: 'slow', service: 'parts-api', extra_latency_ms: 1500, duration_ms: '12h' } },
      { at: '1d5h', fault: { kind: 'sql_injection', duration_ms: '1h', rate_per_second: 5 } },
      { at: '1d8h', fault: { kind: 'down', service: 'auth', duration_ms: '1h' } },
      { at: '1d13h', fault: { kind: 'db_pool_exhaustion', service: 'parts-api', duration_ms: '6h' } },
      { at: '1d14h', fault: { kind: 'brute_force', duration_ms: '2h', rate_per_second: 30 } },
      { at: '1d17h', fault: { kind: 'down', service: 'sync', duration_ms: '2h' } },
      { at: '1d20h', fault: { kind: 'bulk_export', duration_ms: '3h', rate_per_second: 6 } },
      { at: '1d21h', fault: { kind: 'payment_failures', failure_ratio: 0.15, duration_ms: '3h' } },
    ],
  },
  'the default scenario',
);

/** A one-line description of a fault for logs: `parts-api down`, `brute_force 25/s`. */
export function describeFault(fault: ScenarioFault): string {
  switch (fault.kind) {
    case 'down':
      return `${fault.service} down`;
    case 'slow':
      return `${fault.service} slow +${fault.extra_latency_ms}ms`;
    case 'payment_failures':
      return `payment failures ${Math.round(fault.failure_ratio * 100)}%`;
    case 'db_pool_exhaustion':
      return `${fault.service} db pool exhausted`;
    case 'vessel_offline':
      return `vessel ${fault.vessel ?? '(auto)'} offline`;
    default:
      return `${fault.kind} ${fault.rate_per_second}/s`;
  }
}
