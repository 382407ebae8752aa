/**
 * Starting a real Prometheus (Debian's 2.42, `/usr/bin/prometheus`; CI installs it through
 * `.ci/run`'s APT_PACKAGES) as a child process, for the differential test and the comparison
 * benchmark: 127.0.0.1 only, a fresh `--storage.tsdb.path`, a minimal configuration without scrape
 * targets and the remote-write receiver enabled. Only the process started here is ever stopped, by
 * its own PID.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminHeaders, spawnUntilReady } from './helpers.js';

/** `PROMETHEUS_BIN` overrides the path (e.g. a Prometheus 3.x binary for a one-off comparison). */
export const PROMETHEUS_BIN = process.env['PROMETHEUS_BIN'] ?? '/usr/bin/prometheus';

export function prometheusAvailable(): boolean {
  return existsSync(PROMETHEUS_BIN);
}

/**
 * No scrape targets: the stored data is only what a test remote-writes. No `evaluation_interval`
 * either, so the default subquery step stays Prometheus's default of 1m (Watchkeeper's engine
 * uses the same default).
 */
export const MINIMAL_PROMETHEUS_CONFIG = 'global:\n  scrape_interval: 1h\nscrape_configs: []\n';

export interface PrometheusProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Where the TSDB lives (`--storage.tsdb.path`). */
  dataDir: string;
  output(): string;
  /** Sends `signal` to this process only and waits for it to exit (SIGKILL after `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export interface StartPrometheusOptions {
  port: number;
  /** A fresh directory owned by the caller: the config file and `data/` go inside. */
  dir: string;
  config?: string;
  extraArgs?: string[];
  timeoutMs?: number;
}

/** Starts Prometheus and waits until `/-/ready` answers 200. */
export async function startPrometheus(opts: StartPrometheusOptions): Promise<PrometheusProcess> {
  const dataDir = join(opts.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const configFile = join(opts.dir, 'prometheus.yml');
  writeFileSync(configFile, opts.config ?? MINIMAL_PROMETHEUS_CONFIG);
  const args = [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${opts.port}`,
    '--web.enable-remote-write-receiver',
    '--log.level=warn',
    ...(opts.extraArgs ?? []),
  ];
  const proc = await spawnUntilReady('prometheus', PROMETHEUS_BIN, args, {
    url: `http://127.0.0.1:${opts.port}`,
    cwd: opts.dir,
    timeoutMs: opts.timeoutMs,
  });
  return { ...proc, dataDir };
}

/**
 * Remote write 1.0 (snappy protobuf), with the test admin token (Watchkeeper needs one;
 * Prometheus ignores it). Returns the status and, on failure, the body's text.
 */
export async function remoteWrite(url: string, body: Uint8Array): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/api/v1/write`, {
    method: 'POST',
    headers: adminHeaders({
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    }),
    body,
  });
  return { status: res.status, text: res.status === 204 ? '' : await res.text() };
}
