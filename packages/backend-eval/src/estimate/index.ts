/** Estimated energy, latency and cost per inference from a documented analytical model (MACs × energy per op, bytes moved, datasheet figures). */
export { countMacs } from './countMacs.js';
export type { CountMacsOptions, MacCount, NodeMacs } from './countMacs.js';
export { DRAM_PJ_PER_BYTE, HOROWITZ_2014, INT32_ENERGY_PJ, MAC_ENERGY_PJ, SRAM_8KB_READ_64BIT_PJ, macEnergyPj } from './energyTable.js';
export type { MacEnergy } from './energyTable.js';
export {
  APPLE_A17_PRO_ANE,
  CORAL_USB_ACCELERATOR,
  HAILO_8_AI_HAT,
  INTEL_I7_1185G7,
  JETSON_ORIN_NANO_SUPER,
  KRIA_KV260_DPU,
  RASPBERRY_PI_5_CPU,
  RK3588_NPU,
  SNAPDRAGON_X_ELITE_NPU,
  XEON_PLATINUM_8380,
} from '../profiles/devices.js';
export { DEFAULT_UTILIZATION, DEVICE_LIFETIME_SECONDS, ELECTRICITY_USD_PER_KWH, estimateCost } from './estimateCost.js';
export type { EstimateCostInput, EstimatePlacement } from './estimateCost.js';
export { placeNodes } from './placement.js';
export type { PlaceNodesInput, PlacementTraffic } from './placement.js';
