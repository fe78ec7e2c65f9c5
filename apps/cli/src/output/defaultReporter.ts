import { createColors, shouldUseColor } from './colors.js';
import { etaSeconds, formatDuration, formatRate } from './formatTime.js';
import { renderBar } from './progressLine.js';
import type { ResolvedReporterOptions } from './reporterOptions.js';
import type { Phase, Reporter } from './types.js';

/** Redraw the bar at most this often (ms): about 10 frames a second. */
const FRAME_MS = 100;
const CLEAR_LINE = '\r\u001b[2K';

interface PhaseState {
  readonly phase: Phase;
  readonly label: string;
  readonly start: number;
  total: number | undefined;
  done: number;
  detail: string | undefined;
  /** Plain mode: the last 10 % step printed. */
  decile: number;
}

/**
 * The human reporter. On a TTY, one live bar (percentage, done/total, rate, ETA) redrawn in place
 * with `\r` + clear-line at most ~10 times a second; every finished phase leaves a one-line
 * summary. Elsewhere, plain lines only (phase start, every 10 % at most, phase end), with no
 * control characters. Warnings go to the error stream as `warning: …`.
 */
export function createDefaultReporter(options: ResolvedReporterOptions): Reporter {
  const { stream, errStream, isTTY, verbose, now } = options;
  const c = createColors(shouldUseColor({ isTTY, ...(options.color !== undefined ? { color: options.color } : {}), env: options.env }));
  const phases = new Map<string, PhaseState>();
  let active: PhaseState | undefined;
  let barShown = false;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let phasesRun = 0;

  const keyOf = (phase: Phase, label: string): string => `${phase}\u0000${label}`;
  const seconds = (state: PhaseState): number => Math.max(0, (now() - state.start) / 1000);
  const columns = (): number => options.columns ?? ((stream as { columns?: number }).columns || 80);

  const draw = (): void => {
    if (!isTTY || active === undefined) return;
    const line = renderBar(
      {
        label: active.label,
        done: active.done,
        elapsedSeconds: seconds(active),
        ...(active.total !== undefined ? { total: active.total } : {}),
        ...(active.detail ? { detail: active.detail } : {}),
      },
      c,
      columns(),
    );
    stream.write(`${CLEAR_LINE}${line}`);
    barShown = true;
    lastDraw = now();
  };
  const clearBar = (): void => {
    if (barShown) stream.write(CLEAR_LINE);
    barShown = false;
  };
  /** Writes whole lines, keeping the live bar below them. */
  const print = (text: string, to: NodeJS.WritableStream = stream): void => {
    clearBar();
    to.write(text.endsWith('\n') ? text : `${text}\n`);
    if (active !== undefined) draw();
  };

  const stateFor = (phase: Phase, label: string, total?: number): PhaseState => {
    const key = keyOf(phase, label);
    let state = phases.get(key);
    if (state === undefined) {
      state = { phase, label, start: now(), total, done: 0, detail: undefined, decile: 0 };
      phases.set(key, state);
      phasesRun++;
    }
    return state;
  };

  return {
    onRunStart(e) {
      if (verbose) print(c.dim(`$ quant-trim ${e.argv.join(' ')}`));
    },

    onPhaseStart(e) {
      const state = stateFor(e.phase, e.label, e.total);
      if (isTTY) {
        active = state;
        draw(); // replaces any other bar: one bar line at a time
      } else {
        print(`${e.label}: started${e.total !== undefined ? ` (0/${e.total})` : ''}`);
      }
    },

    onProgress(e) {
      const state = stateFor(e.phase, e.label, e.total);
      state.done = e.done;
      state.total = e.total;
      state.detail = e.detail;
      if (isTTY) {
        const switched = active !== state;
        active = state;
        if (switched || e.done >= e.total || now() - lastDraw >= FRAME_MS) draw();
        return;
      }
      if (e.total <= 0) return;
      const decile = Math.floor((Math.min(e.done, e.total) / e.total) * 10);
      if (decile > state.decile && decile < 10) {
        state.decile = decile;
        const eta = etaSeconds(e.done, e.total, seconds(state));
        print(`${e.label}: ${decile * 10}% (${e.done}/${e.total}${eta === undefined ? '' : `, ETA ${formatDuration(eta)}`})${e.detail ? ` ${e.detail}` : ''}`);
      }
    },

    onPhaseEnd(e) {
      const key = keyOf(e.phase, e.label);
      const state = phases.get(key);
      phases.delete(key);
      const count = state?.total !== undefined ? ` ${state.done}/${state.total}` : state && state.done > 0 ? ` ${state.done}` : '';
      const rate = state && state.done > 0 && e.seconds > 0 ? `, ${formatRate(state.done / e.seconds)}` : '';
      if (isTTY) {
        if (active === state) active = [...phases.values()].pop();
        print(`${c.green('✓')} ${e.label}${count} in ${formatDuration(e.seconds)}${rate}`);
      } else {
        print(`${e.label}: done in ${formatDuration(e.seconds)}${count ? ` (${count.trim()}${rate})` : ''}`);
      }
    },

    onEpochEnd(e) {
      const acc = Number.isFinite(e.testAccuracy) ? `${(e.testAccuracy * 100).toFixed(2)}%` : String(e.testAccuracy);
      const d = e.disagreement === undefined ? '' : `  calibrators disagree ≤ ${e.disagreement.ratio.toFixed(2)}× (${e.disagreement.layer})`;
      print(`${c.bold(e.method)} epoch ${e.epoch}/${e.epochs}  loss ${formatNumber(e.loss)}  test acc ${acc}${d}  ${formatDuration(e.seconds)}`);
    },

    onEvalEnd(e) {
      if (e.status === 'error') {
        print(`${e.profile}  ${e.model}  ${c.red('error')}${e.error ? `: ${e.error}` : ''}`);
      } else if (verbose) {
        const acc = e.accuracy !== undefined ? `  acc ${(e.accuracy * 100).toFixed(2)}%` : '';
        const drop = e.drop !== undefined ? `  drop ${(e.drop * 100).toFixed(2)} pp` : '';
        print(`${e.profile}  ${e.model}${acc}${drop}`);
      }
    },

    onArtifact(e) {
      if (verbose) print(c.dim(`wrote ${e.kind}: ${e.path}`));
    },

    onResult(text) {
      print(text);
    },

    onWarning(message) {
      print(`${c.yellow('warning:')} ${message}`, errStream);
    },

    onRunEnd(e) {
      active = undefined;
      clearBar();
      if (e.ok && phasesRun > 0) stream.write(`${c.green('done')} in ${formatDuration(e.seconds)}\n`);
    },
  };
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(4);
}
