import type { EvaluationReport } from '@quant-trim/backend-eval';
import { formatTable } from '../../output/formatTable.js';

const fixed = (v: number, digits: number) => (Math.abs(v) >= 999 ? (v > 0 ? 'identical' : 'no signal') : v.toFixed(digits));

/**
 * Per profile and output: SQNR, cosine and max abs error of the emulated model against the float
 * model; then every task metric (`--metric`) with its float value and drop.
 */
export function formatFidelity(report: EvaluationReport): string {
  const sections: string[] = [];
  for (const m of report.models) {
    const ok = m.profiles.filter((p) => p.status === 'ok');
    const rows = ok.flatMap((p) => (p.fidelity ?? []).map((f) => ({ profile: p.profile, ...f })));
    if (rows.length > 0) {
      sections.push(
        `fidelity per output (emulated vs float, ${report.data.samples} samples, no labels needed)\n` +
          formatTable(rows, [
            { header: 'profile', key: 'profile' },
            { header: 'output', key: 'output' },
            { header: 'SQNR dB', value: (r) => fixed(r.sqnrDb, 1), align: 'right' },
            { header: 'cosine', value: (r) => r.cosine.toFixed(5), align: 'right' },
            { header: 'max |err|', value: (r) => r.maxAbsError.toPrecision(3), align: 'right' },
          ]),
      );
    }
    const scores = ok.flatMap((p) => (p.scores ?? []).map((s) => ({ profile: p.profile, ...s })));
    if (scores.length > 0) {
      sections.push(
        `task metrics (drop > 0: worse than float)\n` +
          formatTable(scores, [
            { header: 'profile', key: 'profile' },
            { header: 'metric', key: 'metric' },
            { header: 'value', value: (r) => r.value.toPrecision(4), align: 'right' },
            { header: 'float', value: (r) => r.floatValue.toPrecision(4), align: 'right' },
            { header: 'drop', value: (r) => r.drop.toPrecision(3), align: 'right' },
          ]),
      );
    }
  }
  return sections.join('\n\n');
}
