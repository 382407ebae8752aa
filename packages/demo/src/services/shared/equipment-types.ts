/**
 * The equipment the portal documents: which equipment a vessel type carries (the templates vessels
 * generates at onboarding) and which fields a complete record of each type has (what sync's
 * quality score measures against).
 */
import type { z } from 'zod';
import type { CreateVesselRequest } from '../../contract.js';

export type VesselType = z.infer<typeof CreateVesselRequest>['vessel_type'];

const COMMON_FIELDS = ['manufacturer', 'model', 'serial_number', 'installed_on', 'condition'] as const;

/** Fields of a complete record, by equipment type. */
export const EQUIPMENT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  main_engine: [...COMMON_FIELDS, 'running_hours', 'last_overhaul', 'rated_power_kw'],
  auxiliary_engine: [...COMMON_FIELDS, 'running_hours', 'rated_power_kw'],
  generator: [...COMMON_FIELDS, 'rated_power_kw', 'running_hours'],
  boiler: [...COMMON_FIELDS, 'working_pressure_bar', 'last_inspection'],
  ballast_pump: [...COMMON_FIELDS, 'capacity_m3h', 'last_service'],
  cargo_pump: [...COMMON_FIELDS, 'capacity_m3h', 'last_service'],
  fire_pump: [...COMMON_FIELDS, 'capacity_m3h', 'last_test'],
  steering_gear: [...COMMON_FIELDS, 'last_test'],
  radar: [...COMMON_FIELDS, 'software_version', 'last_calibration'],
  ecdis: [...COMMON_FIELDS, 'software_version', 'chart_edition'],
  lifeboat: [...COMMON_FIELDS, 'capacity_persons', 'last_drill'],
  crane: [...COMMON_FIELDS, 'safe_working_load_t', 'last_load_test'],
  reefer_plant: [...COMMON_FIELDS, 'refrigerant', 'last_service'],
  inert_gas_system: [...COMMON_FIELDS, 'last_service'],
  dynamic_positioning: [...COMMON_FIELDS, 'software_version', 'dp_class'],
  bow_thruster: [...COMMON_FIELDS, 'rated_power_kw', 'last_service'],
  ramp: [...COMMON_FIELDS, 'safe_working_load_t', 'last_inspection'],
  hvac: [...COMMON_FIELDS, 'refrigerant', 'last_service'],
};

/** Fields expected of an equipment type the portal doesn't know. */
export const DEFAULT_EQUIPMENT_FIELDS: readonly string[] = COMMON_FIELDS;

const EVERY_VESSEL = [
  ['main_engine', 1],
  ['auxiliary_engine', 2],
  ['generator', 2],
  ['boiler', 1],
  ['ballast_pump', 2],
  ['fire_pump', 2],
  ['steering_gear', 1],
  ['radar', 2],
  ['ecdis', 2],
  ['lifeboat', 2],
  ['hvac', 1],
] as const;

/** Equipment by vessel type beyond what every vessel carries: [equipment type, count]. */
const BY_VESSEL_TYPE: Readonly<Record<VesselType, readonly (readonly [string, number])[]>> = {
  bulk_carrier: [['crane', 4]],
  tanker: [
    ['cargo_pump', 3],
    ['inert_gas_system', 1],
  ],
  container: [
    ['reefer_plant', 2],
    ['crane', 2],
  ],
  offshore_supply: [
    ['dynamic_positioning', 1],
    ['bow_thruster', 2],
    ['crane', 1],
  ],
  ro_ro: [
    ['ramp', 2],
    ['bow_thruster', 1],
  ],
};

export interface EquipmentTemplate {
  /** `<equipment_type>_<n>`, unique within a vessel. */
  readonly equipmentKey: string;
  readonly equipmentType: string;
}

/** The equipment a new vessel of this type is expected to carry. */
export function equipmentTemplatesFor(vesselType: VesselType): EquipmentTemplate[] {
  const templates: EquipmentTemplate[] = [];
  for (const [equipmentType, count] of [...EVERY_VESSEL, ...BY_VESSEL_TYPE[vesselType]]) {
    for (let n = 1; n <= count; n++) templates.push({ equipmentKey: `${equipmentType}_${n}`, equipmentType });
  }
  return templates;
}

export function expectedFields(equipmentType: string): readonly string[] {
  return EQUIPMENT_FIELDS[equipmentType] ?? DEFAULT_EQUIPMENT_FIELDS;
}
