import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { metricValue } from '../portal/test-kit.js';
import { HostExporter } from './host-exporter.js';
import { hostSamples } from './host-metrics.js';
import { parseDiskstats, parseMeminfo, parseNetDev, parseProcStat, type ProcStats } from './proc-stats.js';

const STAT = `cpu  300 0 100 1600 0 0 0 0 0 0
cpu0 200 0 50 700 0 0 0 0 0 0
cpu1 100 0 50 900 0 0 0 0 0 0
intr 12345
ctxt 999
`;
const MEMINFO = `MemTotal:       16000000 kB
MemFree:         1000000 kB
MemAvailable:    4000000 kB
HugePages_Total:       0
`;
const DISKSTATS = `   7       0 loop0 10 0 80 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 254       0 vda 100 0 2000 10 50 0 4000 20 0 30 40 0 0 0 0 0 0
 254       1 vda1 90 0 1800 10 40 0 3000 20 0 30 40 0 0 0 0 0 0
`;
const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  1000 10 0 0 0 0 0 0  1000 10 0 0 0 0 0 0
  eth0: 50000 40 2 1 0 0 0 0  9000 30 3 0 0 0 0 0
`;

function stats(atMs: number, stat: string, disk: string, net: string): ProcStats {
  return {
    atMs,
    cpus: parseProcStat(stat),
    memory: parseMeminfo(MEMINFO),
    disks: parseDiskstats(disk),
    interfaces: parseNetDev(net),
  };
}

describe('proc parsers', () => {
  it('reads per-CPU times in seconds (USER_HZ 100), skipping the aggregate line', () => {
    const cpus = parseProcStat(STAT);
    expect([...cpus.keys()]).toEqual(['0', '1']);
    expect(cpus.get('0')).toMatchObject({ user: 2, system: 0.5, idle: 7, steal: 0 });
  });

  it('reads meminfo in bytes', () => {
    const mem = parseMeminfo(MEMINFO);
    expect(mem.get('MemTotal')).toBe(16_000_000 * 1024);
    expect(mem.get('HugePages_Total')).toBe(0);
  });

  it('keeps whole disks, not partitions or loop devices', () => {
    expect([...parseDiskstats(DISKSTATS).keys()]).toEqual(['vda']);
  });

  it('reads interface counters', () => {
    expect(parseNetDev(NET_DEV).get('eth0')).toEqual({
      receiveBytes: 50_000,
      receiveErrors: 2,
      receiveDrops: 1,
      transmitBytes: 9_000,
      transmitErrors: 3,
      transmitDrops: 0,
    });
  });
});

describe('hostSamples', () => {
  const first = stats(0, STAT, DISKSTATS, NET_DEV);
  const second = stats(
    10_000,
    STAT.replace('cpu0 200 0 50 700', 'cpu0 260 0 70 720'),
    DISKSTATS.replace('vda 100 0 2000 10 50 0 4000', 'vda 100 0 2200 10 50 0 14240'),
    NET_DEV.replace('eth0: 50000', 'eth0: 60000'),
  );

  it('gives totals without a previous reading, and no rates', () => {
    const s = hostSamples(first, undefined);
    expect(s.node_cpu_seconds_total).toContainEqual({ labels: { cpu: '1', mode: 'idle' }, value: 9 });
    expect(s.node_memory_usage_percent).toEqual([{ labels: {}, value: 75 }]);
    expect(s.node_network_errors_total).toContainEqual({
      labels: { interface: 'eth0', type: 'transmit_errors' },
      value: 3,
    });
    expect(s.node_cpu_usage_percent).toEqual([]);
    expect(s.node_disk_io_rate_bytes).toEqual([]);
  });

  it('computes utilisation and rates between readings', () => {
    const s = hostSamples(second, first);
    // cpu0: 80 busy ticks of 100 → 80 %; cpu1 did nothing in between.
    expect(s.node_cpu_usage_percent).toHaveLength(1);
    expect(s.node_cpu_usage_percent[0]?.labels).toEqual({ cpu: '0' });
    expect(s.node_cpu_usage_percent[0]?.value).toBeCloseTo(80, 9);
    expect(s.node_disk_io_rate_bytes).toEqual([
      { labels: { device: 'vda', operation: 'read' }, value: (200 * 512) / 10 },
      { labels: { device: 'vda', operation: 'write' }, value: (10_240 * 512) / 10 },
    ]);
    expect(s.node_network_throughput_bytes).toContainEqual({
      labels: { interface: 'eth0', direction: 'receive' },
      value: 1_000,
    });
  });
});

describe('HostExporter', () => {
  const root = mkdtempSync(join(tmpdir(), 'wk-proc-'));
  let exporter: HostExporter | undefined;
  afterAll(async () => {
    await exporter?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves node_* series from /proc on /metrics', async () => {
    mkdirSync(join(root, 'net'));
    const write = (stat: string, net: string) => {
      writeFileSync(join(root, 'stat'), stat);
      writeFileSync(join(root, 'meminfo'), MEMINFO);
      writeFileSync(join(root, 'diskstats'), DISKSTATS);
      writeFileSync(join(root, 'net', 'dev'), net);
    };
    write(STAT, NET_DEV);
    // One /proc reading serves every family of a scrape (readings at least 100 ms apart).
    exporter = await HostExporter.create({ internalMetricsToken: 'x'.repeat(32), procRoot: root, minIntervalMs: 100 });
    await exporter.listen(0);
    await new Promise((r) => setTimeout(r, 150));
    write(STAT.replace('cpu1 100 0 50 900', 'cpu1 150 0 50 950'), NET_DEV);
    await new Promise((r) => setTimeout(r, 150));
    const text = await (await fetch(`${exporter.url}/metrics`)).text();
    expect(metricValue(text, 'node_memory_MemAvailable_bytes')).toBe(4_000_000 * 1024);
    expect(metricValue(text, 'node_cpu_seconds_total', { cpu: '1', mode: 'user' })).toBe(1.5);
    expect(metricValue(text, 'node_cpu_usage_percent', { cpu: '1' })).toBeCloseTo(50, 9);
    expect(text).toContain('service="host-exporter"');
    expect(text).toMatch(/# TYPE node_cpu_seconds_total counter/);
    expect((await fetch(`${exporter.url}/healthz`)).status).toBe(200);
  });
});
