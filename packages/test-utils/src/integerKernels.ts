import { readFileSync } from 'node:fs';
import { arch } from 'node:process';

/**
 * Whether ONNX Runtime's fused integer CPU kernels (QLinearConv, QGemm, MatMulInteger with
 * uint8 × int8) compute exactly on this machine. On x86-64 without VNNI (AVX2 only, e.g. some AMD
 * EPYC hosts) ORT multiplies uint8 × int8 in pairs with `vpmaddubsw`, which saturates at 16 bits,
 * so a QDQ model optimised by ORT ('extended' / 'all') drifts from its own QDQ numerics. Tests that
 * compare ORT's fused kernels with a reference check this first and print the reason when they skip.
 */
export function exactIntegerKernels(): { exact: boolean; reason: string } {
  if (arch !== 'x64') return { exact: true, reason: `${arch}: integer dot products do not saturate` };
  let text = '';
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return { exact: false, reason: 'x64 CPU features unknown (no /proc/cpuinfo)' };
  }
  const flags = new Set((/^flags\s*:(.*)$/m.exec(text)?.[1] ?? '').trim().split(/\s+/));
  const model = /^model name\s*:(.*)$/m.exec(text)?.[1]?.trim() ?? 'unknown CPU';
  if (flags.has('avx512_vnni') || flags.has('avx_vnni')) return { exact: true, reason: `${model} has VNNI` };
  return { exact: false, reason: `${model} has no VNNI: ONNX Runtime's uint8 × int8 kernels saturate 16-bit pair sums here` };
}
