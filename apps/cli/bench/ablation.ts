/**
 * The Quant-Trim ablation: FP, QAT, Quant-Trim (paper) and each mechanism beyond the paper alone
 * and together, on Fashion-MNIST × {cnn, dscnn, resnet-tiny} × {INT8, INT4} × every profile ×
 * several seeds, each setting one resumable `quant-trim compare` run. FP and QAT are trained once
 * per (model, width, seed) and shared by every setting's run (their checkpoint directories are
 * linked), so each row's paired intervals against FP and QAT come from the same checkpoints.
 *
 * Usage (from the repository root):
 *   npx tsx --conditions=@quant-trim/source apps/cli/bench/ablation.ts [--out out/ablation]
 *     [--models cnn,dscnn,resnet-tiny] [--widths int8,int4] [--settings paper,all,tail,calib,schemes,randomize,tail5,blank,blank-step,blank-randomize,blank-randomize-step01]
 *     [--seeds 3] [--train-limit 20000] [--epochs 3] [--jobs 2] [--dry-run]
 *     [--settings final [--final-train-limit 60000] [--methods fp,qat]]
 * Each finished run leaves `<out>/<model>-<width>/<setting>/report.json`; rerunning skips the runs
 * whose report holds every method asked for and resumes the others. `ablationTable.ts` turns the reports into the table.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The mechanisms beyond the paper, by their CLI flag (each also has a `--no-` form). */
const MECHANISMS = { tail: 'activation-trim', calib: 'random-calibration', schemes: 'randomize-schemes', blank: 'blank-suppression' } as const;

/**
 * Flags that turn exactly `on` of the mechanisms on and every other one off, so that a setting
 * measures what its name says whatever `--method quant-trim`'s default recipe is when it runs.
 */
function only(...on: (keyof typeof MECHANISMS)[]): string[] {
  return Object.entries(MECHANISMS).map(([key, flag]) => (on.includes(key as keyof typeof MECHANISMS) ? `--${flag}` : `--no-${flag}`));
}

export const SETTINGS = {
  /** FP, QAT and the paper's recipe: the baselines (trains the shared FP and QAT checkpoints). */
  paper: { methods: 'fp,qat,quant-trim-paper', flags: [] as string[] },
  tail: { methods: 'fp,qat,quant-trim', flags: only('tail') },
  calib: { methods: 'fp,qat,quant-trim', flags: only('calib') },
  schemes: { methods: 'fp,qat,quant-trim', flags: only('schemes') },
  all: { methods: 'fp,qat,quant-trim', flags: only('tail', 'calib', 'schemes') },
  /** The two randomisations without tail trimming (the candidate recipe once tail trimming measured harmful). */
  randomize: { methods: 'fp,qat,quant-trim', flags: only('calib', 'schemes') },
  /**
   * Blank-response suppression in the loss (config [`ablation-blank-loss.json`](ablation-blank-loss.json)):
   * every spatial activation trained to answer a blank (all-zero) input with 0, so the background
   * of these images puts no point masses into calibration histograms.
   */
  blank: { methods: 'fp,qat,quant-trim', flags: ['--config', 'apps/cli/bench/ablation-blank-loss.json', ...only('blank')] },
  /**
   * Blank-response suppression decoupled from the loss (the CLI's mode: `stepSize` 0.5, config
   * [`ablation-blank-step.json`](ablation-blank-step.json)): in the loss, Adam's step bounds how
   * far a bias moves, and dscnn's blank responses ended small but positive (a spike next to the
   * zero bin, worse than none).
   */
  'blank-step': { methods: 'fp,qat,quant-trim', flags: ['--config', 'apps/cli/bench/ablation-blank-step.json', ...only('blank')] },
  /**
   * Decoupled blank-response suppression together with calibrator and scheme randomisation: the
   * first removes the background spikes TensorRT's entropy search resolves, the second trains
   * against the per-tensor INT4 and power-of-two grids where blank suppression alone fails (dscnn on Vitis).
   */
  'blank-randomize': { methods: 'fp,qat,quant-trim', flags: ['--config', 'apps/cli/bench/ablation-blank-step.json', ...only('blank', 'calib', 'schemes')] },
  /**
   * The same with a five times smaller decoupled step (0.1, config
   * [`ablation-blank-step01.json`](ablation-blank-step01.json)): on the BatchNorm models the step
   * lowers BatchNorm shifts, and a smaller one may cost less float accuracy (one-seed probe on
   * resnet-tiny INT8: 82.4 % float, 0.15 pp worst case, against 81.1 % and 0.05 pp at 0.5).
   */
  'blank-randomize-step01': {
    methods: 'fp,qat,quant-trim',
    flags: ['--config', 'apps/cli/bench/ablation-blank-step01.json', ...only('blank', 'calib', 'schemes')],
  },
  /**
   * Tail trimming with a 10x larger share (5 % of each tail clamped at full strength): the clamp
   * piles enough mass at the bound that clipping below it costs an entropy search more than it
   * gains (0.5 % did not; see the README's ablation notes).
   */
  tail5: { methods: 'fp,qat,quant-trim', flags: ['--config', 'apps/cli/bench/ablation-tail-p05.json', ...only('tail')] },
  /**
   * The final rows: FP, QAT and `--method quant-trim` (whatever the default recipe is when it runs)
   * on the full training set (`--final-train-limit`, default 60000), one standalone `compare` per
   * (model, width) with its own checkpoints. `--methods fp,qat` trains the baselines first; a
   * later run with all three resumes them and adds Quant-Trim.
   */
  final: { methods: 'fp,qat,quant-trim', flags: [] as string[] },
} as const;
export type SettingName = keyof typeof SETTINGS;
export const WIDTHS = { int8: 'int8-sym-per-channel', int4: 'int4-sym-per-channel' } as const;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

interface Job {
  readonly key: string;
  readonly out: string;
  readonly args: string[];
  /** Jobs that must finish first (the paper run trains the shared FP / QAT checkpoints). */
  readonly after?: string;
}

/** Links `<out>/checkpoints/seed-<s>/{fp,qat}` to the shared directories of the (model, width). */
function linkShared(out: string, shared: string, seeds: readonly number[]): void {
  for (const seed of seeds) {
    for (const method of ['fp', 'qat']) {
      const target = join(shared, `seed-${seed}`, method);
      const link = join(out, 'checkpoints', `seed-${seed}`, method);
      mkdirSync(target, { recursive: true });
      mkdirSync(dirname(link), { recursive: true });
      if (!existsSync(link)) symlinkSync(relative(dirname(link), target), link, 'dir');
    }
  }
}

/** Whether `file` is a finished run's report that holds every method in `methods`. */
function hasMethods(file: string, methods: readonly string[]): boolean {
  if (!existsSync(file)) return false;
  const report = JSON.parse(readFileSync(file, 'utf8')) as { summary?: { method: string }[] };
  return methods.every((m) => report.summary?.some((s) => s.method === m) === true);
}

function run(job: Job): Promise<number> {
  return new Promise((done) => {
    const t0 = performance.now();
    console.log(`[start] ${job.key}`);
    const child = spawn('npx', ['tsx', '--conditions=@quant-trim/source', 'apps/cli/src/cli.ts', ...job.args], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, CI: '1' },
    });
    child.on('exit', (code) => {
      console.log(`[${code === 0 ? 'done' : `exit ${code}`}] ${job.key} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      done(code ?? 1);
    });
  });
}

async function main(): Promise<void> {
  const out = resolve(root, arg('out', 'out/ablation'));
  const models = arg('models', 'cnn,dscnn,resnet-tiny').split(',');
  const widths = arg('widths', 'int8,int4').split(',') as (keyof typeof WIDTHS)[];
  const settings = arg('settings', 'paper,all,tail,calib,schemes,randomize').split(',') as SettingName[];
  const seeds = Number(arg('seeds', '3'));
  const seedList = Array.from({ length: seeds }, (_, k) => k);
  const jobs: Job[] = [];
  // Setting-major: every (model, width) gets a setting's row before the next setting starts.
  for (const setting of settings) {
    for (const model of models) {
      for (const width of widths) {
        const base = join(out, `${model}-${width}`);
        const dir = join(base, setting);
        const s = SETTINGS[setting];
        if (s === undefined) throw new Error(`unknown setting ${setting}; one of ${Object.keys(SETTINGS).join(', ')}`);
        const final = setting === 'final';
        const methods = final ? arg('methods', s.methods) : s.methods;
        if (hasMethods(join(dir, 'report.json'), methods.split(','))) continue;
        jobs.push({
          key: `${model}-${width}/${setting}`,
          out: dir,
          ...(setting === 'paper' || final ? {} : { after: `${model}-${width}/paper` }),
          args: [
            'compare',
            '--dataset',
            'fashion-mnist',
            '--model',
            model,
            '--scheme',
            WIDTHS[width],
            '--methods',
            methods,
            ...s.flags,
            '--seeds',
            String(seeds),
            '--train-limit',
            final ? arg('final-train-limit', '60000') : arg('train-limit', '20000'),
            '--epochs',
            arg('epochs', '3'),
            '--runtimes',
            'none',
            // Parallel jobs already fill the cores: each trains on its own thread.
            ...(Number(arg('jobs', '2')) > 1 ? ['--workers', '1'] : []),
            '--resume',
            '--json',
            '--out',
            dir,
          ],
        });
        if (!final) linkShared(dir, join(base, 'shared'), seedList);
      }
    }
  }
  if (process.argv.includes('--dry-run')) {
    for (const j of jobs) console.log(`${j.key}: quant-trim ${j.args.join(' ')}`);
    return;
  }
  const finished = new Set<string>();
  const failed: string[] = [];
  const pending = [...jobs];
  const running = new Set<Promise<void>>();
  const limit = Number(arg('jobs', '2'));
  while (pending.length > 0 || running.size > 0) {
    const ready = pending.findIndex((j) => j.after === undefined || finished.has(j.after) || !jobs.some((k) => k.key === j.after));
    if (ready >= 0 && running.size < limit) {
      const job = pending.splice(ready, 1)[0]!;
      const p: Promise<void> = run(job).then((code) => {
        running.delete(p);
        if (code === 0) finished.add(job.key);
        else failed.push(job.key);
      });
      running.add(p);
      continue;
    }
    if (running.size === 0) break; // the rest waits on a failed run
    await Promise.race(running);
  }
  if (failed.length > 0 || pending.length > 0) {
    console.error(`failed: ${failed.join(', ') || '–'}; not run: ${pending.map((j) => j.key).join(', ') || '–'}`);
    process.exitCode = 1;
  }
}

await main();
