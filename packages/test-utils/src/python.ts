import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Debian's python (python3-torch, python3-onnx live there). The `python3` first on PATH may be a
 * pyenv without them, so the reference tests always use this one.
 */
export const SYSTEM_PYTHON = '/usr/bin/python3';

const cache = new Map<string, { ok: boolean; reason: string }>();

/** Whether `/usr/bin/python3` can import every module; `reason` says why not (printed by skipped tests). */
export function pythonHas(modules: readonly string[]): { ok: boolean; reason: string } {
  const key = modules.join(',');
  const hit = cache.get(key);
  if (hit) return hit;
  const result = spawnSync(SYSTEM_PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8', timeout: 120_000 });
  const verdict =
    result.error !== undefined
      ? { ok: false, reason: `${SYSTEM_PYTHON} is not available (${result.error.message}); install Debian's python3 packages` }
      : result.status !== 0
        ? {
            ok: false,
            reason: `${SYSTEM_PYTHON} cannot import ${key}: ${(result.stderr || '').trim().split('\n').pop()} (apt-get install -y python3-torch python3-onnx)`,
          }
        : { ok: true, reason: '' };
  cache.set(key, verdict);
  return verdict;
}

export type PyArray = Float32Array | Int32Array | Int8Array | Uint8Array;

/**
 * Runs a python script with typed arrays passed as raw little-endian files. The script sees
 * `inputs` (dict name → numpy array, float32/int32/int8/uint8 as given), `meta` (the JSON value)
 * and must fill `outputs` (dict name → numpy array or list); float32 arrays come back as
 * Float32Array, everything else through JSON.
 */
export function runPython(script: string, inputs: Record<string, PyArray>, meta: unknown = null): Record<string, Float32Array | unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'qt-py-'));
  try {
    const spec: Record<string, { file: string; dtype: string }> = {};
    for (const [name, arr] of Object.entries(inputs)) {
      const dtype = arr instanceof Float32Array ? 'float32' : arr instanceof Int32Array ? 'int32' : arr instanceof Int8Array ? 'int8' : 'uint8';
      const file = join(dir, `${name}.bin`);
      writeFileSync(file, new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
      spec[name] = { file, dtype };
    }
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ spec, meta }));
    const prelude = `
import json, sys, numpy as np
_d = sys.argv[1]
_m = json.load(open(_d + '/meta.json'))
inputs = {k: np.fromfile(v['file'], dtype=v['dtype']) for k, v in _m['spec'].items()}
meta = _m['meta']
outputs = {}
`;
    const epilogue = `
_json = {}
for k, v in outputs.items():
    a = np.asarray(v)
    if a.dtype == np.float32:
        a.tofile(_d + '/out_' + k + '.bin')
        _json[k] = {'float32': True}
    else:
        _json[k] = {'value': a.tolist()}
json.dump(_json, open(_d + '/outputs.json', 'w'))
`;
    writeFileSync(join(dir, 'script.py'), `${prelude}\n${script}\n${epilogue}`);
    const result = spawnSync(SYSTEM_PYTHON, [join(dir, 'script.py'), dir], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`python failed (${result.status}): ${result.stderr}`);
    const index = JSON.parse(readFileSync(join(dir, 'outputs.json'), 'utf8')) as Record<string, { float32?: boolean; value?: unknown }>;
    const outputs: Record<string, Float32Array | unknown> = {};
    for (const [k, v] of Object.entries(index)) {
      if (v.float32) {
        const buf = readFileSync(join(dir, `out_${k}.bin`));
        outputs[k] = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      } else {
        outputs[k] = v.value;
      }
    }
    return outputs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
