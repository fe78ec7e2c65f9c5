import { describe, expect, it, vi } from 'vitest';
import { torchLike } from '../compile/exporterModels.js';
import { values } from '../compile/fixtures.js';

// A compiler bug stand-in: the real compiler, with the native model of one profile made invalid
// (two nodes with the same name), as ORT's own optimizer once made it.
vi.mock('../../src/compile/compileForBackend.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/compile/compileForBackend.js')>();
  const { cloneModel, writeOnnx } = await import('@quant-trim/onnx-export');
  return {
    ...real,
    compileWithStats: async (...args: Parameters<typeof real.compileWithStats>) => {
      const { compiled, reuse } = await real.compileWithStats(...args);
      if (compiled.profile !== 'rknn-mmse') return { compiled, reuse };
      const native = cloneModel(compiled.native);
      native.graph.nodes[1]!.name = native.graph.nodes[0]!.name;
      return {
        compiled: { ...compiled, native, bytes: (mode: 'emulate' | 'native' = 'emulate') => (mode === 'native' ? writeOnnx(native) : compiled.bytes(mode)) },
        reuse,
      };
    },
  };
});

const { evaluate } = await import('../../src/evaluate/evaluate.js');

describe('evaluate checks every compiled model in ONNX Runtime first', () => {
  it("a compiled model ORT rejects is that profile's coded error naming profile and mode; the others run", async () => {
    const report = await evaluate({
      models: { name: 'torch-like', onnx: torchLike() },
      data: { inputs: values(8 * 108, 1, 2), sampleShape: [3, 6, 6], calibration: values(16 * 108, 2, 2) },
      profiles: ['tflite-int8', 'rknn-mmse'],
      runtimes: [],
      latency: false,
      sensitivity: false,
    });
    const [tflite, rknn] = report.models[0]!.profiles;
    expect(tflite!.status).toBe('ok');
    expect(rknn!.status).toBe('error');
    expect(rknn!.error!.code).toBe('QT_RUNTIME_ERROR');
    expect(rknn!.error!.message).toMatch(/native model compiled for rknn-mmse is rejected by ONNX Runtime.*two nodes with same node name/s);
    expect(rknn!.metrics).toBeUndefined();
  });
});
