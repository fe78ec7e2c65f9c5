/**
 * What exporters really write (PyTorch, our NHWC exporter): Constant nodes, Identity aliases,
 * shape-only chains, a layout Transpose at the input, If subgraphs reading outer-scope tensors,
 * ops the opset-21 upgrade must carry. Every compiled model must load and run in ONNX Runtime,
 * in both execution modes.
 */
import { isQuantTrimError } from '@quant-trim/errors';
import { cloneModel, readOnnx, takenNames, writeOnnx, type OnnxAttribute } from '@quant-trim/onnx-export';
import { ort } from '@quant-trim/test-utils/onnx';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { compileForBackend, coverageFor, type CompiledModel } from '../../src/compile/compileForBackend.js';
import { upgradeOpset } from '../../src/compile/opsetUpgrade.js';
import { builtinProfiles } from '../../src/profiles/builtinProfiles.js';
import { defineBackend } from '../../src/profiles/defineBackend.js';
import { f32, i64, int, ints, modelOf, node, torchLike } from './exporterModels.js';
import { values } from './fixtures.js';

const { onnx } = onnxProto;
const PROFILES = Object.values(builtinProfiles);
const calibration = (samples = 16, sample = 108) => [values(samples * sample, 11, 2)];

/** Loads both execution modes of a compiled model in onnxruntime-node and runs one batch of 2 (1 for a fixed batch of 1). */
async function expectOrtAccepts(compiled: CompiledModel, sample: number[], batch = 2): Promise<void> {
  const x = new ort.Tensor('float32', values(batch * sample.reduce((a, b) => a * b, 1), 5, 2), [batch, ...sample]);
  for (const [mode, level] of [
    ['emulate', 'disabled'],
    ['native', 'all'],
  ] as const) {
    const session = await ort.InferenceSession.create(compiled.bytes(mode), { graphOptimizationLevel: level }).catch((e: unknown) => {
      throw new Error(`${compiled.profile} ${mode}: ORT rejects the compiled model: ${(e as Error).message}`);
    });
    const out = await session.run({ [session.inputNames[0]!]: x });
    expect(out[session.outputNames[0]!]!.dims[0], `${compiled.profile} ${mode}`).toBe(batch);
    await session.release();
  }
}

describe('graphs as exporters write them', () => {
  it('Constant nodes become initializers: bounds are never activations, Constant weights are quantized as weights; every profile gives models ORT accepts', async () => {
    for (const profile of PROFILES) {
      const compiled = await compileForBackend(torchLike(), profile, calibration());
      expect(
        compiled.coverage.map((c) => c.opType),
        profile.id,
      ).not.toContain('Constant');
      expect(
        compiled.coverage.map((c) => c.opType),
        profile.id,
      ).not.toContain('Identity');
      expect(
        compiled.coverage.map((c) => c.opType),
        profile.id,
      ).not.toContain('Dropout');
      const activations = compiled.activations.map((a) => a.tensor);
      for (const bound of ['zero', 'six', 'lo', 'hi']) expect(activations, profile.id).not.toContain(bound);
      if (profile.id !== 'ort-dynamic-u8s8' && profile.id !== 'coreml-weight-only')
        expect(
          compiled.weights.map((w) => w.tensor),
          profile.id,
        ).toContain('w1');
      await expectOrtAccepts(compiled, [3, 6, 6]);
    }
  }, 120_000);

  it('shape-only chains and Identity aliases are transparent: Edge TPU keeps every computing node on the accelerator', () => {
    const coverage = coverageFor(torchLike(), builtinProfiles['edgetpu-strict']);
    expect(coverage.filter((c) => !c.onAccelerator)).toEqual([]);
    const shape = coverage.filter((c) => ['Shape', 'Gather', 'Unsqueeze', 'Concat'].includes(c.opType));
    expect(shape).toHaveLength(4);
    for (const c of shape)
      expect(c).toMatchObject({ integer: false, numerics: 'float32', transparent: true, reason: expect.stringMatching(/shape computation/) });
    expect(coverage.filter((c) => c.transparent === true)).toHaveLength(4); // the Reshape reads data: it computes
    expect(coverage.filter((c) => c.integer).map((c) => c.opType)).toEqual(['Conv', 'Clip', 'Conv', 'Clip', 'Reshape', 'Gemm']);
  });

  it('float arithmetic on shapes and constants (Cast of a Shape, Mul by a constant) is folded too: never quantized, never a cut', async () => {
    // clip bound = channels · 0.25 = 1, computed the way exporters write size-derived values
    const model = modelOf(
      [
        node('conv', 'Conv', ['x', 'w'], ['c']),
        node('shape', 'Shape', ['c'], ['s']),
        node('channels', 'Gather', ['s', 'one'], ['ch'], { axis: int(0) }),
        node('cast', 'Cast', ['ch'], ['chf'], { to: int(1) }),
        node('scale', 'Mul', ['chf', 'quarter'], ['bound']),
        node('neg', 'Neg', ['bound'], ['lower']),
        node('clip', 'Clip', ['c', 'lower', 'bound'], ['r']),
        node('flatten', 'Flatten', ['r'], ['f']),
        node('fc', 'Gemm', ['f', 'wfc'], ['y'], { transB: int(1) }),
      ],
      [
        f32('w', [4, 3, 3, 3], values(108, 1, 0.4)),
        { ...i64('one', [1]), dims: [] },
        f32('quarter', [], Float32Array.of(0.25)),
        f32('wfc', [5, 64], values(320, 4, 0.2)),
      ],
      ['N', 3, 6, 6],
    );
    const coverage = coverageFor(model, builtinProfiles['edgetpu-strict']);
    expect(coverage.filter((c) => !c.onAccelerator)).toEqual([]);
    expect(coverage.filter((c) => c.integer).map((c) => c.node)).toEqual(['conv', 'clip', 'flatten', 'fc']);
    const compiled = await compileForBackend(model, builtinProfiles['tflite-int8'], calibration());
    expect(compiled.activations.map((a) => a.tensor)).not.toContain('bound');
    expect(compiled.activations.map((a) => a.tensor)).not.toContain('lower');
    await expectOrtAccepts(compiled, [3, 6, 6]);
  });

  it('a layout Transpose at the graph input (our NHWC exports) is absorbed: Edge TPU single-cut starts after it', async () => {
    const base = torchLike();
    const nhwc = modelOf(
      [node('/input/Transpose', 'Transpose', ['x'], ['x_nchw'], { perm: ints([0, 3, 1, 2]) }), ...base.graph.nodes],
      [...base.graph.initializers.values()],
      ['N', 6, 6, 3],
    );
    nhwc.graph.nodes[4]!.inputs[0] = 'x_nchw'; // /conv1/Conv
    expect(nhwc.graph.nodes[4]!.name).toBe('/conv1/Conv');
    const coverage = coverageFor(nhwc, builtinProfiles['edgetpu-strict']);
    expect(coverage[0]).toMatchObject({
      opType: 'Transpose',
      onAccelerator: true,
      transparent: true,
      reason: expect.stringMatching(/layout Transpose at the graph input/),
    });
    expect(coverage.filter((c) => !c.onAccelerator)).toEqual([]);
    const compiled = await compileForBackend(nhwc, builtinProfiles['edgetpu-strict'], calibration());
    await expectOrtAccepts(compiled, [6, 6, 3]);
    // A Transpose in the middle of the graph is a real op: Edge TPU (no Transpose) still cuts there.
    const middle = modelOf(
      [
        node('conv', 'Conv', ['x', 'wdw'], ['c'], { group: int(4) }),
        node('t', 'Transpose', ['c'], ['ct'], { perm: ints([0, 1, 3, 2]) }),
        node('relu', 'Relu', ['ct'], ['y']),
      ],
      [f32('wdw', [4, 1, 3, 3], values(36, 2, 0.5))],
      ['N', 4, 6, 6],
    );
    expect(coverageFor(middle, builtinProfiles['edgetpu-strict']).map((c) => c.onAccelerator)).toEqual([true, false, false]);
  });

  it('a fixed batch size: calibration batches of any size are re-batched to it', async () => {
    const fixed = torchLike(4);
    const uneven = [values(6 * 108, 11, 2), values(7 * 108, 12, 2), values(3 * 108, 13, 2)]; // 16 samples in batches of 6, 7, 3
    const compiled = await compileForBackend(fixed, builtinProfiles['tflite-int8'], uneven);
    expect(compiled.calibration).toMatchObject({ samples: 16, batches: 3 });
    const all = new Float32Array(16 * 108);
    let offset = 0;
    for (const b of uneven) all.set(b, (offset += b.length) - b.length);
    const reference = await compileForBackend(torchLike(), builtinProfiles['tflite-int8'], [all]);
    expect(compiled.activations).toEqual(reference.activations);
    await expectOrtAccepts(compiled, [3, 6, 6], 4);
    // a profile calibrating on fewer samples than one call holds still gets one whole call
    const twoSamples = defineBackend({
      ...builtinProfiles['tflite-int8'],
      id: 'test-two-samples',
      calibration: { ...builtinProfiles['tflite-int8'].calibration, samples: 2 },
    });
    expect((await compileForBackend(fixed, twoSamples, uneven)).calibration).toMatchObject({ samples: 4, batches: 1 });
    const tooFew = await compileForBackend(fixed, builtinProfiles['tflite-int8'], [values(3 * 108, 1)]).catch((e: unknown) => e);
    expect(isQuantTrimError(tooFew, 'QT_INVALID_ARGUMENT')).toBe(true);
    expect((tooFew as Error).message).toMatch(/fixed batch size of 4/);
  });

  it('16-bit profiles raise opset-13 models with Slice, Max and Pow to opset 21', async () => {
    const model = modelOf(
      [
        node('conv', 'Conv', ['x', 'w'], ['c']),
        node('slice', 'Slice', ['c', 'starts', 'ends', 'axes'], ['s']),
        node('max', 'Max', ['s', 'floor'], ['m']),
        node('pow', 'Pow', ['m', 'two'], ['p']),
        node('mean', 'ReduceMean', ['p'], ['r'], { axes: ints([2, 3]), keepdims: int(0) }),
        node('fc', 'Gemm', ['r', 'wfc'], ['y'], { transB: int(1) }),
      ],
      [
        f32('w', [4, 3, 3, 3], values(108, 1, 0.4)),
        i64('starts', [0]),
        i64('ends', [2]),
        i64('axes', [1]),
        f32('floor', [], Float32Array.of(0.1)),
        f32('two', [], Float32Array.of(2)),
        f32('wfc', [5, 2], values(10, 3, 0.5)),
      ],
      ['N', 3, 6, 6],
    );
    for (const id of ['tflite-16x8', 'qnn-htp-w8a16'] as const) {
      const compiled = await compileForBackend(model, builtinProfiles[id], calibration());
      expect(compiled.opset).toBe(21);
      await expectOrtAccepts(compiled, [3, 6, 6]);
    }
  });

  it('an equal Split-13 (no split input) gets num_outputs at opset 21 and computes the same', async () => {
    const model = modelOf(
      [
        node('conv', 'Conv', ['x', 'w'], ['c']),
        node('split', 'Split', ['c'], ['a', 'b'], { axis: int(1) }),
        node('add', 'Add', ['a', 'b'], ['s']),
        node('flatten', 'Flatten', ['s'], ['f']),
        node('fc', 'Gemm', ['f', 'wfc'], ['y'], { transB: int(1) }),
      ],
      [f32('w', [4, 3, 3, 3], values(108, 1, 0.4)), f32('wfc', [5, 32], values(160, 3, 0.3))],
      ['N', 3, 6, 6],
    );
    const upgraded = cloneModel(model);
    upgradeOpset(upgraded, 21, '16-bit activations', takenNames(upgraded));
    expect(upgraded.graph.nodes[1]!.attributes['num_outputs']).toEqual({ type: 'int', value: 2 });
    const x = new ort.Tensor('float32', values(2 * 108, 5, 2), [2, 3, 6, 6]);
    const run = async (m: typeof model) => {
      const session = await ort.InferenceSession.create(writeOnnx(m), { graphOptimizationLevel: 'disabled' });
      const out = (await session.run({ x }))['y']!.data as Float32Array;
      await session.release();
      return Array.from(out);
    };
    expect(await run(upgraded)).toEqual(await run(model));
    const compiled = await compileForBackend(model, builtinProfiles['tflite-16x8'], calibration());
    expect(compiled.opset).toBe(21);
    await expectOrtAccepts(compiled, [3, 6, 6]);
  });
});

/** A graph-valued attribute as `readOnnx` keeps it (encoded). */
function branch(name: string, opType: string, inputs: string[], out = `${name}_out`): OnnxAttribute {
  const g = onnx.GraphProto.create({
    name,
    node: [onnx.NodeProto.create({ name: `${name}_op`, opType, input: inputs, output: [out] })],
    output: [onnx.ValueInfoProto.create({ name: out, type: { tensorType: { elemType: 1 } } })],
  });
  return { type: 'raw', raw: onnx.AttributeProto.encode({ name, type: onnx.AttributeProto.AttributeType.GRAPH, g }).finish() };
}

describe('subgraphs', () => {
  /**
   * conv → relu → If(sum > 0): relu·w_then | relu + w_else → Flatten → Gemm; w_then / w_else are
   * read only inside the branches; the then-branch's output is named like the scale the compiler
   * would give `r`, so new names must avoid subgraph names too.
   */
  const withIf = () =>
    readOnnx(
      writeOnnx(
        modelOf(
          [
            node('conv', 'Conv', ['x', 'w'], ['c']),
            node('relu', 'Relu', ['c'], ['r']),
            node('sum', 'ReduceSum', ['r'], ['s'], { keepdims: int(0) }),
            node('positive', 'Greater', ['s', 'zero'], ['cond']),
            {
              ...node('if', 'If', ['cond'], ['b']),
              attributes: { then_branch: branch('then_branch', 'Mul', ['r', 'w_then'], 'r_scale'), else_branch: branch('else_branch', 'Add', ['r', 'w_else']) },
            },
            node('flatten', 'Flatten', ['b'], ['f']),
            node('fc', 'Gemm', ['f', 'wfc'], ['y'], { transB: int(1) }),
          ],
          [
            f32('w', [4, 3, 3, 3], values(108, 1, 0.4)),
            f32('zero', [], Float32Array.of(0)),
            f32('w_then', [1, 4, 4, 4], values(64, 2)),
            f32('w_else', [1, 4, 4, 4], values(64, 3)),
            f32('wfc', [5, 64], values(320, 4, 0.2)),
          ],
          ['N', 3, 6, 6],
        ),
      ),
    );

  it('tensors only an If branch reads survive compilation; the If stays float and every profile gives models ORT accepts', async () => {
    for (const profile of PROFILES) {
      const compiled = await compileForBackend(withIf(), profile, calibration());
      expect(compiled.model.graph.initializers.has('w_then'), profile.id).toBe(true);
      expect(compiled.model.graph.initializers.has('w_else'), profile.id).toBe(true);
      expect(
        compiled.coverage.find((c) => c.opType === 'If'),
        profile.id,
      ).toMatchObject({ integer: false });
      await expectOrtAccepts(compiled, [3, 6, 6]);
    }
  }, 120_000);

  it('an op inside a subgraph that cannot move to opset 21 is refused with a coded error naming the node', async () => {
    const model = withIf();
    const ifNode = model.graph.nodes.find((n) => n.name === 'if')!;
    ifNode.attributes['else_branch'] = branch('else_branch', 'ReduceMean', ['r']);
    const err = await compileForBackend(model, builtinProfiles['tflite-16x8'], calibration()).catch((e: unknown) => e);
    expect(isQuantTrimError(err, 'QT_INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/If \('if'\).*subgraph 'else_branch' uses ReduceMean/);
  });
});
