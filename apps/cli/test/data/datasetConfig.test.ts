import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mergeOptions, parseConfig } from '../../src/config/index.js';

describe('config: dataset fields (preprocess, arrays, labels)', () => {
  it('accepts the ImageNet-style recipe and array names', () => {
    const { value, errors, warnings } = parseConfig(
      {
        dataset: 'data/imagenette',
        preprocess: { resize: 256, centerCrop: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], layout: 'NCHW' },
        arrays: { x: 'images', y: 'labels', layout: 'NHWC' },
        labels: 'float',
      },
      'test.json',
    );
    expect([errors, warnings]).toEqual([[], []]);
    expect(value?.preprocess).toEqual({ resize: 256, centerCrop: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], layout: 'NCHW' });
    expect(value?.arrays).toEqual({ x: 'images', y: 'labels', layout: 'NHWC' });
    expect(value?.labels).toBe('float');
    expect(parseConfig({}, 'empty.json').value?.labels).toBe('dataset');
  });

  it('names the field of every bad value', () => {
    const { errors } = parseConfig(
      {
        preprocess: { resize: [224], centerCrop: 0, scale: 0, mean: [0.5, 0.5], std: [1, 0, 1], channels: 2, layout: 'CHW' },
        arrays: { x: '' },
        labels: 'none',
      },
      'bad.json',
    );
    expect(errors).toEqual([
      expect.stringMatching(/^preprocess\.resize: expected a positive integer or \[height, width\]/),
      expect.stringMatching(/^preprocess\.centerCrop: expected a positive integer or \[height, width\]/),
      expect.stringMatching(/^preprocess\.scale: expected a non-zero number/),
      expect.stringMatching(/^preprocess\.mean: expected 1 or 3 numbers/),
      expect.stringMatching(/^preprocess\.std\.1: expected 1 or 3 numbers > 0/),
      expect.stringMatching(/^preprocess\.channels: expected 1 or 3/),
      expect.stringMatching(/^preprocess\.layout: expected "NCHW" or "NHWC"/),
      expect.stringMatching(/^arrays\.x: expected an array name/),
      expect.stringMatching(/^labels: expected one of "dataset", "float"/),
    ]);
    expect(parseConfig({ preprocess: { channels: 1, mean: [0.4, 0.5, 0.6] } }, 'x.json').errors).toEqual([
      'preprocess.mean: 3 values for preprocess.channels 1; give 1 value',
    ]);
    expect(parseConfig({ preprocess: { size: 3 } }, 'x.json').warnings[0]).toMatch(/^preprocess\.size: unknown key/);
  });

  it("the README's preprocessing example is valid: no errors, no warnings", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /### Image folders, NumPy arrays and preprocessing[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const result = parseConfig(JSON.parse(block!), 'README.md');
    expect([result.errors, result.warnings]).toEqual([[], []]);
    expect(result.value?.preprocess?.centerCrop).toBe(224);
  });

  it('--labels overrides the file, and a bad value names the flag', () => {
    const { value } = parseConfig({ labels: 'dataset', preprocess: { resize: 32 } }, 'x.json');
    const merged = mergeOptions(value!, { labels: 'float' });
    expect([merged.labels, merged.preprocess]).toEqual(['float', { resize: 32 }]);
    expect(() => mergeOptions(value!, { labels: 'floats' })).toThrow(/^--labels: expected one of "dataset", "float"/);
  });
});
