/** `0.42s`, `12.3s`, `4m 05s`, `1h 02m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  if (seconds < 10) return `${seconds.toFixed(seconds < 1 ? 2 : 1)}s`;
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const total = Math.round(seconds);
  if (total < 3600) return `${Math.floor(total / 60)}m ${String(total % 60).padStart(2, '0')}s`;
  return `${Math.floor(total / 3600)}h ${String(Math.floor((total % 3600) / 60)).padStart(2, '0')}m`;
}

/** Units per second: `152/s`, `3.4/s`, `0.25/s`. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '--/s';
  return `${perSecond >= 100 ? Math.round(perSecond) : perSecond >= 10 ? perSecond.toFixed(1) : perSecond.toFixed(2)}/s`;
}

/** Seconds left at the current rate; `undefined` before the rate is known. */
export function etaSeconds(done: number, total: number, elapsedSeconds: number): number | undefined {
  if (done <= 0 || elapsedSeconds <= 0 || done >= total) return done >= total ? 0 : undefined;
  return ((total - done) * elapsedSeconds) / done;
}
