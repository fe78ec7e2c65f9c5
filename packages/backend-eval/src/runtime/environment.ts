import { readFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';

/** The host an evaluation ran on. */
export interface HostEnvironment {
  /** `process.version`, e.g. `v20.19.0`. */
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  /** CPU model name, `unknown` when the OS does not say. */
  readonly cpu: string;
  /** CPU features that decide which integer kernels ORT picks, as the kernel names them, sorted. */
  readonly isa: string[];
}

/**
 * Feature flags worth recording: x86 AVX2 / AVX-512 / VNNI / AMX; Arm NEON (`asimd` on AArch64
 * Linux), dot product (`asimddp` on Linux, `dotprod` elsewhere) and int8 matrix multiply.
 */
const ISA_FLAGS = new Set(['avx2', 'avx512f', 'avx512_vnni', 'avx_vnni', 'neon', 'asimd', 'asimddp', 'dotprod', 'i8mm']);

function relevant(flag: string): boolean {
  return ISA_FLAGS.has(flag) || flag.startsWith('amx');
}

/** Parses `/proc/cpuinfo` text: the first model name and the relevant flags of the first processor listing them. */
export function parseCpuinfo(text: string): { cpu: string | undefined; isa: string[] } {
  let cpu: string | undefined;
  let flags: string[] | undefined;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (cpu === undefined && (key === 'model name' || key === 'hardware' || key === 'cpu model') && value !== '') cpu = value;
    if (flags === undefined && (key === 'flags' || key === 'features')) flags = value.split(/\s+/);
  }
  return { cpu, isa: [...new Set((flags ?? []).filter(relevant))].sort() };
}

function readCpuinfo(): string | undefined {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return undefined;
  }
}

function osCpuModel(): string | undefined {
  try {
    const model = cpus()[0]?.model.trim();
    return model === '' ? undefined : model;
  } catch {
    return undefined;
  }
}

/**
 * Node version, OS, architecture, CPU model and the CPU features relevant to integer kernels.
 * On Linux the CPU comes from `/proc/cpuinfo`; elsewhere from `os.cpus()` (no feature flags
 * then, except `asimd`, which every AArch64 CPU has). Never throws.
 *
 * @example
 * describeEnvironment(); // { node: 'v20.19.0', platform: 'linux', arch: 'x64', cpu: 'AMD EPYC 7B13', isa: ['avx2'] }
 */
export function describeEnvironment(): HostEnvironment {
  const info = platform() === 'linux' ? readCpuinfo() : undefined;
  const parsed = info === undefined ? { cpu: undefined, isa: arch() === 'arm64' ? ['asimd'] : [] } : parseCpuinfo(info);
  return { node: process.version, platform: platform(), arch: arch(), cpu: parsed.cpu ?? osCpuModel() ?? 'unknown', isa: parsed.isa };
}
