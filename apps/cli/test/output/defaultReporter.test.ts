import { afterEach, describe, expect, it, vi } from 'vitest';
import { createReporter } from '../../src/output/index.js';
import type { Reporter } from '../../src/output/index.js';
import { ANSI_COLOR, CONTROL_CHARACTERS, fakeClock, fakeStream } from './helpers.js';

/** A training phase of 200 steps, one progress event every 10 ms (20 s in all). */
function runTrainingPhase(reporter: Reporter, clock: ReturnType<typeof fakeClock>): void {
  reporter.onRunStart?.({ command: 'train', argv: ['train'] });
  reporter.onPhaseStart?.({ phase: 'train', label: 'train qat (cnn)', total: 200 });
  for (let done = 1; done <= 200; done++) {
    clock.advance(100);
    reporter.onProgress?.({ phase: 'train', label: 'train qat (cnn)', done, total: 200, detail: `loss ${(1 / done).toFixed(3)}` });
  }
  reporter.onPhaseEnd?.({ phase: 'train', label: 'train qat (cnn)', seconds: 20 });
  reporter.onEpochEnd?.({ method: 'qat', epoch: 1, epochs: 3, loss: 0.31234, testAccuracy: 0.9785, seconds: 20 });
  reporter.onRunEnd?.({ ok: true, seconds: 21 });
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('default reporter on a TTY', () => {
  it('redraws one bar in place with percentage, done/total, rate and ETA, then leaves a summary', () => {
    vi.stubEnv('NO_COLOR', undefined);
    vi.stubEnv('CI', undefined);
    const stream = fakeStream({ isTTY: true, columns: 120 });
    const clock = fakeClock();
    runTrainingPhase(createReporter('default', { stream, errStream: fakeStream(), isTTY: true, now: clock.now }), clock);

    const frames = stream.text.split('\r\u001b[2K');
    const bars = frames.filter((frame) => frame.includes('ETA'));
    expect(bars.length).toBeGreaterThan(50);
    // One frame every 100 ms at most (events come every 100 ms here), plus the final one.
    expect(bars.length).toBeLessThanOrEqual(202);
    const plain = (s: string): string => s.replace(/\u001b\[\d+m/g, '');
    const half = bars.map(plain).find((b) => b.includes(' 100/200'));
    expect(half).toMatch(/train qat \(cnn\) [━─]{20}\s+50% 100\/200 10\.0\/s ETA 10s\s+loss 0\.010/);
    expect(plain(stream.text)).toContain('✓ train qat (cnn) 200/200 in 20s, 10.0/s\n');
    expect(plain(stream.text)).toMatch(/qat epoch 1\/3 {2}loss 0\.3123 {2}test acc 97\.85% {2}20s\n/);
    // No bar is left on screen after the run.
    expect(stream.text.endsWith('\n')).toBe(true);
  });

  it('throttles redraws to about 10 per second', () => {
    const stream = fakeStream({ isTTY: true });
    const clock = fakeClock();
    const reporter = createReporter('default', { stream, isTTY: true, now: clock.now, color: false });
    reporter.onPhaseStart?.({ phase: 'evaluate', label: 'evaluate', total: 1000 });
    for (let done = 1; done <= 1000; done++) {
      clock.advance(1); // 1000 events in one second
      reporter.onProgress?.({ phase: 'evaluate', label: 'evaluate', done, total: 1000 });
    }
    const frames = stream.text.split('\r').length - 1;
    expect(frames).toBeGreaterThanOrEqual(10);
    expect(frames).toBeLessThanOrEqual(13);
  });

  it('keeps one bar line: results, warnings and epoch lines print above it', () => {
    const stream = fakeStream({ isTTY: true });
    const errStream = stream; // one terminal
    const clock = fakeClock();
    const reporter = createReporter('default', { stream, errStream, isTTY: true, now: clock.now, color: false });
    reporter.onPhaseStart?.({ phase: 'train', label: 'train fp', total: 10 });
    clock.advance(500);
    reporter.onProgress?.({ phase: 'train', label: 'train fp', done: 5, total: 10 });
    reporter.onWarning?.('trim: ignored');
    reporter.onResult?.('a result line');
    const bar = 'train fp ━━━━━━━━━━──────────  50% 5/10 10.0/s ETA 0.50s';
    expect(stream.text).toContain(`\r\u001b[2K${bar}\r\u001b[2Kwarning: trim: ignored\n\r\u001b[2K${bar}\r\u001b[2Ka result line\n\r\u001b[2K${bar}`);
    reporter.onPhaseStart?.({ phase: 'evaluate', label: 'eval', total: 4 });
    expect(stream.text.endsWith('\r\u001b[2Keval ────────────────────   0% 0/4 --/s ETA --')).toBe(true);
    reporter.onPhaseEnd?.({ phase: 'evaluate', label: 'eval', seconds: 1 });
    // The outer phase's bar comes back under the inner phase's summary.
    expect(stream.text.endsWith(`\r\u001b[2K✓ eval 0/4 in 1.0s\n\r\u001b[2K${bar}`)).toBe(true);
  });

  it('uses colour on a TTY unless NO_COLOR, CI or --no-color', () => {
    vi.stubEnv('NO_COLOR', undefined);
    vi.stubEnv('CI', undefined);
    const render = (color?: boolean): string => {
      const stream = fakeStream({ isTTY: true });
      const clock = fakeClock();
      runTrainingPhase(createReporter('default', { stream, isTTY: true, now: clock.now, ...(color !== undefined ? { color } : {}) }), clock);
      return stream.text;
    };
    expect(render()).toMatch(ANSI_COLOR);
    expect(render(true)).toMatch(ANSI_COLOR);
    expect(render(false)).not.toMatch(ANSI_COLOR);

    vi.stubEnv('NO_COLOR', '');
    expect(render()).not.toMatch(ANSI_COLOR);
    vi.unstubAllEnvs();

    vi.stubEnv('NO_COLOR', undefined);
    vi.stubEnv('CI', 'true');
    expect(render()).not.toMatch(ANSI_COLOR);
    // Bars still redraw: CI only drops colour.
    expect(render()).toContain('\r');
  });
});

describe('default reporter without a TTY', () => {
  it('prints plain lines only: start, every 10 % at most, end with its duration', () => {
    const stream = fakeStream();
    const errStream = fakeStream();
    const clock = fakeClock();
    const reporter = createReporter('default', { stream, errStream, now: clock.now });
    runTrainingPhase(reporter, clock);
    reporter.onWarning?.('latency: ignored');

    expect(stream.text).not.toMatch(CONTROL_CHARACTERS);
    expect(errStream.text).not.toMatch(CONTROL_CHARACTERS);
    const lines = stream.text.trimEnd().split('\n');
    expect(lines[0]).toBe('train qat (cnn): started (0/200)');
    const progress = lines.filter((line) => /: \d+% /.test(line));
    expect(progress.map((line) => /(\d+)%/.exec(line)?.[1])).toEqual(['10', '20', '30', '40', '50', '60', '70', '80', '90']);
    expect(progress[4]).toBe('train qat (cnn): 50% (100/200, ETA 10s) loss 0.010');
    expect(lines).toContain('train qat (cnn): done in 20s (200/200, 10.0/s)');
    expect(lines).toContain('qat epoch 1/3  loss 0.3123  test acc 97.85%  20s');
    expect(lines.at(-1)).toBe('done in 21s');
    expect(errStream.text).toBe('warning: latency: ignored\n');
  });

  it('defaults to plain output for a stream that is not a TTY', () => {
    const stream = fakeStream({ isTTY: false });
    const reporter = createReporter('default', { stream });
    reporter.onPhaseStart?.({ phase: 'load', label: 'load mnist' });
    reporter.onProgress?.({ phase: 'load', label: 'load mnist', done: 1, total: 2 });
    reporter.onPhaseEnd?.({ phase: 'load', label: 'load mnist', seconds: 0.5 });
    expect(stream.text).not.toMatch(CONTROL_CHARACTERS);
    expect(stream.text).toContain('load mnist: done in 0.50s');
  });

  it('prints results as they are, eval errors always and eval results when verbose', () => {
    const quiet = fakeStream();
    const r1 = createReporter('default', { stream: quiet });
    r1.onResult?.('profile  acc\ntflite   98.1%');
    r1.onEvalEnd?.({ model: 'cnn-qat', profile: 'tflite-int8', status: 'ok', accuracy: 0.981, drop: 0.004 });
    r1.onEvalEnd?.({ model: 'cnn-qat', profile: 'edgetpu-strict', status: 'error', error: 'unsupported op Gelu' });
    expect(quiet.text).toBe('profile  acc\ntflite   98.1%\nedgetpu-strict  cnn-qat  error: unsupported op Gelu\n');

    const loud = fakeStream();
    const r2 = createReporter('default', { stream: loud, verbose: true });
    r2.onRunStart?.({ command: 'eval', argv: ['eval', '--profiles', 'tflite-int8'] });
    r2.onEvalEnd?.({ model: 'cnn-qat', profile: 'tflite-int8', status: 'ok', accuracy: 0.981, drop: 0.004 });
    r2.onArtifact?.({ kind: 'report-json', path: 'out/report.json' });
    expect(loud.text).toBe('$ quant-trim eval --profiles tflite-int8\ntflite-int8  cnn-qat  acc 98.10%  drop 0.40 pp\nwrote report-json: out/report.json\n');
  });
});
