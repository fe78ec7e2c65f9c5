import { isAbsolute, join, relative } from 'node:path';
import { formatTable } from '../../output/formatTable.js';
import type { RunReport } from '../../report/types.js';
import { compare, type CompareFlags } from '../compare/index.js';
import type { CommandContext } from '../context.js';
import { exportVerified, writeVerified } from '../export/index.js';
import { DEMO_DEFAULTS } from './defaults.js';

export { DEMO_DEFAULTS } from './defaults.js';

/** Random inputs `verifyExport` checks each demo export on (as `quant-trim export --samples`). */
const DEMO_EXPORT_SAMPLES = 64;

/** One output of the demo, for the closing list. */
interface Output {
  readonly what: string;
  readonly path: string;
}

/**
 * `quant-trim demo`: trains FP, QAT and Quant-Trim on the embedded dataset, evaluates them across
 * all profiles, writes the report and exports every trained checkpoint to ONNX (FP32, and QDQ with
 * its encodings for the quantized methods) through `quant-trim export`'s code path (each file
 * checked by `verifyExport` before it is written) into `<out>/onnx/`; it ends by listing where
 * report.json, report.html, the checkpoints and the ONNX files went. Unlike `compare`, a rerun
 * replaces the previous demo in `--out` (as `--force`; `--resume` continues it instead): the demo is
 * seeded and deterministic, so a rerun recreates the same result, and the documented
 * `npm run demo` must keep working when run twice. The output directory is still locked against a
 * concurrent run.
 */
export async function demo(flags: CompareFlags, ctx: CommandContext) {
  let onnx: string[] = [];
  const result = await compare({ ...DEMO_DEFAULTS, ...definedOnly(flags), force: flags.force === true || flags.resume !== true }, ctx, {
    afterReport: async (out, report, written) => {
      const exported = await exportCheckpoints(out, report, ctx);
      onnx = exported.filter((o) => o.what.endsWith('ONNX')).map((o) => o.path);
      ctx.reporter.onResult?.(outputList(out, report, written, exported, ctx.cwd));
    },
  });
  return { ...result, onnx };
}

/**
 * Every trained checkpoint of the run to `<out>/onnx/<method>.fp32.onnx` (and `.qdq.onnx` with its
 * `.qdq.encodings.json` for QAT / Quant-Trim); with several seeds into `<out>/onnx/seed-<s>/`.
 * The files of a rerun replace the previous demo's (same names, written atomically).
 */
async function exportCheckpoints(out: string, report: RunReport, ctx: CommandContext): Promise<Output[]> {
  const runs = report.methods.filter((m) => m.checkpoint !== undefined);
  const several = report.seeds.length > 1;
  const files: Output[] = [];
  ctx.reporter.onPhaseStart?.({ phase: 'export', label: `export ${runs.length} checkpoint(s) to ONNX`, total: runs.length });
  const t0 = performance.now();
  for (const [i, run] of runs.entries()) {
    const { name, rows } = await exportVerified(run.checkpoint!, { samples: DEMO_EXPORT_SAMPLES }, ctx);
    const dir = several ? join(out, 'onnx', `seed-${run.seed ?? report.seed}`) : join(out, 'onnx');
    for (const f of writeVerified(rows, dir, name, ctx)) {
      files.push({ what: `${run.label} ${f.format === 'fp32' ? 'FP32' : 'QDQ'} ONNX`, path: f.path });
      if (f.encodings !== undefined) files.push({ what: `${run.label} QDQ encodings`, path: f.encodings });
    }
    ctx.reporter.onProgress?.({ phase: 'export', label: `export ${runs.length} checkpoint(s) to ONNX`, done: i + 1, total: runs.length, detail: name });
  }
  ctx.reporter.onPhaseEnd?.({ phase: 'export', label: `export ${runs.length} checkpoint(s) to ONNX`, seconds: (performance.now() - t0) / 1000 });
  return files;
}

/** Where everything went: the reports, each checkpoint directory and each exported file. */
function outputList(out: string, report: RunReport, written: { json: string; html: string }, exported: readonly Output[], cwd: string): string {
  const rows: Output[] = [
    { what: 'report (JSON)', path: written.json },
    { what: 'report (HTML)', path: written.html },
    ...report.methods
      .filter((m) => m.checkpoint !== undefined)
      .map((m) => ({ what: `${m.label} checkpoints${report.seeds.length > 1 ? ` (seed ${m.seed})` : ''}`, path: m.checkpoint! })),
    ...exported,
  ];
  // Paths relative to the working directory when inside it (quant-trim-out/demo/report.html), else absolute.
  const shown = (p: string) => {
    const rel = relative(cwd, p);
    return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? p : rel;
  };
  return `\ndemo outputs in ${shown(out)}:\n${formatTable(rows, [
    { header: 'what', value: (r) => r.what },
    { header: 'path', value: (r) => shown(r.path) },
  ])}`;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
