/**
 * The host exporter's series (the catalog's `source: 'host'` metrics) computed from two /proc
 * readings: totals from the latest, rates and utilisation between the previous and the latest.
 */
import { CPU_MODES, SECTOR_BYTES, type CpuTimes, type ProcStats } from './proc-stats.js';

export const HOST_METRICS = [
  'node_cpu_seconds_total',
  'node_cpu_usage_percent',
  'node_memory_MemTotal_bytes',
  'node_memory_MemAvailable_bytes',
  'node_memory_usage_percent',
  'node_disk_io_rate_bytes',
  'node_network_throughput_bytes',
  'node_network_errors_total',
] as const;
export type HostMetricName = (typeof HOST_METRICS)[number];

export interface HostSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export type HostSamples = Record<HostMetricName, HostSample[]>;

function busyAndTotal(times: CpuTimes): { busy: number; total: number } {
  let total = 0;
  for (const mode of CPU_MODES) total += times[mode];
  return { busy: total - times.idle - times.iowait, total };
}

/** Per-second rate of a counter between two readings; a counter that went down (reset) gives no rate. */
function rate(current: number, previous: number, seconds: number): number | undefined {
  return current >= previous && seconds > 0 ? (current - previous) / seconds : undefined;
}

/**
 * The series of the latest reading. Rates need `previous` (a reading at least a moment older);
 * without it, or for a device or interface that appeared since, they are left out.
 */
export function hostSamples(current: ProcStats, previous: ProcStats | undefined): HostSamples {
  const out: HostSamples = {
    node_cpu_seconds_total: [],
    node_cpu_usage_percent: [],
    node_memory_MemTotal_bytes: [],
    node_memory_MemAvailable_bytes: [],
    node_memory_usage_percent: [],
    node_disk_io_rate_bytes: [],
    node_network_throughput_bytes: [],
    node_network_errors_total: [],
  };
  const seconds = previous === undefined ? 0 : (current.atMs - previous.atMs) / 1000;

  for (const [cpu, times] of current.cpus) {
    for (const mode of CPU_MODES) out.node_cpu_seconds_total.push({ labels: { cpu, mode }, value: times[mode] });
    const before = previous?.cpus.get(cpu);
    if (before === undefined) continue;
    const now = busyAndTotal(times);
    const then = busyAndTotal(before);
    const totalDelta = now.total - then.total;
    if (totalDelta > 0) {
      const percent = (100 * (now.busy - then.busy)) / totalDelta;
      out.node_cpu_usage_percent.push({ labels: { cpu }, value: Math.min(100, Math.max(0, percent)) });
    }
  }

  const memTotal = current.memory.get('MemTotal');
  const memAvailable = current.memory.get('MemAvailable');
  if (memTotal !== undefined) out.node_memory_MemTotal_bytes.push({ labels: {}, value: memTotal });
  if (memAvailable !== undefined) out.node_memory_MemAvailable_bytes.push({ labels: {}, value: memAvailable });
  if (memTotal !== undefined && memAvailable !== undefined && memTotal > 0) {
    out.node_memory_usage_percent.push({ labels: {}, value: 100 * (1 - memAvailable / memTotal) });
  }

  for (const [device, disk] of current.disks) {
    const before = previous?.disks.get(device);
    if (before === undefined) continue;
    const read = rate(disk.sectorsRead, before.sectorsRead, seconds);
    const write = rate(disk.sectorsWritten, before.sectorsWritten, seconds);
    if (read !== undefined)
      out.node_disk_io_rate_bytes.push({ labels: { device, operation: 'read' }, value: read * SECTOR_BYTES });
    if (write !== undefined) {
      out.node_disk_io_rate_bytes.push({ labels: { device, operation: 'write' }, value: write * SECTOR_BYTES });
    }
  }

  for (const [iface, net] of current.interfaces) {
    out.node_network_errors_total.push(
      { labels: { interface: iface, type: 'receive_errors' }, value: net.receiveErrors },
      { labels: { interface: iface, type: 'receive_drops' }, value: net.receiveDrops },
      { labels: { interface: iface, type: 'transmit_errors' }, value: net.transmitErrors },
      { labels: { interface: iface, type: 'transmit_drops' }, value: net.transmitDrops },
    );
    const before = previous?.interfaces.get(iface);
    if (before === undefined) continue;
    const rx = rate(net.receiveBytes, before.receiveBytes, seconds);
    const tx = rate(net.transmitBytes, before.transmitBytes, seconds);
    if (rx !== undefined)
      out.node_network_throughput_bytes.push({ labels: { interface: iface, direction: 'receive' }, value: rx });
    if (tx !== undefined)
      out.node_network_throughput_bytes.push({ labels: { interface: iface, direction: 'transmit' }, value: tx });
  }
  return out;
}
