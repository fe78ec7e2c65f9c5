import { describe, expect, it } from 'vitest';
import { createReporter } from '../../src/output/index.js';
import { fakeClock, fakeStream } from './helpers.js';

describe('json reporter', () => {
  it('writes one parseable NDJSON event per hook on stdout, and nothing else', () => {
    const stream = fakeStream({ isTTY: true }); // even on a TTY: no bars, no colour
    const errStream = fakeStream();
    const clock = fakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    const reporter = createReporter('json', { stream, errStream, now: clock.now, verbose: true });
    reporter.onRunStart?.({ command: 'train', argv: ['train', '--json'] });
    reporter.onPhaseStart?.({ phase: 'train', label: 'train fp (cnn)', total: 3 });
    for (let done = 1; done <= 3; done++) reporter.onProgress?.({ phase: 'train', label: 'train fp (cnn)', done, total: 3, detail: 'loss 0.5' });
    reporter.onPhaseEnd?.({ phase: 'train', label: 'train fp (cnn)', seconds: 1.5 });
    reporter.onEpochEnd?.({ method: 'fp', epoch: 1, epochs: 1, loss: Number.NaN, testAccuracy: 0.5, seconds: 1.5 });
    reporter.onEvalEnd?.({ model: 'cnn-fp', profile: 'tflite-int8', status: 'ok', accuracy: 0.98 });
    reporter.onArtifact?.({ kind: 'onnx', path: 'out/cnn-fp.onnx' });
    reporter.onResult?.('a\ttable\nwith two lines');
    reporter.onWarning?.('trim: ignored');
    reporter.onRunEnd?.({ ok: true, seconds: 2 });

    expect(errStream.text).toBe('');
    expect(stream.text.endsWith('\n')).toBe(true);
    const lines = stream.text.trimEnd().split('\n');
    const events = lines.map((line) => JSON.parse(line) as { type: string; time: string } & Record<string, unknown>);
    expect(events.map((e) => e.type)).toEqual([
      'run-start',
      'phase-start',
      'progress',
      'progress',
      'progress',
      'phase-end',
      'epoch-end',
      'eval-end',
      'artifact',
      'result',
      'warning',
      'run-end',
    ]);
    for (const e of events) expect(e.time).toBe('2026-01-02T03:04:05.000Z');
    expect(events[1]).toEqual({ type: 'phase-start', time: '2026-01-02T03:04:05.000Z', phase: 'train', label: 'train fp (cnn)', total: 3 });
    expect(events[6]).toMatchObject({ type: 'epoch-end', loss: null });
    expect(events[9]).toMatchObject({ type: 'result', text: 'a\ttable\nwith two lines' });
    expect(events[10]).toMatchObject({ type: 'warning', message: 'trim: ignored' });
    expect(stream.text).not.toContain('\r');
    expect(stream.text).not.toContain('\u001b');
  });
});
