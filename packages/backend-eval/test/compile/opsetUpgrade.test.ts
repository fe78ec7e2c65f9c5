import { isQuantTrimError } from '@quant-trim/errors';
import { cloneModel, takenNames, writeOnnx, type OnnxModel } from '@quant-trim/onnx-export';
import { ort } from '@quant-trim/test-utils/onnx';
import { describe, expect, it } from 'vitest';
import { upgradeOpset } from '../../src/compile/opsetUpgrade.js';
import { f32, int, ints, modelOf, node } from './exporterModels.js';
import { values } from './fixtures.js';

/** Runs `model` on x[1, 2, 4, 4] (optimization disabled) and returns `y`. */
async function run(model: OnnxModel, extra: Record<string, ort.Tensor> = {}): Promise<number[]> {
  const session = await ort.InferenceSession.create(writeOnnx(model), { graphOptimizationLevel: 'disabled' });
  const out = await session.run({ x: new ort.Tensor('float32', values(32, 7, 2), [1, 2, 4, 4]), ...extra });
  await session.release();
  return Array.from(out['y']!.data as Float32Array);
}

function upgraded(model: OnnxModel): OnnxModel {
  const copy = cloneModel(model);
  upgradeOpset(copy, 21, '16-bit activations', takenNames(copy));
  expect(copy.opsetImports[0]!.version).toBe(21);
  expect(copy.irVersion).toBe(10);
  return copy;
}

describe('upgradeOpset (per-op decisions from the ONNX changelog)', () => {
  it('keeps ops whose new versions only add types or defaulted attributes: same outputs at opset 21', async () => {
    const model = modelOf(
      [
        node('pad', 'Pad', ['x', 'pads'], ['p']),
        node('pool', 'AveragePool', ['p'], ['a'], { kernel_shape: ints([2, 2]) }),
        node('shape', 'Shape', ['a'], ['s']),
        node('reshape', 'Reshape', ['a', 's'], ['r']),
        node('leaky', 'LeakyRelu', ['r'], ['l']),
        node('pow', 'Pow', ['l', 'two'], ['q']),
        node('max', 'Max', ['q', 'floor'], ['m']),
        node('slice', 'Slice', ['m', 'starts', 'ends', 'axes'], ['y']),
      ],
      [
        { name: 'pads', dataType: 7, dims: [8], data: BigInt64Array.of(0n, 0n, 1n, 1n, 0n, 0n, 1n, 1n) },
        f32('two', [], Float32Array.of(2)),
        f32('floor', [], Float32Array.of(0.25)),
        { name: 'starts', dataType: 7, dims: [1], data: BigInt64Array.of(1n) },
        { name: 'ends', dataType: 7, dims: [1], data: BigInt64Array.of(4n) },
        { name: 'axes', dataType: 7, dims: [1], data: BigInt64Array.of(3n) },
      ],
      [1, 2, 4, 4],
    );
    const after = upgraded(model);
    expect(after.graph.nodes.map((n) => [n.opType, n.inputs.length, Object.keys(n.attributes)])).toEqual(
      model.graph.nodes.map((n) => [n.opType, n.inputs.length, Object.keys(n.attributes)]),
    );
    expect(await run(after)).toEqual(await run(model));
  });

  it('rewrites RoiAlign-10 (explicit old default mode) and GridSample-16 (renamed modes) to the same function', async () => {
    const roi = modelOf(
      [node('roi', 'RoiAlign', ['x', 'rois', 'batch_index'], ['y'], { output_height: int(2), output_width: int(2), sampling_ratio: int(2) })],
      [f32('rois', [1, 4], Float32Array.of(0.5, 0.5, 3, 3)), { name: 'batch_index', dataType: 7, dims: [1], data: BigInt64Array.of(0n) }],
      [1, 2, 4, 4],
    );
    const roiAfter = upgraded(roi);
    expect(roiAfter.graph.nodes[0]!.attributes['coordinate_transformation_mode']).toEqual({ type: 'string', value: 'output_half_pixel' });
    expect(await run(roiAfter)).toEqual(await run(roi));

    const grid = modelOf(
      [{ ...node('sample', 'GridSample', ['x', 'grid'], ['y']), attributes: { mode: { type: 'string', value: 'bilinear' } } }],
      [f32('grid', [1, 3, 3, 2], values(18, 3, 0.9))],
      [1, 2, 4, 4],
      16,
    );
    const gridAfter = upgraded(grid);
    expect(gridAfter.graph.nodes[0]!.attributes['mode']).toEqual({ type: 'string', value: 'linear' });
    expect(await run(gridAfter)).toEqual(await run(grid));
  });

  it('refuses training-mode BatchNormalization and ops outside the changelog table, naming the node, and changes nothing', () => {
    const bn = modelOf(
      [node('bn', 'BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y', 'running_mean', 'running_var'], { training_mode: int(1) })],
      [],
      [1, 2, 4, 4],
      14,
    );
    const before = structuredClone(bn);
    let err: unknown;
    try {
      upgradeOpset(bn, 21, '16-bit activations', takenNames(bn));
    } catch (e) {
      err = e;
    }
    expect(isQuantTrimError(err, 'QT_INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/BatchNormalization \('bn'\).*training-mode outputs/);
    expect(bn).toEqual(before);
    const unknown = modelOf([node('up', 'Upsample', ['x', 'scales'], ['y'])], [], [1, 2, 4, 4]);
    expect(() => upgradeOpset(unknown, 21, '16-bit activations', takenNames(unknown))).toThrow(/Upsample \('up'\).*not in the table/);
  });
});
