import type { ResolvedReporterOptions } from './reporterOptions.js';
import type { Reporter } from './types.js';

/** The `type` of each NDJSON line, one per reporter hook. */
export type JsonEventType = 'run-start' | 'phase-start' | 'progress' | 'phase-end' | 'epoch-end' | 'eval-end' | 'artifact' | 'result' | 'warning' | 'run-end';

/**
 * The `--json` reporter: exactly one NDJSON line per event on `stream` (stdout), each
 * `{ "type": "phase-start", "time": "<ISO 8601>", ...event }`, and nothing else, so
 * `quant-trim … --json | jq` always parses. Results arrive as `{ type: "result", text }` and
 * warnings as `{ type: "warning", message }`. Non-finite numbers (a NaN loss) become `null`.
 */
export function createJsonReporter(options: ResolvedReporterOptions): Reporter {
  const emit = (type: JsonEventType, payload: object): void => {
    options.stream.write(`${JSON.stringify({ type, time: new Date(options.now()).toISOString(), ...payload })}\n`);
  };
  return {
    onRunStart: (e) => emit('run-start', e),
    onPhaseStart: (e) => emit('phase-start', e),
    onProgress: (e) => emit('progress', e),
    onPhaseEnd: (e) => emit('phase-end', e),
    onEpochEnd: (e) => emit('epoch-end', e),
    onEvalEnd: (e) => emit('eval-end', e),
    onArtifact: (e) => emit('artifact', e),
    onResult: (text) => emit('result', { text }),
    onWarning: (message) => emit('warning', { message }),
    onRunEnd: (e) => emit('run-end', e),
  };
}
