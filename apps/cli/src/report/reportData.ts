import type { ModelReport, ProfileResult } from '@quant-trim/backend-eval';
import { isNum } from './format.js';
import type { Interval, MethodRun, MethodSummary, ProfileSummary, RunReport } from './types.js';

/** Canonical order and colours of the compared checkpoints (docs/method.md#the-three-checkpoints); unknown model names follow. */
const METHOD_ORDER = ['fp', 'qat', 'quant-trim', 'quant-trim-paper'];
const DEFAULT_LABELS: Readonly<Record<string, string>> = { fp: 'FP', qat: 'QAT', 'quant-trim': 'Quant-Trim', 'quant-trim-paper': 'Quant-Trim (paper)' };
const COLORS: Readonly<Record<string, string>> = { fp: '#7c8798', qat: '#e0922f', 'quant-trim': '#2f6fde', 'quant-trim-paper': '#8a5cc9' };
const EXTRA_COLORS = ['#2b9c8a', '#c2508a', '#b58a1b'];

export interface MethodView {
  readonly id: string;
  readonly label: string;
  readonly color: string;
  readonly run?: MethodRun;
  readonly model?: ModelReport;
  readonly summary?: MethodSummary;
}

export interface ProfileView {
  readonly id: string;
  readonly name: string;
  readonly vendor: string;
  /** Result per method id (absent when that model was not evaluated on this profile). */
  readonly results: ReadonlyMap<string, ProfileResult>;
}

/** Everything the sections read, resolved once and tolerant of missing parts. */
export interface ReportView {
  /** `run`: a `compare` / `demo` run report; `evaluation`: an `eval` report (one model, no training). */
  readonly kind: 'run' | 'evaluation';
  readonly report: RunReport;
  readonly methods: readonly MethodView[];
  readonly profiles: readonly ProfileView[];
}

const list = <T>(v: readonly T[] | undefined | null): readonly T[] => (Array.isArray(v) ? v : []);

export function buildView(report: RunReport, kind: ReportView['kind'] = 'run'): ReportView {
  const runs = list(report.methods);
  const models = list(report.evaluation?.models);
  const summaries = list(report.summary);
  const ids: string[] = [];
  for (const id of [...runs.map((r) => r.method as string), ...models.map((m) => m.name), ...summaries.map((s) => s.method as string)]) {
    if (typeof id === 'string' && !ids.includes(id)) ids.push(id);
  }
  ids.sort((a, b) => rank(a) - rank(b));
  let extra = 0;
  const methods = ids.map((id): MethodView => {
    const run = runs.find((r) => r.method === id);
    const model = models.find((m) => m.name === id);
    const summary = summaries.find((s) => s.method === id);
    const color = COLORS[id] ?? EXTRA_COLORS[extra++ % EXTRA_COLORS.length] ?? '#888888';
    return { id, label: run?.label || DEFAULT_LABELS[id] || id, color, ...(run ? { run } : {}), ...(model ? { model } : {}), ...(summary ? { summary } : {}) };
  });
  const profiles: { id: string; name: string; vendor: string; results: Map<string, ProfileResult> }[] = [];
  for (const m of methods) {
    for (const p of list(m.model?.profiles)) {
      let view = profiles.find((v) => v.id === p.profile);
      if (!view) {
        view = { id: p.profile, name: p.name || p.profile, vendor: p.vendor || '', results: new Map() };
        profiles.push(view);
      }
      view.results.set(m.id, p);
    }
  }
  return { kind, report, methods, profiles };
}

function rank(id: string): number {
  const i = METHOD_ORDER.indexOf(id);
  return i < 0 ? METHOD_ORDER.length : i;
}

export const isOk = (r: ProfileResult | undefined): r is ProfileResult => r !== undefined && r.status === 'ok';

export function accuracyOf(r: ProfileResult | undefined): number | undefined {
  const a = isOk(r) ? r.metrics?.accuracy : undefined;
  return isNum(a) ? a : undefined;
}

/** Accuracy drop on the profile from the float model of the same checkpoint. */
export function dropOf(r: ProfileResult | undefined): number | undefined {
  if (!isOk(r) || !r.metrics) return undefined;
  const { drop, floatAccuracy, accuracy } = r.metrics;
  if (isNum(drop)) return drop;
  return isNum(floatAccuracy) && isNum(accuracy) ? floatAccuracy - accuracy : undefined;
}

export interface AcrossProfiles {
  readonly floatAccuracy?: number;
  readonly meanDrop?: number;
  readonly worstDrop?: number;
  readonly worstProfile?: string;
  readonly spread?: number;
  /** 95 % bootstrap intervals (schemaVersion 2 summaries). */
  readonly intervals?: { readonly meanDrop: Interval; readonly worstDrop: Interval; readonly spread: Interval };
}

/** A summary's interval, when it has finite bounds. */
export function hasBounds(i: Interval | undefined): i is Interval {
  return i !== undefined && isNum(i.mean) && isNum(i.low) && isNum(i.high);
}

/** Seeds behind the report's summaries (1 for single-seed and schemaVersion 1 reports). */
export function seedCount(view: ReportView): number {
  const seeds = view.report.seeds;
  return Array.isArray(seeds) && seeds.length > 0 ? seeds.length : 1;
}

/** A method's across-seed drop on one profile (schemaVersion 2), if summarised. */
export function profileSummaryOf(method: MethodView, profile: string): ProfileSummary | undefined {
  const list = method.summary?.profiles;
  return Array.isArray(list) ? list.find((p) => p.profile === profile) : undefined;
}

/** The across-profile summary (docs/method.md#metrics) of one method: `report.summary`, else backend-eval's `acrossProfiles`, else computed from the rows. */
export function acrossProfilesOf(view: ReportView, method: MethodView): AcrossProfiles {
  const floatAccuracy = method.summary?.floatAccuracy ?? method.run?.floatAccuracy ?? method.model?.float?.accuracy;
  const s = method.summary;
  if (s && typeof s.meanDrop === 'object' && typeof s.worstDrop === 'object' && typeof s.spread === 'object') {
    return {
      ...(isNum(floatAccuracy) ? { floatAccuracy } : {}),
      meanDrop: s.meanDrop.mean,
      worstDrop: s.worstDrop.mean,
      worstProfile: s.worstProfile,
      spread: s.spread.mean,
      intervals: { meanDrop: s.meanDrop, worstDrop: s.worstDrop, spread: s.spread },
    };
  }
  const given = method.model?.acrossProfiles;
  if (given)
    return {
      ...(isNum(floatAccuracy) ? { floatAccuracy } : {}),
      meanDrop: given.meanDrop,
      worstDrop: given.worstDrop,
      worstProfile: given.worstProfile,
      spread: given.spread,
    };
  const drops = view.profiles
    .map((p) => ({ id: p.id, drop: dropOf(p.results.get(method.id)) }))
    .filter((d): d is { id: string; drop: number } => d.drop !== undefined);
  if (drops.length === 0) return isNum(floatAccuracy) ? { floatAccuracy } : {};
  const worst = drops.reduce((a, b) => (b.drop > a.drop ? b : a));
  const best = Math.min(...drops.map((d) => d.drop));
  return {
    ...(isNum(floatAccuracy) ? { floatAccuracy } : {}),
    meanDrop: drops.reduce((s, d) => s + d.drop, 0) / drops.length,
    worstDrop: worst.drop,
    worstProfile: worst.id,
    spread: worst.drop - best,
  };
}

/** Profile name for an id, falling back to the id. */
export function profileName(view: ReportView, id: string | undefined): string {
  if (!id) return '';
  return view.profiles.find((p) => p.id === id)?.name ?? id;
}

/** The model whose deployment details (coverage, sensitivity) the report shows: Quant-Trim first. */
export function focusMethod(view: ReportView): MethodView | undefined {
  return view.methods.find((m) => m.id === 'quant-trim' && m.model) ?? [...view.methods].reverse().find((m) => m.model);
}
