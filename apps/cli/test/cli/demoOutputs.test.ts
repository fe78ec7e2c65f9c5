import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readOnnx } from '@quant-trim/onnx-export';
import { describe, expect, it } from 'vitest';
import { FAST, run, tempDir } from './helpers.js';

describe('quant-trim demo: exports and the list of outputs', () => {
  it('exports every checkpoint to ONNX (FP32; QDQ + encodings for QAT / Quant-Trim), prints where everything went, and a rerun replaces it', async () => {
    const cwd = tempDir('demo-outputs');
    const out = join(cwd, 'quant-trim-out', 'demo');
    const args = ['demo', ...FAST, '--model', 'mlp', '--profiles', 'tflite-int8', '--bootstrap-resamples', '100', '--out', 'quant-trim-out/demo'];
    const first = await run(args, cwd);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);

    const onnx = join(out, 'onnx');
    const files = [
      'fp.fp32.onnx',
      'qat.fp32.onnx',
      'qat.qdq.onnx',
      'qat.qdq.encodings.json',
      'quant-trim.fp32.onnx',
      'quant-trim.qdq.onnx',
      'quant-trim.qdq.encodings.json',
    ];
    for (const f of files) expect(existsSync(join(onnx, f)), f).toBe(true);
    expect(existsSync(join(onnx, 'fp.qdq.onnx'))).toBe(false); // FP has no grids to export
    // real ONNX models: the float ones without Q/DQ nodes, the QDQ ones with them
    const ops = (f: string) => readOnnx(new Uint8Array(readFileSync(join(onnx, f)))).graph.nodes.map((n) => n.opType);
    expect(ops('quant-trim.fp32.onnx')).not.toContain('DequantizeLinear');
    expect(ops('quant-trim.qdq.onnx')).toContain('DequantizeLinear');

    // the closing list names report.json, report.html, each checkpoint directory and each export (relative to the working directory)
    const list = first.stdout.slice(first.stdout.indexOf('demo outputs in quant-trim-out/demo:'));
    expect(list).toMatch(/^demo outputs in quant-trim-out\/demo:/);
    const rel = (p: string) => relative(cwd, p);
    expect(list).toMatch(new RegExp(`report \\(JSON\\)\\s+${rel(join(out, 'report.json'))}\\n`));
    expect(list).toMatch(new RegExp(`report \\(HTML\\)\\s+${rel(join(out, 'report.html'))}\\n`));
    for (const [label, method] of [
      ['FP', 'fp'],
      ['QAT', 'qat'],
      ['Quant-Trim', 'quant-trim'],
    ] as const) {
      expect(list).toMatch(new RegExp(`${label} checkpoints\\s+${rel(join(out, 'checkpoints', 'seed-0', method))}\\n`));
      expect(existsSync(join(out, 'checkpoints', 'seed-0', method, 'latest.json'))).toBe(true);
      expect(list).toMatch(new RegExp(`${label} FP32 ONNX\\s+${rel(join(onnx, `${method}.fp32.onnx`))}\\n`));
    }
    expect(list).toMatch(new RegExp(`QAT QDQ ONNX\\s+${rel(join(onnx, 'qat.qdq.onnx'))}\\n`));
    expect(list).toMatch(new RegExp(`Quant-Trim QDQ encodings\\s+${rel(join(onnx, 'quant-trim.qdq.encodings.json'))}\\n`));

    // a rerun replaces the previous demo, exports included; with --json every export is an artifact event
    const second = await run([...args, '--json'], cwd);
    expect(second.code, second.stderr).toBe(0);
    const events = second.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; kind?: string; path?: string });
    const artifacts = events
      .filter((e) => e.type === 'artifact' && (e.kind === 'onnx' || e.kind === 'encodings'))
      .map((e) => relative(onnx, e.path!))
      .sort();
    expect(artifacts).toEqual([...files].sort());
    expect(events.some((e) => e.type === 'result' && /demo outputs in quant-trim-out\/demo:/.test((e as { text?: string }).text ?? ''))).toBe(true);
  }, 900_000);
});
