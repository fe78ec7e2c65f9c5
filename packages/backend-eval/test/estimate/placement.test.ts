import { readOnnx } from '@quant-trim/onnx-export';
import { buildModel, DataType } from '@quant-trim/test-utils/onnx';
import { isQuantTrimError } from '@quant-trim/errors';
import { describe, expect, it } from 'vitest';
import type { NodeCoverage } from '../../src/compile/plan.js';
import { coverageFor } from '../../src/compile/compileForBackend.js';
import { countMacs } from '../../src/estimate/countMacs.js';
import { DRAM_PJ_PER_BYTE } from '../../src/estimate/energyTable.js';
import { estimateCost } from '../../src/estimate/estimateCost.js';
import type { NodeMacs } from '../../src/estimate/countMacs.js';
import { placeNodes } from '../../src/estimate/placement.js';
import { builtinProfiles } from '../../src/profiles/builtinProfiles.js';
import type { DeviceSpec } from '../../src/profiles/types.js';

const filled = (dims: number[]) => new Array<number>(dims.reduce((a, b) => a * b, 1)).fill(0.1);
const tensor = (name: string, dims: number[]) => ({ name, dataType: DataType.FLOAT, dims, values: filled(dims) });

/** x[1,3,8,8] → Conv 3→4 k3 → Relu → Erf → BatchNormalization → Conv 4→8 k3 → y[1,8,4,4]; every node unnamed. */
function model() {
  const m = readOnnx(
    buildModel({
      opset: 13,
      inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1, 3, 8, 8] }],
      outputs: [{ name: 'y', dataType: DataType.FLOAT, dims: [1, 8, 4, 4] }],
      initializers: [tensor('w1', [4, 3, 3, 3]), tensor('w2', [8, 4, 3, 3]), tensor('g', [4]), tensor('b', [4]), tensor('m', [4]), tensor('v', [4])],
      nodes: [
        { opType: 'Conv', inputs: ['x', 'w1'], outputs: ['c1'] },
        { opType: 'Relu', inputs: ['c1'], outputs: ['r1'] },
        { opType: 'Erf', inputs: ['r1'], outputs: ['e'] },
        { opType: 'BatchNormalization', inputs: ['e', 'g', 'b', 'm', 'v'], outputs: ['n'] },
        { opType: 'Conv', inputs: ['n', 'w2'], outputs: ['y'] },
      ],
    }),
  );
  for (const n of m.graph.nodes) n.name = '';
  return m;
}

const covered = (node: string, opType: string, onAccelerator: boolean): NodeCoverage => ({
  node,
  opType,
  integer: onAccelerator,
  onAccelerator,
  numerics: onAccelerator ? 'integer' : 'float32',
});

describe('placeNodes', () => {
  it('places each node, counts what crosses the link and the accelerator invocations (hand-computed)', () => {
    // The BatchNormalization is not in the coverage (folded away): it runs where its input's producer (Erf, host) runs.
    const coverage = [covered('Conv_0', 'Conv', true), covered('Relu_1', 'Relu', true), covered('Erf_2', 'Erf', false), covered('Conv_4', 'Conv', true)];
    const bytes = (node: string) => (node === 'Conv_4' ? 2 : 1);
    const traffic = placeNodes({ model: model(), coverage, inputShape: [1, 3, 8, 8], bytesPerElement: bytes });
    expect([...traffic.placement]).toEqual([
      ['Conv_0', 'accelerator'],
      ['Relu_1', 'accelerator'],
      ['Erf_2', 'host'],
      ['BatchNormalization_3', 'host'],
      ['Conv_4', 'accelerator'],
    ]);
    // x in: 3·8·8 = 192 × 1 B; r1 out to the host: 4·6·6 = 144 × 1 B (Relu_1's width);
    // n back in: 144 × 2 B (Conv_4's width); y out: 8·4·4 = 128 × 2 B.
    expect(traffic.transferBytes).toBe(192 + 144 + 288 + 256);
    expect(traffic.invocations).toBe(2);
  });

  it('names unnamed nodes as compilation does, so coverage and MAC counts meet (MACs on a model with no node names)', () => {
    const m = model();
    const profile = builtinProfiles['edgetpu-strict'];
    const coverage = coverageFor(m, profile);
    const macs = countMacs(m, { inputShape: [1, 3, 8, 8] });
    const names = new Set(coverage.map((c) => c.node));
    const convs = macs.nodes.filter((n) => n.opType === 'Conv');
    expect(convs.map((n) => n.node)).toEqual(['Conv_0', 'Conv_4']);
    for (const n of convs) expect(names.has(n.node)).toBe(true);
    // Edge TPU cuts at Erf: the second Conv runs on the host after the single cut.
    const traffic = placeNodes({ model: m, coverage, inputShape: [1, 3, 8, 8], bytesPerElement: () => 1 });
    expect(traffic.placement.get('Conv_0')).toBe('accelerator');
    expect(traffic.placement.get('Conv_4')).toBe('host');
    expect(traffic.invocations).toBe(1);
  });
});

describe('estimateCost with a host', () => {
  const node = (name: string, macs: number): NodeMacs => ({ node: name, opType: 'Conv', macs, weightElements: 0, outputElements: 0 });
  const NODES = [node('a', 1e6), node('b', 1e5)];
  const DEVICE: DeviceSpec = {
    name: 'USB NPU',
    tops: 4,
    host: { name: 'Host CPU', tops: 0.5, precisionTops: { float32: 0.1 }, memoryGBps: 10 },
    linkGBps: 1,
    overheadMs: 0.2,
  };
  const placement = {
    placementOf: (n: NodeMacs) => (n.node === 'b' ? ('host' as const) : ('accelerator' as const)),
    hostBytes: 1e5,
    transferBytes: 1e4,
    invocations: 2,
  };

  it('prices host nodes on the host, adds link transfers and one overhead per invocation (hand-computed)', () => {
    const est = estimateCost({
      macs: NODES,
      precisionOf: (n) => (n.node === 'a' ? 'int8' : 'float32'),
      weightBytes: 1e6,
      activationBytes: 5e5,
      device: DEVICE,
      placement,
    });
    // accelerator: 2e6 / (4e12 × 0.3) s; on-chip memory (no bandwidth) → 1.6667e-3 ms
    // host: max(2e5 / (0.1e12 × 0.3), 1e5 B / 10e9 B/s) = max(6.667 µs, 10 µs) = 0.01 ms
    // link: 1e4 B / 1e9 B/s = 0.01 ms; overhead: 2 × 0.2 ms
    const p = est.placement!;
    expect(p.acceleratorMs).toBeCloseTo((2e6 / 1.2e12) * 1e3, 12);
    expect(p.hostMs).toBeCloseTo(0.01, 12);
    expect(p.transferMs).toBeCloseTo(0.01, 12);
    expect(p.overheadMs).toBeCloseTo(0.4, 12);
    expect(est.latencyMs).toBeCloseTo(p.acceleratorMs + 0.01 + 0.01 + 0.4, 12);
    expect(p).toMatchObject({ host: 'Host CPU', acceleratorMacs: 1e6, fallbackMacs: 1e5, invocations: 2, transferBytes: 1e4 });
    // 1e6 × 0.23 + 1e5 × 4.6 pJ of MACs + (1.5e6 + 1e4) B of DRAM traffic
    expect(est.energyMicrojoules).toBeCloseTo((1e6 * 0.23 + 1e5 * 4.6 + 1.51e6 * DRAM_PJ_PER_BYTE.value) * 1e-6, 9);
    expect(Object.keys(est.assumptions)).toEqual(
      expect.arrayContaining(['host.tops.float32', 'host.memoryGBps', 'host.utilization', 'device.linkGBps', 'device.overheadMs', 'device.tops.int8']),
    );
  });

  it('prices integer host fallback (Edge TPU after its cut) at the host CPU, not the accelerator', () => {
    const int8 = () => 'int8' as const;
    const onAccelerator = estimateCost({ macs: NODES, precisionOf: int8, weightBytes: 0, activationBytes: 0, device: DEVICE });
    const cut = estimateCost({
      macs: NODES,
      precisionOf: int8,
      weightBytes: 0,
      activationBytes: 0,
      device: DEVICE,
      placement: { ...placement, hostBytes: 0, transferBytes: 0, invocations: 1 },
    });
    // host int8 at 0.5 TOPS: 2e5 / (0.5e12 × 0.3) s = 1.3333 µs vs 2e5 / (4e12 × 0.3) on the accelerator
    expect(cut.placement!.hostMs).toBeCloseTo((2e5 / 1.5e11) * 1e3, 12);
    expect(cut.latencyMs).toBeGreaterThan(onAccelerator.latencyMs);
    expect(cut.assumptions['host.tops.int8']!.value).toBe(0.5);
  });

  it('without a host, fallback nodes stay on the device and the overhead is paid once', () => {
    const { host: _h, linkGBps: _l, ...alone } = DEVICE;
    const est = estimateCost({ macs: NODES, precisionOf: () => 'int8', weightBytes: 0, activationBytes: 0, device: alone, placement });
    expect(est.placement).toMatchObject({ invocations: 1, hostMs: 0, transferMs: 0, overheadMs: 0.2, fallbackMacs: 1e5 });
    expect(est.latencyMs).toBeCloseTo((2.2e6 / 1.2e12) * 1e3 + 0.2, 12);
  });

  it('needs the host TOPS only when integer MACs run on the host', () => {
    const device: DeviceSpec = { ...DEVICE, host: { name: 'GPU', precisionTops: { float32: 1 } } };
    expect(
      estimateCost({ macs: NODES, precisionOf: (n) => (n.node === 'a' ? 'int8' : 'float32'), weightBytes: 0, activationBytes: 0, device, placement }).placement!
        .hostMs,
    ).toBeGreaterThan(0);
    try {
      estimateCost({ macs: NODES, precisionOf: () => 'int8', weightBytes: 0, activationBytes: 0, device, placement });
      expect.unreachable();
    } catch (e) {
      expect(isQuantTrimError(e, 'QT_INVALID_ARGUMENT')).toBe(true);
      expect((e as Error).message).toMatch(/^host\.tops: the estimate needs the peak INT8 TOPS of GPU/);
    }
  });
});
