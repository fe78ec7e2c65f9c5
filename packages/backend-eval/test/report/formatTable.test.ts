import { isQuantTrimError } from '@quant-trim/errors';
import { describe, expect, it } from 'vitest';
import type { EvaluationReport } from '../../src/evaluate/reportTypes.js';
import { displayWidth } from '../../src/report/formatTable.js';
import { formatReportTable } from '../../src/report/index.js';
import { fullReport, minimalReport } from './fixtures.js';
import { setAt } from './helpers.js';

const FULL_TEXT = [
  'cifar10-cnn',
  '',
  'profile           status  coverage  acc %  drop pp  top-1 agr %      KL  cosine    ECE  p50 b1 ms  p50 b32 ms  energy µJ',
  '----------------  ------  --------  -----  -------  -----------  ------  ------  -----  ---------  ----------  ---------',
  'float             –              –  91.20        –            –       –       –      –       0.73       11.04       11.9',
  'trt-int8-entropy  ok          4/12  90.70    +0.50        98.10  0.0041  0.9991  0.021       0.41        5.87        3.1',
  'tflite-int8       ok          3/12  90.30    +0.90        97.35  0.0086  0.9980  0.031       0.40        5.61        3.6',
  '',
  'across profiles: mean drop +0.70 pp, worst drop +0.90 pp (tflite-int8), spread 0.40 pp',
].join('\n');

const FULL_MARKDOWN = [
  '### cifar10-cnn',
  '',
  '| profile | status | coverage | acc % | drop pp | top-1 agr % | KL | cosine | ECE | p50 b1 ms | p50 b32 ms | energy µJ |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  '| float | – | – | 91.20 | – | – | – | – | – | 0.73 | 11.04 | 11.9 |',
  '| trt-int8-entropy | ok | 4/12 | 90.70 | +0.50 | 98.10 | 0.0041 | 0.9991 | 0.021 | 0.41 | 5.87 | 3.1 |',
  '| tflite-int8 | ok | 3/12 | 90.30 | +0.90 | 97.35 | 0.0086 | 0.9980 | 0.031 | 0.40 | 5.61 | 3.6 |',
  '',
  'across profiles: mean drop +0.70 pp, worst drop +0.90 pp (tflite-int8), spread 0.40 pp',
].join('\n');

const ERROR = 'edgetpu-strict: QT_INVALID_ARGUMENT: `compileForBackend` (edgetpu-strict): models with exactly one input are supported, this one has 2';

const MINIMAL_TEXT = [
  'tiny-mlp',
  '',
  'profile           status  coverage  acc %  drop pp  top-1 agr %  KL  cosine  ECE  p50 b1 ms  p50 b32 ms  energy µJ',
  '----------------  ------  --------  -----  -------  -----------  --  ------  ---  ---------  ----------  ---------',
  'float             –              –      –        –            –   –       –    –          –           –          –',
  'ort-dynamic-u8s8  ok             –      –        –            –   –       –    –          –           –          –',
  'edgetpu-strict    error          –      –        –            –   –       –    –          –           –          –',
  '',
  'across profiles: mean drop –, worst drop –, spread –',
  '',
  'errors:',
  `  ${ERROR}`,
].join('\n');

const MINIMAL_MARKDOWN = [
  '### tiny-mlp',
  '',
  '| profile | status | coverage | acc % | drop pp | top-1 agr % | KL | cosine | ECE | p50 b1 ms | p50 b32 ms | energy µJ |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  '| float | – | – | – | – | – | – | – | – | – | – | – |',
  '| ort-dynamic-u8s8 | ok | – | – | – | – | – | – | – | – | – | – |',
  '| edgetpu-strict | error | – | – | – | – | – | – | – | – | – | – |',
  '',
  'across profiles: mean drop –, worst drop –, spread –',
  '',
  'errors:',
  `- ${ERROR}`,
].join('\n');

const p0 = ['models', 0, 'profiles', 0] as const;

/** The cells of the profile row `row` (0 = float) of a text table. */
const textRow = (table: string, row: number): string[] => table.split('\n')[4 + row]!.split(/\s{2,}/);

describe('formatReportTable', () => {
  it('renders the full fixture as aligned text', () => {
    expect(formatReportTable(fullReport, { format: 'text' })).toBe(FULL_TEXT);
  });

  it('renders the full fixture as markdown', () => {
    expect(formatReportTable(fullReport, { format: 'markdown' })).toBe(FULL_MARKDOWN);
  });

  it("renders missing values as '–' and lists the errors of failed profiles", () => {
    expect(formatReportTable(minimalReport, { format: 'text' })).toBe(MINIMAL_TEXT);
    expect(formatReportTable(minimalReport, { format: 'markdown' })).toBe(MINIMAL_MARKDOWN);
  });

  it('renders every model, or the one named by `model`', () => {
    const both: EvaluationReport = { ...fullReport, models: [...fullReport.models, ...minimalReport.models] };
    expect(formatReportTable(both, { format: 'text' })).toBe(`${FULL_TEXT}\n\n${MINIMAL_TEXT}`);
    expect(formatReportTable(both, { format: 'markdown', model: 'tiny-mlp' })).toBe(MINIMAL_MARKDOWN);
    try {
      formatReportTable(both, { format: 'text', model: 'resnet50' });
      expect.unreachable();
    } catch (e) {
      expect(isQuantTrimError(e, 'QT_INVALID_ARGUMENT')).toBe(true);
      expect((e as Error).message).toBe("option `model` of `formatReportTable`: no model 'resnet50' in the report (models: 'cifar10-cnn', 'tiny-mlp')");
    }
  });

  it('signs drops, and shows a drop that rounds to zero without a sign', () => {
    expect(textRow(formatReportTable(setAt(fullReport, [...p0, 'metrics', 'drop'], -0.003), { format: 'text' }), 1)[4]).toBe('-0.30');
    expect(textRow(formatReportTable(setAt(fullReport, [...p0, 'metrics', 'drop'], -0.00001), { format: 'text' }), 1)[4]).toBe('0.00');
  });

  it('takes latency from onnxruntime-node native only; the float row falls back to another mode', () => {
    const emulated = setAt(setAt(fullReport, [...p0, 'runtimes', 0, 'mode'], 'emulate'), ['models', 0, 'float', 'runtimes', 0, 'mode'], 'emulate');
    const table = formatReportTable(emulated, { format: 'text' });
    expect(textRow(table, 0).slice(9)).toEqual(['0.73', '11.04', '11.9']);
    expect(textRow(table, 1).slice(9)).toEqual(['–', '–', '3.1']);
  });

  it('pads text columns by display width and escapes pipes in markdown', () => {
    const wide = setAt(minimalReport, ['models', 0, 'profiles', 0, 'profile'], '边缘|int8');
    const lines = formatReportTable(wide, { format: 'text' }).split('\n');
    const statusColumn = (line: string, status: string): number => displayWidth(line.slice(0, line.indexOf(`  ${status} `) + 2));
    expect([statusColumn(lines[2]!, 'status'), statusColumn(lines[4]!, '–'), statusColumn(lines[5]!, 'ok'), statusColumn(lines[6]!, 'error')]).toEqual([
      16, 16, 16, 16,
    ]);
    expect(lines[5]!.startsWith('边缘|int8       ok ')).toBe(true);
    expect(formatReportTable(wide, { format: 'markdown' }).split('\n')[5]).toBe('| 边缘\\|int8 | ok | – | – | – | – | – | – | – | – | – | – |');
  });
});

describe('displayWidth', () => {
  it('counts wide characters twice and combining marks not at all', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('–µ')).toBe(2);
    expect(displayWidth('边缘')).toBe(4);
    expect(displayWidth('ｑｔ')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
  });
});
