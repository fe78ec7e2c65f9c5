import { stripAnsi, type Colors } from './colors.js';
import { etaSeconds, formatDuration, formatRate } from './formatTime.js';

/** What one live bar shows. */
export interface BarState {
  readonly label: string;
  readonly done: number;
  readonly total?: number;
  readonly elapsedSeconds: number;
  readonly detail?: string;
}

const BAR_WIDTH = 20;

/**
 * One bar line, at most `columns - 1` visible characters so the terminal never wraps it (a wrapped
 * line cannot be redrawn with `\r`): `label ━━━━━━────── 45% 845/1875 152/s ETA 6s loss 0.312`.
 */
export function renderBar(state: BarState, c: Colors, columns: number): string {
  const rate = state.elapsedSeconds > 0 ? state.done / state.elapsedSeconds : 0;
  const parts: string[] = [];
  if (state.total !== undefined && state.total > 0) {
    const ratio = Math.min(1, Math.max(0, state.done / state.total));
    const filled = Math.round(ratio * BAR_WIDTH);
    const eta = etaSeconds(state.done, state.total, state.elapsedSeconds);
    parts.push(
      c.cyan('━'.repeat(filled)) + c.dim('─'.repeat(BAR_WIDTH - filled)),
      `${String(Math.floor(ratio * 100)).padStart(3)}%`,
      `${state.done}/${state.total}`,
      formatRate(rate),
      `ETA ${eta === undefined ? '--' : formatDuration(eta)}`,
    );
  } else {
    parts.push(`${state.done}`, formatRate(rate), formatDuration(state.elapsedSeconds));
  }
  const body = parts.join(' ');
  const detail = state.detail ? `  ${c.dim(state.detail)}` : '';
  const max = Math.max(10, columns - 1);
  const label = c.bold(state.label);
  const full = `${label} ${body}${detail}`;
  if (visible(full) <= max) return full;
  const withoutDetail = `${label} ${body}`;
  if (visible(withoutDetail) <= max) return withoutDetail;
  // Shorten the label; keep the numbers.
  const room = max - visible(body) - 2;
  return room >= 4 ? `${c.bold(`${state.label.slice(0, room - 1)}…`)} ${body}` : body;
}

function visible(text: string): number {
  return [...stripAnsi(text)].length;
}
