import { spawnSync } from 'node:child_process';

/** Debian's interpreter (python3-numpy, -torch, -torchvision, -pil); the `python3` first on PATH may lack them. */
export const PYTHON = process.env['QUANT_TRIM_PYTHON'] ?? '/usr/bin/python3';

const probes = new Map<string, string | undefined>();

/**
 * `undefined` when `PYTHON` can import every module of `modules`, else why not. Tests skip with
 * this reason printed, so a machine without them says what it did not check.
 */
export function pythonMissing(...modules: string[]): string | undefined {
  const key = modules.join(',');
  if (!probes.has(key)) {
    const r = spawnSync(PYTHON, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
    probes.set(
      key,
      r.status === 0
        ? undefined
        : `${PYTHON} cannot import ${modules.join(', ')}: ${(r.error?.message ?? r.stderr.trim().split('\n').at(-1)) || `exit ${r.status}`}`,
    );
  }
  const reason = probes.get(key);
  if (reason !== undefined) console.warn(`skipped: ${reason}`);
  return reason;
}

/** Runs a Python script (numpy is imported as `np`) with `cwd` as its working directory; returns stdout, throws with stderr on failure. */
export function python(script: string, cwd: string, timeout = 120_000): string {
  const r = spawnSync(PYTHON, ['-c', `import numpy as np\n${script}`], { cwd, encoding: 'utf8', timeout });
  if (r.status !== 0) throw new Error(`python failed (${r.status ?? r.signal}):\n${r.stderr}`);
  return r.stdout;
}
