/**
 * The ship registry the vessels service consults at onboarding (IntegrationService.fetchVesselData).
 * Simulated: the answer is derived from the IMO number, so the same ship always has the same data.
 */
import { createHash } from 'node:crypto';
import type { VesselType } from '../shared/equipment-types.js';

const FLAGS = ['PA', 'LR', 'MH', 'HK', 'SG', 'MT', 'BS', 'GR', 'NO', 'CY'] as const;
const TONNAGE_RANGE: Readonly<Record<VesselType, readonly [number, number]>> = {
  bulk_carrier: [20_000, 110_000],
  tanker: [25_000, 160_000],
  container: [15_000, 220_000],
  offshore_supply: [1_500, 6_000],
  ro_ro: [10_000, 70_000],
};

export interface RegistryRecord {
  readonly flag: string;
  readonly grossTonnage: number;
  readonly builtYear: number;
}

export function registryRecord(imo: string, vesselType: VesselType): RegistryRecord {
  const digest = createHash('sha256').update(`registry:${imo}`).digest();
  const [low, high] = TONNAGE_RANGE[vesselType];
  return {
    flag: FLAGS[digest[0]! % FLAGS.length]!,
    grossTonnage: low + Math.round((digest.readUInt16BE(1) / 0xffff) * (high - low)),
    builtYear: 1990 + (digest[3]! % 35),
  };
}
