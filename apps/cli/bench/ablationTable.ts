/**
 * The ablation table from the reports `ablation.ts` wrote: per (model, width), FP, QAT, Quant-Trim
 * (paper) and each Quant-Trim setting, with the across-seed mean / worst-case drop and spread and
 * their 95 % bootstrap intervals, the paired differences against FP and QAT (from the same run,
 * paired by seed and test image), float accuracy and training time per checkpoint.
 *
 * Usage: npx tsx --conditions=@quant-trim/source apps/cli/bench/ablationTable.ts [--out out/ablation] [--json | --docs] [--superseded] [--save [--commit <sha>]]
 * (`--docs`: the table as README.md and BENCHMARKS.md show it; `--superseded`: the BatchNorm-model
 * rows measured with BatchNorm frozen at 90 % of training, the default before `freezeBatchNorm`.)
 *
 * The rows measured so far are kept in `apps/cli/bench/results/ablation.json` (committed), so a
 * run that spans several sessions or machines accumulates: rows found in `--out`'s reports replace
 * the stored ones with the same (group, label, current or superseded), and `--save` writes the merged rows back.
 */
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Comparison, Interval, Method, RunReport } from '../src/report/types.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const i = process.argv.indexOf('--out');
const out = resolve(root, i >= 0 ? process.argv[i + 1]! : 'out/ablation');

/** Row labels of the settings, in table order; `paper` contributes FP, QAT and the paper row. */
const ROWS: readonly { setting: string; method: Method; label: string }[] = [
  { setting: 'paper', method: 'fp', label: 'FP' },
  { setting: 'paper', method: 'qat', label: 'QAT' },
  { setting: 'paper', method: 'quant-trim-paper', label: 'Quant-Trim (paper)' },
  { setting: 'tail', method: 'quant-trim', label: '+ activation tail trimming' },
  { setting: 'calib', method: 'quant-trim', label: '+ calibrator randomisation' },
  { setting: 'schemes', method: 'quant-trim', label: '+ scheme randomisation' },
  { setting: 'randomize', method: 'quant-trim', label: '+ calibrator and scheme randomisation' },
  { setting: 'all', method: 'quant-trim', label: '+ all three' },
  { setting: 'tail5', method: 'quant-trim', label: '+ activation tail trimming, pMax 0.05' },
  { setting: 'blank', method: 'quant-trim', label: '+ blank-response suppression' },
  { setting: 'blank-step', method: 'quant-trim', label: '+ blank-response suppression, decoupled' },
  { setting: 'blank-randomize', method: 'quant-trim', label: '+ blank-response suppression and both randomisations' },
  { setting: 'blank-randomize-step01', method: 'quant-trim', label: '+ blank-response suppression (step 0.1) and both randomisations' },
  { setting: 'final', method: 'fp', label: 'FP, 60,000 images' },
  { setting: 'final', method: 'qat', label: 'QAT, 60,000 images' },
  // The paper recipe at full budget: the cnn rows measured while it was `quant-trim`'s default (commit 4360f2c), or a final run with `--methods …,quant-trim-paper`.
  { setting: 'final', method: 'quant-trim-paper', label: 'Quant-Trim (paper), 60,000 images' },
  { setting: 'final', method: 'quant-trim', label: 'Quant-Trim (default recipe), 60,000 images' },
];

const pp = (v: number) => (v * 100).toFixed(2);
const interval = (v: Interval) => `${pp(v.mean)} [${pp(v.low)}, ${pp(v.high)}]`;
const mark = (c: Comparison | undefined) =>
  c === undefined
    ? '–'
    : `${pp(c.difference.mean)} [${pp(c.difference.low)}, ${pp(c.difference.high)}]${c.direction === 'lower' ? ' ✓' : c.direction === 'higher' ? ' ✗' : ''}`;

export interface AblationRow {
  readonly group: string;
  readonly label: string;
  readonly seeds: number;
  readonly floatAccuracy: number;
  readonly meanDrop: Interval;
  readonly worstDrop: Interval;
  readonly worstProfile: string;
  readonly spread: Interval;
  readonly vsFp: { readonly worstDrop?: Comparison; readonly spread?: Comparison };
  readonly vsQat: { readonly worstDrop?: Comparison; readonly spread?: Comparison };
  readonly trainSeconds: number;
  /** The commit whose code trained and evaluated the row (rows of one (model, width) group come from one commit, so they pair). */
  readonly commit?: string;
  /**
   * The report's `budget.freezeBatchNorm`: when QAT / Quant-Trim froze BatchNorm statistics (false:
   * never). Absent in rows measured before the option existed, when they froze at 90 % of training.
   */
  readonly freezeBatchNorm?: number | false;
}

/** Models of the ablation with BatchNorm layers: for them the BatchNorm freeze changes training. */
const BATCHNORM_MODELS: readonly string[] = ['dscnn', 'resnet-tiny'];

/**
 * Whether a row was measured with the current training: BatchNorm never frozen (the default since
 * the option exists), or a model without BatchNorm. The others (BatchNorm frozen at 90 %, the
 * earlier default) are kept as history but neither shown in the main table nor scored.
 */
export function isCurrent(row: AblationRow): boolean {
  return row.freezeBatchNorm === false || !BATCHNORM_MODELS.includes(row.group.slice(0, row.group.lastIndexOf('-')));
}

export function ablationRows(dir: string): AblationRow[] {
  const rows: AblationRow[] = [];
  const groups = existsSync(dir)
    ? readdirSync(dir)
        .filter((g) => ROWS.some((r) => existsSync(join(dir, g, r.setting, 'report.json'))))
        .sort()
    : [];
  for (const group of groups) {
    for (const row of ROWS) {
      const file = join(dir, group, row.setting, 'report.json');
      if (!existsSync(file)) continue;
      const report = JSON.parse(readFileSync(file, 'utf8')) as RunReport;
      const freeze = report.budget.freezeBatchNorm;
      const s = report.summary.find((x) => x.method === row.method);
      if (s === undefined) continue;
      const find = (against: Method, statistic: Comparison['statistic']) =>
        report.comparisons.find((c) => c.method === row.method && c.against === against && c.statistic === statistic);
      const runs = report.methods.filter((m) => m.method === row.method);
      rows.push({
        group,
        label: row.label,
        seeds: report.seeds.length,
        floatAccuracy: s.floatAccuracy,
        meanDrop: s.meanDrop,
        worstDrop: s.worstDrop,
        worstProfile: s.worstProfile,
        spread: s.spread,
        vsFp: { worstDrop: find('fp', 'worstDrop'), spread: find('fp', 'spread') },
        vsQat: { worstDrop: find('qat', 'worstDrop'), spread: find('qat', 'spread') },
        trainSeconds: runs.reduce((a, m) => a + m.trainSeconds, 0) / Math.max(1, runs.length),
        ...(freeze !== undefined ? { freezeBatchNorm: freeze } : {}),
      });
    }
  }
  return rows;
}

/** The Quant-Trim settings a default recipe is chosen from (row labels). */
const CANDIDATES: readonly string[] = [
  'Quant-Trim (paper)',
  '+ activation tail trimming',
  '+ calibrator randomisation',
  '+ scheme randomisation',
  '+ calibrator and scheme randomisation',
  '+ all three',
  '+ activation tail trimming, pMax 0.05',
  '+ blank-response suppression',
  '+ blank-response suppression, decoupled',
  '+ blank-response suppression and both randomisations',
  '+ blank-response suppression (step 0.1) and both randomisations',
];

export interface RecipeScore {
  readonly label: string;
  /** Groups (model, width) where the worst-case drop is below FP's and QAT's and float accuracy ≥ FP's − 0.5 pp. */
  readonly wins: number;
  readonly groups: number;
  /** Mean over the groups of the worst-case drop (pp as a fraction). */
  readonly meanWorst: number;
}

/**
 * The rule that picks `--method quant-trim`'s default recipe, fixed before the dscnn and
 * resnet-tiny rows were complete: a setting wins a (model, width) group when its mean worst-case
 * drop is below both FP's and QAT's and its float accuracy is at least FP's − 0.5 pp; the setting
 * with the most wins is the default, ties broken by the lower mean worst-case drop over the
 * groups; with no win anywhere the paper recipe stays. Only settings measured in every group compete,
 * and only rows measured with the current training count (`isCurrent`).
 */
export function scoreRecipes(all: readonly AblationRow[]): RecipeScore[] {
  const rows = all.filter(isCurrent);
  const groups = [...new Set(rows.map((r) => r.group))];
  const scores: RecipeScore[] = [];
  for (const label of CANDIDATES) {
    let wins = 0;
    let worst = 0;
    let measured = 0;
    for (const g of groups) {
      const row = rows.find((r) => r.group === g && r.label === label);
      const fp = rows.find((r) => r.group === g && r.label === 'FP');
      const qat = rows.find((r) => r.group === g && r.label === 'QAT');
      if (row === undefined || fp === undefined || qat === undefined) continue;
      measured++;
      worst += row.worstDrop.mean;
      if (row.worstDrop.mean < fp.worstDrop.mean && row.worstDrop.mean < qat.worstDrop.mean && row.floatAccuracy >= fp.floatAccuracy - 0.005) wins++;
    }
    if (measured === groups.length && measured > 0) scores.push({ label, wins, groups: measured, meanWorst: worst / measured });
  }
  return scores.sort((a, b) => b.wins - a.wins || a.meanWorst - b.meanWorst);
}

/** The committed rows, overridden by the rows of the reports in `out`. */
export function mergeRows(stored: readonly AblationRow[], measured: readonly AblationRow[]): AblationRow[] {
  // A current row replaces a current one, a superseded row (BatchNorm frozen) another superseded one.
  const key = (r: AblationRow) => `${r.group}\u0000${r.label}\u0000${isCurrent(r) ? 'current' : 'frozen'}`;
  const byKey = new Map(stored.map((r) => [key(r), r]));
  for (const r of measured) byKey.set(key(r), r);
  const order = (r: AblationRow) => ROWS.findIndex((x) => x.label === r.label);
  return [...byKey.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : order(a) - order(b)));
}

const storedFile = resolve(root, 'apps/cli/bench/results/ablation.json');
const stored = existsSync(storedFile) ? (JSON.parse(readFileSync(storedFile, 'utf8')) as { commit?: string; rows?: AblationRow[] }) : {};
// `--commit <sha>`: the commit whose code trained and evaluated the runs in `out` (e.g. a frozen worktree's); each row keeps its own.
const c = process.argv.indexOf('--commit');
const commit = c >= 0 ? process.argv[c + 1] : undefined;
const storedRows = (stored.rows ?? []).map((r) => (r.commit === undefined && stored.commit !== undefined ? { ...r, commit: stored.commit } : r));
const rows = mergeRows(
  storedRows,
  ablationRows(out).map((r) => (commit !== undefined ? { ...r, commit } : r)),
);
if (process.argv.includes('--save')) {
  writeFileSync(
    `${storedFile}.tmp`,
    `${JSON.stringify({ note: 'Rows of the Quant-Trim ablation (apps/cli/bench/ablation.ts), written by ablationTable.ts --save; fractions, not pp; each row names the commit that measured it.', rows }, null, 1)}\n`,
  );
  renameSync(`${storedFile}.tmp`, storedFile);
}
// `--superseded`: the rows measured with BatchNorm frozen at 90 % (before the default changed) instead of the current ones.
const shown = rows.filter((r) => isCurrent(r) !== process.argv.includes('--superseded'));
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(rows, null, 2));
} else if (process.argv.includes('--docs')) {
  // The README / BENCHMARKS table: model and weights apart, typographic minus, signed differences.
  const minus = (text: string) => text.replace(/-/g, '−');
  const docInterval = (v: Interval) => minus(interval(v));
  const signed = (v: number) => minus(`${v >= 0 ? '+' : ''}${pp(v)}`);
  const docMark = (c: Comparison | undefined) =>
    c === undefined
      ? '–'
      : `${signed(c.difference.mean)} [${signed(c.difference.low)}, ${signed(c.difference.high)}]${c.direction === 'lower' ? ' ✓' : c.direction === 'higher' ? ' ✗' : ''}`;
  console.log('| model, weights | method | float acc % | mean drop pp | worst-case drop pp (profile) | spread pp | Δ worst vs FP | Δ worst vs QAT |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of shown) {
    const width = r.group.slice(r.group.lastIndexOf('-') + 1).toUpperCase();
    console.log(
      `| ${r.group.slice(0, r.group.lastIndexOf('-'))}, ${width} | ${r.label} | ${pp(r.floatAccuracy)} | ${docInterval(r.meanDrop)} | ${docInterval(r.worstDrop)} (${r.worstProfile}) | ${docInterval(r.spread)} | ${docMark(r.vsFp.worstDrop)} | ${docMark(r.vsQat.worstDrop)} |`,
    );
  }
} else {
  console.log(
    '| model / weights | method | seeds | float acc % | mean drop pp [95 %] | worst-case drop pp [95 %] (profile) | spread pp [95 %] | Δ worst vs FP | Δ worst vs QAT | Δ spread vs FP | Δ spread vs QAT | train s |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of shown) {
    console.log(
      `| ${r.group} | ${r.label} | ${r.seeds} | ${pp(r.floatAccuracy)} | ${interval(r.meanDrop)} | ${interval(r.worstDrop)} (${r.worstProfile}) | ${interval(r.spread)} | ${mark(r.vsFp.worstDrop)} | ${mark(r.vsQat.worstDrop)} | ${mark(r.vsFp.spread)} | ${mark(r.vsQat.spread)} | ${r.trainSeconds.toFixed(0)} |`,
    );
  }
  console.log(
    "\ntrain s: wall seconds of one checkpoint's training, mean over seeds, as measured while other runs shared the machine (FP / QAT rows come from the run that trained them): not comparable across rows; the training-cost ratios are in the fake-quant bench.",
  );
  const scores = scoreRecipes(rows);
  if (scores.length > 0) {
    console.log('\n| setting | groups won (worst case below FP and QAT, float ≥ FP − 0.5 pp) | mean worst-case drop pp |');
    console.log('|---|---:|---:|');
    for (const s of scores) console.log(`| ${s.label} | ${s.wins} of ${s.groups} | ${pp(s.meanWorst)} |`);
    const best = scores[0]!;
    console.log(`\ndefault recipe by the rule: ${best.wins > 0 ? best.label : 'Quant-Trim (paper) (no setting won a group)'}`);
  }
  console.log(
    'Δ: paired difference (this method − FP / QAT) of the statistic, mean over seeds with its 95 % bootstrap interval over seeds and test images; ✓ the interval is below 0 (narrower), ✗ above 0 (wider).',
  );
}
