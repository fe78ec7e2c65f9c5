import { describe, expect, it } from 'vitest';
import { describeEnvironment, parseCpuinfo } from '../../src/runtime/environment.js';

const X86 = `processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8480+
flags\t\t: fpu sse2 avx avx2 avx512f avx512bw avx512_vnni avx_vnni amx_bf16 amx_tile amx_int8 sha_ni

processor\t: 1
model name\t: Intel(R) Xeon(R) Platinum 8480+
flags\t\t: fpu sse2 avx avx2
`;

const ARM = `processor\t: 0
BogoMIPS\t: 50.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp i8mm bf16
CPU implementer\t: 0x41
`;

describe('parseCpuinfo', () => {
  it('reads the x86 model name and keeps the integer-kernel flags of the first processor', () => {
    expect(parseCpuinfo(X86)).toEqual({
      cpu: 'Intel(R) Xeon(R) Platinum 8480+',
      isa: ['amx_bf16', 'amx_int8', 'amx_tile', 'avx2', 'avx512_vnni', 'avx512f', 'avx_vnni'],
    });
  });

  it('reads Arm features (asimd, asimddp = dot product, i8mm) and has no model name', () => {
    expect(parseCpuinfo(ARM)).toEqual({ cpu: undefined, isa: ['asimd', 'asimddp', 'i8mm'] });
  });

  it('returns nothing for empty text', () => {
    expect(parseCpuinfo('')).toEqual({ cpu: undefined, isa: [] });
  });
});

describe('describeEnvironment', () => {
  it('describes this host', () => {
    const env = describeEnvironment();
    expect(env.node).toBe(process.version);
    expect(env.platform).toBe(process.platform);
    expect(env.arch).toBe(process.arch);
    expect(env.cpu.length).toBeGreaterThan(0);
    expect(Array.isArray(env.isa)).toBe(true);
  });
});
