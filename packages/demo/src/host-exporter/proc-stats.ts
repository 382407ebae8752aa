/**
 * Readers of Linux's /proc for the host exporter: CPU time per CPU and mode (/proc/stat), memory
 * (/proc/meminfo), disk sectors (/proc/diskstats) and network counters (/proc/net/dev). Parsers
 * are pure (tested on fixtures); `readProcStats` reads the files, and an unreadable file (not
 * Linux, a restricted container) leaves its part empty instead of failing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Clock ticks per second of /proc/stat's CPU times (USER_HZ, 100 on every Linux architecture we run on). */
export const USER_HZ = 100;
/** /proc/diskstats counts 512-byte sectors whatever the device's sector size. */
export const SECTOR_BYTES = 512;

/** Modes of /proc/stat's cpu lines, in file order (guest times are already part of user and nice). */
export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
export type CpuMode = (typeof CPU_MODES)[number];

export type CpuTimes = Record<CpuMode, number>;

export interface DiskCounters {
  readonly sectorsRead: number;
  readonly sectorsWritten: number;
}

export interface NetCounters {
  readonly receiveBytes: number;
  readonly receiveErrors: number;
  readonly receiveDrops: number;
  readonly transmitBytes: number;
  readonly transmitErrors: number;
  readonly transmitDrops: number;
}

export interface ProcStats {
  /** Unix ms of the reading. */
  readonly atMs: number;
  /** Seconds per mode, by CPU number ("0", "1", ...). */
  readonly cpus: ReadonlyMap<string, CpuTimes>;
  /** Bytes by /proc/meminfo field (MemTotal, MemAvailable, ...). */
  readonly memory: ReadonlyMap<string, number>;
  readonly disks: ReadonlyMap<string, DiskCounters>;
  readonly interfaces: ReadonlyMap<string, NetCounters>;
}

/** Per-CPU times in seconds from /proc/stat (the aggregate `cpu` line is skipped). */
export function parseProcStat(text: string): Map<string, CpuTimes> {
  const cpus = new Map<string, CpuTimes>();
  for (const line of text.split('\n')) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (match === null) continue;
    const ticks = match[2]!.trim().split(/\s+/).map(Number);
    const times = {} as CpuTimes;
    CPU_MODES.forEach((mode, i) => {
      const value = ticks[i];
      times[mode] = value !== undefined && Number.isFinite(value) ? value / USER_HZ : 0;
    });
    cpus.set(match[1]!, times);
  }
  return cpus;
}

/** /proc/meminfo fields in bytes (values given in kB are multiplied by 1024). */
export function parseMeminfo(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?$/.exec(line.trim());
    if (match === null) continue;
    const value = Number(match[2]);
    fields.set(match[1]!, line.trim().endsWith('kB') ? value * 1024 : value);
  }
  return fields;
}

/** Devices node_exporter leaves out as well: partitions, loop, ram and floppy devices. */
const IGNORED_DEVICES = /^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p|mmcblk\d+p)\d+$/;

export function parseDiskstats(text: string): Map<string, DiskCounters> {
  const disks = new Map<string, DiskCounters>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const name = f[2]!;
    if (IGNORED_DEVICES.test(name)) continue;
    disks.set(name, { sectorsRead: Number(f[5]), sectorsWritten: Number(f[9]) });
  }
  return disks;
}

export function parseNetDev(text: string): Map<string, NetCounters> {
  const interfaces = new Map<string, NetCounters>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (name === '' || f.length < 16 || f.some((v) => !Number.isFinite(v))) continue;
    interfaces.set(name, {
      receiveBytes: f[0]!,
      receiveErrors: f[2]!,
      receiveDrops: f[3]!,
      transmitBytes: f[8]!,
      transmitErrors: f[10]!,
      transmitDrops: f[11]!,
    });
  }
  return interfaces;
}

async function readOr(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/** Reads the four files under `procRoot` (default /proc). */
export async function readProcStats(procRoot: string, nowMs: number): Promise<ProcStats> {
  const [stat, meminfo, diskstats, netDev] = await Promise.all([
    readOr(join(procRoot, 'stat')),
    readOr(join(procRoot, 'meminfo')),
    readOr(join(procRoot, 'diskstats')),
    readOr(join(procRoot, 'net', 'dev')),
  ]);
  return {
    atMs: nowMs,
    cpus: parseProcStat(stat),
    memory: parseMeminfo(meminfo),
    disks: parseDiskstats(diskstats),
    interfaces: parseNetDev(netDev),
  };
}
