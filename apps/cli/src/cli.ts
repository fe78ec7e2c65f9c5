#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cac, type CAC } from 'cac';
import type { CommandContext } from './commands/context.js';
import { DEMO_DEFAULTS } from './commands/demo/defaults.js';
import { CONFIG_DEFAULTS, CONFIG_FILE_NAME } from './config/defaults.js';
import { EXIT, ExitError, toExit } from './errors.js';
import { createReporter } from './output/createReporter.js';
import { formatError } from './output/formatError.js';
import { shouldUseColor } from './output/colors.js';
import type { Reporter } from './output/types.js';

// The app's version: from package.json (one directory up from both src/ and dist/).
const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export interface MainIo {
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
  readonly cwd?: string;
  /** Install a SIGINT handler (Ctrl-C stops after the current step). Default true. */
  readonly handleSignals?: boolean;
}

type Action = (ctx: CommandContext) => Promise<unknown> | unknown;

const EXIT_CODES = `Exit codes:
  0    success
  1    internal error (a bug: rerun with --verbose and report the stack trace; also an export that
       fails verifyExport, which is then not written)
  2    usage error (unknown command or option, invalid flag value or config file; training diverged: lower --lr)
  3    input error (missing or corrupt dataset, model, checkpoint or report; a file that is not ONNX;
       custom-domain ops; an empty test split; unknown profile; eval with a failed profile)
  4    output error (the output directory cannot be written, already holds a run: use --resume or
       --force, or is being written by another run: its lock names the pid)
  130  interrupted (Ctrl-C); the last complete checkpoint is kept, rerun with --resume`;

/** ` (default: text)`: every option's help line ends with its default (or says it is required / has none). */
const dflt = (text: string | number) => ` (default: ${text})`;
const onOffWord = (on: boolean) => (on ? 'on' : 'off');
const onOff = (on: boolean) => dflt(onOffWord(on));
const list = (values: readonly string[]) => values.join(',');

/** The defaults `--help` shows for the options `runOptions` declares, per command (demo has its own). */
interface ShownDefaults {
  readonly dataset: string;
  readonly model: string;
  readonly scheme: string;
  readonly epochs: number;
  readonly out: string;
  readonly latency: string;
}
const RUN_DEFAULTS: ShownDefaults = {
  dataset: CONFIG_DEFAULTS.dataset,
  model: CONFIG_DEFAULTS.model,
  scheme: CONFIG_DEFAULTS.scheme,
  epochs: CONFIG_DEFAULTS.epochs,
  out: CONFIG_DEFAULTS.out,
  latency: onOffWord(CONFIG_DEFAULTS.latency),
};
const DEMO_SHOWN: ShownDefaults = {
  dataset: DEMO_DEFAULTS.dataset,
  model: DEMO_DEFAULTS.model,
  scheme: DEMO_DEFAULTS.scheme,
  epochs: DEMO_DEFAULTS.epochs,
  out: DEMO_DEFAULTS.out,
  latency: onOffWord(DEMO_DEFAULTS.latency),
};
const LAMBDA_DEFAULT = `the Quant-Trim curriculum: λ = 0 until ${CONFIG_DEFAULTS.lambda['warmup']}, quartic to ${CONFIG_DEFAULTS.lambda['lambdaAtQuarticEnd']} at ${CONFIG_DEFAULTS.lambda['quarticEnd']}, quadratic to 1 at ${CONFIG_DEFAULTS.lambda['fullAt']} of training`;

/** Options every training / evaluation command accepts (they override quant-trim.config.json). */
function runOptions(cmd: ReturnType<CAC['command']>, which: { training: boolean; evaluation: boolean }, shown: ShownDefaults = RUN_DEFAULTS) {
  cmd
    .option('--config <file>', `Config file${dflt(`${CONFIG_FILE_NAME} in the working directory, if present`)}`)
    .option(
      '--dataset <name|path>',
      `mnist (embedded), fashion-mnist (Debian dataset-fashion-mnist), synthetic, or a path: IDX / CSV data, an image folder (<root>/<class>/*.png|jpg), .npz, .npy or a directory of .npy files (resize, crop, mean/std, channels, layout: config \`preprocess\`)${dflt(shown.dataset)}`,
    )
    .option('--seed <n>', `Seed of data order, initialisers and calibration slice${dflt(CONFIG_DEFAULTS.seed)}`)
    .option('--train-limit <n>', `Use at most n training samples${dflt('all')}`)
    .option('--test-limit <n>', `Use at most n test samples${dflt('all')}`)
    .option('--out <dir>', `Output directory${dflt(shown.out)}`);
  if (which.training) {
    cmd
      .option('--model <name|path>', `mlp, cnn, dscnn, resnet-tiny, a tfjs model.json, or an ONNX classifier (.onnx) to fine-tune${dflt(shown.model)}`)
      .option(
        '--scheme <preset>',
        `Weight scheme (quant-grid preset, e.g. int8-sym-per-channel, int4-sym-per-channel); per-layer patterns go in the config file${dflt(shown.scheme)}`,
      )
      .option('--activations <preset>', `Activation scheme (quant-grid preset)${dflt(CONFIG_DEFAULTS.activations)}`)
      .option('--epochs <n>', `Epochs per method${dflt(shown.epochs)}`)
      .option('--batch-size <n>', `Batch size${dflt(CONFIG_DEFAULTS.batchSize)}`)
      .option('--lr <x>', `Learning rate (Adam)${dflt(`${CONFIG_DEFAULTS.lr}; 0.001 when fine-tuning an imported .onnx model`)}`)
      .option(
        '--freeze-batch-norm <fraction|off>',
        `QAT / Quant-Trim: freeze BatchNorm statistics from this fraction of training on (for fine-tunes whose learning rate is small by then)${dflt(CONFIG_DEFAULTS.freezeBatchNorm === false ? 'off: batch statistics until the end' : CONFIG_DEFAULTS.freezeBatchNorm)}`,
      )
      .option('--lambda <json|file>', `λ schedule of Quant-Trim (a @quant-trim/schedulers config), inline JSON or a .json file${dflt(LAMBDA_DEFAULT)}`)
      .option('--p-max <p>', `Reverse pruning: largest trimmed share per group (p_t = p_max·λ_t)${dflt(CONFIG_DEFAULTS.trim.pMax)}`)
      .option('--refresh-every <k>', `Reverse pruning: steps between mask refreshes${dflt(CONFIG_DEFAULTS.trim.refreshEvery)}`)
      .option('--trim-schedule <json|file>', `Reverse pruning: strength schedule s_t (p_t = p_max·s_t)${dflt('s_t = λ_t')}`)
      .option('--no-trim', `Skip reverse pruning: Quant-Trim without trimming${dflt('trimming on')}`)
      .option(
        '--activation-trim',
        `quant-trim: activation tail trimming (clamp each quantized activation at a running quantile; config activationTrim)${onOff(CONFIG_DEFAULTS.activationTrim.enabled)}`,
      )
      .option(
        '--random-calibration',
        `quant-trim: calibrator randomisation (each step a range from min/max, percentile, entropy, MSE or SQNR; config randomCalibration)${onOff(CONFIG_DEFAULTS.randomCalibration.enabled)}`,
      )
      .option(
        '--blank-suppression',
        `quant-trim: blank-response suppression (train every spatial activation to answer a blank input with 0; config blankSuppression)${onOff(CONFIG_DEFAULTS.blankSuppression.enabled)}`,
      )
      .option(
        '--randomize-schemes',
        `quant-trim: scheme randomisation (per-channel / per-tensor / power-of-two grids each step; config scheme.randomize)${onOff(CONFIG_DEFAULTS.randomizeSchemes)}`,
      )
      .option(
        '--no-activation-trim',
        `quant-trim: turn activation tail trimming off, over the config file${dflt(`tail trimming ${onOffWord(CONFIG_DEFAULTS.activationTrim.enabled)}`)}`,
      )
      .option(
        '--no-random-calibration',
        `quant-trim: turn calibrator randomisation off${dflt(`calibrator randomisation ${onOffWord(CONFIG_DEFAULTS.randomCalibration.enabled)}`)}`,
      )
      .option(
        '--no-blank-suppression',
        `quant-trim: turn blank-response suppression off${dflt(`blank suppression ${onOffWord(CONFIG_DEFAULTS.blankSuppression.enabled)}`)}`,
      )
      .option(
        '--no-randomize-schemes',
        `quant-trim: turn scheme randomisation off${dflt(`scheme randomisation ${onOffWord(CONFIG_DEFAULTS.randomizeSchemes)}`)}`,
      );
  }
  if (which.evaluation) {
    cmd
      .option('--profiles <ids>', `Backend profiles, comma-separated (see \`quant-trim profiles\`)${dflt('all')}`)
      .option('--runtimes <list>', `Real runtimes: onnxruntime-node,onnxruntime-web, or none for the emulation only${dflt(list(CONFIG_DEFAULTS.runtimes))}`)
      .option('--latency', `Measure latency p50/p90 at batch 1 and 32 on the real runtimes${dflt(shown.latency)}`)
      .option('--calibration-samples <n>', `Training samples used for post-training calibration per profile${dflt(CONFIG_DEFAULTS.calibrationSamples)}`);
  }
  const uses = [
    ...(which.training ? ['train data-parallel (results equal one thread up to float summation order)'] : []),
    ...(which.evaluation ? ['evaluate profiles in parallel (results identical to one)'] : []),
  ];
  cmd.option(
    '--workers <n>',
    `Worker threads that ${uses.join(' and ')}; 1 = no worker threads${dflt('the core count, for runs large enough to repay starting them')}`,
  );
  return cmd;
}

/**
 * cac shows `(default: true)` for a negated flag (`--no-trim`), which reads as if the flag were on.
 * Its help line already says what the default is (`default: trimming on`), and an absent negated
 * flag is read as "not given" (`trim` / `color` undefined), so cac's implicit default is dropped.
 */
function dropNegatedDefaults(cli: CAC): void {
  for (const command of [cli.globalCommand, ...cli.commands]) {
    for (const option of command.options) if (option.negated) delete option.config.default;
  }
}

/** Builds the CLI; `onAction` receives the lazily imported command to run. */
export function createCli(onAction: (name: string, action: Action) => void): CAC {
  const cli = cac('quant-trim');
  cli
    .option('--json', `Emit NDJSON events on stdout instead of progress bars and tables${dflt('off')}`)
    .option('--verbose', `Print stack traces and every event${dflt('off')}`)
    .option('--no-color', `Disable colours${dflt('colour on a terminal, off under NO_COLOR or CI')}`);

  runOptions(
    cli.command(
      'demo',
      'Train FP, QAT and Quant-Trim on the embedded MNIST digits, evaluate them across every backend profile, write the HTML + JSON report, export the checkpoints to ONNX (<out>/onnx/)',
    ),
    { training: true, evaluation: true },
    DEMO_SHOWN,
  )
    .option('--resume', `Continue each seed and method from its last complete checkpoint${dflt('off')}`)
    .option('--force', `Replace a previous demo in --out${dflt('on for demo, which is deterministic; --resume continues it instead')}`)
    .option(
      '--seeds <n>',
      `Train and evaluate every method with seeds seed … seed+n−1; verdicts from a bootstrap over seeds and test images${dflt(DEMO_DEFAULTS.seeds)}`,
    )
    .option('--bootstrap-resamples <n>', `Bootstrap resamples behind the 95 % intervals${dflt(CONFIG_DEFAULTS.bootstrapResamples)}`)
    .example('quant-trim demo')
    .example('quant-trim demo --epochs 1 --out out/quick-demo')
    .action((flags) => onAction('demo', async (ctx) => (await import('./commands/demo/index.js')).demo(flags, ctx)));

  runOptions(cli.command('train', 'Train one checkpoint (fp | qat | quant-trim | quant-trim-paper); a complete checkpoint is written after every epoch'), {
    training: true,
    evaluation: false,
  })
    .option('--method <method>', 'fp, qat, quant-trim or quant-trim-paper', { default: 'quant-trim' })
    .option('--resume', `Continue from the last complete checkpoint (same settings → same result as an uninterrupted run)${dflt('off')}`)
    .option('--force', `Replace a previous run of this --method in --out (without it or --resume such a run is refused, exit 4)${dflt('off')}`)
    .example('quant-trim train --method quant-trim --model cnn --dataset mnist --epochs 3')
    .example('quant-trim train --method qat --scheme int4-sym-per-channel --resume')
    .example('quant-trim train --method fp --force   # replace the fp run already in quant-trim-out')
    .example('quant-trim train --method quant-trim --activation-trim --random-calibration')
    .example('quant-trim train --model cnn.onnx --dataset digits.npz --epochs 2   # fine-tune a PyTorch export from its weights (lr default 1e-3)')
    .action((flags) => onAction('train', async (ctx) => (await import('./commands/train/index.js')).train(flags, ctx)));

  cli
    .command('export <checkpoint>', 'Export a checkpoint directory to FP32 / QDQ ONNX with encodings, checked by verifyExport')
    .option('--format <format>', `fp32, qdq or both${dflt('both; fp32 for FP checkpoints')}`)
    .option('--opset <n>', `ONNX opset, 13–21${dflt(13)}`)
    .option('--samples <n>', 'Random samples for verifyExport (≥ 1; a file that fails verifyExport is not written)', { default: 64 })
    .option('--out <dir>', 'Output directory', { default: 'quant-trim-out/onnx' })
    .example('quant-trim export quant-trim-out/checkpoints/quant-trim')
    .example('quant-trim export quant-trim-out/checkpoints/qat --format qdq --opset 21')
    .action((checkpoint: string, flags) =>
      onAction('export', async (ctx) => (await import('./commands/export/index.js')).exportCommand(checkpoint, flags, ctx)),
    );

  runOptions(
    cli.command(
      'eval <model>',
      "Evaluate any float ONNX model (ours or another tool's) across backend profiles on a dataset: classifiers by accuracy, every model by per-output fidelity; writes eval-report.json and eval-report.html to --out",
    ),
    { training: false, evaluation: true },
  )
    .option(
      '--labels <source>',
      `dataset (accuracy against the labels) or float (top-1 agreement with the float model's predictions, for data without labels; reported as agreement, not accuracy)${dflt(CONFIG_DEFAULTS.labels)}`,
    )
    .option(
      '--metric <ids>',
      `Task metrics, comma-separated (config metrics): top5, miou (segmentation, per-pixel argmax vs the "targets" label maps), mse (against "targets"); value and drop per profile${dflt('none')}`,
    )
    .example('quant-trim eval model.onnx --dataset fashion-mnist')
    .example('quant-trim eval resnet18.onnx --dataset images/ --config imagenet.config.json --train-limit 256 --test-limit 1000')
    .example('quant-trim eval model.onnx --dataset unlabelled.npy --labels float')
    .example('quant-trim eval model.onnx --profiles tflite-int8,trt-int8-entropy --latency')
    .example('quant-trim eval two-input.onnx --dataset feeds.npz --metric miou   # one array per input name (+ targets)')
    .action((model: string, flags) => onAction('eval', async (ctx) => (await import('./commands/eval/index.js')).evalCommand(model, flags, ctx)));

  runOptions(
    cli.command(
      'compare',
      'FP vs QAT vs Quant-Trim: same model, data and budget, across all profiles (the comparison table of docs/method.md#evaluation-protocol, and the report)',
    ),
    { training: true, evaluation: true },
  )
    .option('--methods <list>', `Methods to compare (fp, qat, quant-trim, quant-trim-paper)${dflt(list(CONFIG_DEFAULTS.methods))}`)
    .option('--resume', `Continue each seed and method from its last complete checkpoint; finished seeds are not evaluated again${dflt('off')}`)
    .option('--force', `Replace a previous comparison (report or checkpoints) in --out (without it or --resume such a run is refused, exit 4)${dflt('off')}`)
    .option(
      '--seeds <n>',
      `Train and evaluate every method with seeds seed … seed+n−1; means with 95 % bootstrap intervals over seeds and test images, verdicts only when the paired interval excludes 0${dflt(CONFIG_DEFAULTS.seeds)}`,
    )
    .option('--bootstrap-resamples <n>', `Bootstrap resamples behind the intervals${dflt(CONFIG_DEFAULTS.bootstrapResamples)}`)
    .example('quant-trim compare --dataset fashion-mnist --model dscnn --scheme int4-sym-per-channel')
    .example('quant-trim compare --config quant-trim.config.json --json > events.ndjson')
    .example('quant-trim compare --dataset fashion-mnist --seeds 5 --seed 10   # seeds 10 … 14')
    .example('quant-trim compare --model cnn.onnx --dataset digits.npz --epochs 2 --runtimes none   # every method from the imported weights')
    .action((flags) => onAction('compare', async (ctx) => (await import('./commands/compare/index.js')).compare(flags, ctx)));

  cli
    .command('profiles [id]', 'List the backend profiles, or describe one (every knob, device, sources)')
    .example('quant-trim profiles')
    .example('quant-trim profiles tflite-int8')
    .action((id: string | undefined) => onAction('profiles', async (ctx) => (await import('./commands/profiles/index.js')).profiles(id, ctx)));

  cli
    .command(
      'inspect <model>',
      "Ops, parameters, MACs and per-profile coverage of an ONNX model; with --dataset, how far backends' calibrators disagree about each activation tensor",
    )
    .option('--profiles <ids>', `Profiles to check${dflt('all')}`)
    .option(
      '--dataset <name|path>',
      `Run the model on a calibration slice of this dataset and print, per activation tensor, each calibration method's range and clipped share (mnist, fashion-mnist, synthetic, or IDX / CSV / image-folder / NumPy data)${dflt('none: the graph summary only')}`,
    )
    .option('--calibration-samples <n>', `Training samples in the calibration slice, as eval${dflt(CONFIG_DEFAULTS.calibrationSamples)}`)
    .option('--seed <n>', `Seed of the data split and the calibration slice, as eval${dflt(CONFIG_DEFAULTS.seed)}`)
    .option('--train-limit <n>', `Use at most n training samples (the slice is drawn from them, as in eval)${dflt('all')}`)
    .option('--activations <preset>', `Activation grid the ranges are quantized on (quant-grid preset)${dflt(CONFIG_DEFAULTS.activations)}`)
    .option('--top <n>', `Tensors printed, largest disagreement first (the full list is in the object \`inspect()\` returns)${dflt(10)}`)
    .option(
      '--config <file>',
      `Config file (its seed, calibrationSamples, trainLimit, preprocess, arrays and activation preset apply with --dataset)${dflt(`${CONFIG_FILE_NAME} in the working directory, if present`)}`,
    )
    .example('quant-trim inspect model.onnx')
    .example('quant-trim inspect model.onnx --dataset fashion-mnist --calibration-samples 256 --seed 1')
    .example('quant-trim inspect model.onnx --dataset mnist --activations int8-sym-per-tensor --top 20')
    .action((model: string, flags) => onAction('inspect', async (ctx) => (await import('./commands/inspect/index.js')).inspect(model, flags, ctx)));

  cli
    .command('report <report>', 'Render the self-contained HTML report from a report.json (compare, demo) or an eval-report.json (eval)')
    .option('--out <file>', `HTML file${dflt('report.html next to a report.json, <name>.html next to an eval report')}`)
    .example('quant-trim report quant-trim-out/demo/report.json')
    .action((file: string, flags) => onAction('report', async (ctx) => (await import('./commands/report/index.js')).report(file, flags, ctx)));

  cli.help((sections) => [...sections, { title: '', body: `${EXIT_CODES}\n\nDocs: apps/cli/README.md` }]);
  cli.version(VERSION);
  dropNegatedDefaults(cli);
  return cli;
}

/**
 * Runs the CLI and resolves to the exit code (never calls process.exit). Errors print as one line
 * `error QT_CODE: message` with a hint; `--verbose` adds the stack.
 */
export async function main(argv: readonly string[], io: MainIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let chosen: { name: string; action: Action } | undefined;
  const cli = createCli((name, action) => {
    chosen = { name, action };
  });
  let parsed: ReturnType<CAC['parse']>;
  const verboseFlag = argv.includes('--verbose');
  const colorOff = argv.includes('--no-color');
  const color = shouldUseColor({ isTTY: (stderr as { isTTY?: boolean }).isTTY === true, color: !colorOff });
  const fail = (e: unknown): number => {
    const { exitCode, code, message, hint } = toExit(e);
    const stack = e instanceof Error ? e.stack : undefined;
    stderr.write(
      `${formatError({ code, message, ...(hint !== undefined ? { hint } : {}) }, { verbose: verboseFlag, ...(stack !== undefined ? { stack } : {}), color })}\n`,
    );
    return exitCode;
  };
  try {
    parsed = toStdout(stdout, () => cli.parse(['node', 'quant-trim', ...negativeValues(cli, argv)], { run: false }));
  } catch (e) {
    return fail(usage(e));
  }
  if (parsed.options['help'] || parsed.options['version']) return EXIT.ok;
  if (cli.matchedCommand === undefined) {
    if (parsed.args.length > 0) return fail(usage(new Error(`unknown command \`${String(parsed.args[0])}\`; run \`quant-trim --help\` for the list`)));
    toStdout(stdout, () => cli.outputHelp());
    return EXIT.ok;
  }
  try {
    // Validates unknown options and missing arguments, then calls the action (which only records it).
    await cli.runMatchedCommand();
  } catch (e) {
    return fail(usage(e));
  }
  if (chosen === undefined) return EXIT.ok;
  const options = parsed.options as { json?: boolean; verbose?: boolean; color?: boolean };
  const reporter: Reporter = createReporter(options.json ? 'json' : 'default', {
    stream: stdout,
    errStream: stderr,
    verbose: options.verbose === true,
    ...(options.color === false ? { color: false } : {}),
  });
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    stderr.write('\ninterrupting after the current step (Ctrl-C again to quit now)…\n');
    controller.abort();
  };
  if (io.handleSignals !== false) process.on('SIGINT', onSigint);
  const t0 = performance.now();
  reporter.onRunStart?.({ command: chosen.name, argv });
  try {
    await chosen.action({ cwd: io.cwd ?? process.cwd(), reporter, signal: controller.signal, argv });
    reporter.onRunEnd?.({ ok: true, seconds: (performance.now() - t0) / 1000 });
    return EXIT.ok;
  } catch (e) {
    if (options.json) {
      // NDJSON consumers see the failure too (stderr still gets the one-line error).
      const { exitCode, code, message, hint } = toExit(e);
      stdout.write(`${JSON.stringify({ type: 'error', time: new Date().toISOString(), code, message, ...(hint !== undefined ? { hint } : {}), exitCode })}\n`);
    }
    reporter.onRunEnd?.({ ok: false, seconds: (performance.now() - t0) / 1000 });
    return fail(e);
  } finally {
    if (io.handleSignals !== false) process.off('SIGINT', onSigint);
  }
}

/** Runs `fn` with console.log / console.info (what cac prints help and version with) writing to `stdout`. */
function toStdout<T>(stdout: NodeJS.WritableStream, fn: () => T): T {
  const { log, info } = console;
  console.log = (...args: unknown[]) => void stdout.write(`${args.join(' ')}\n`);
  console.info = console.log;
  try {
    return fn();
  } finally {
    console.log = log;
    console.info = info;
  }
}

/**
 * `--epochs -1`: cac reads a value that starts with `-` as an option (`Unknown option '-1'`).
 * A negative number after an option that takes a value is joined to it (`--epochs=-1`), so the
 * flag's own validation names it (`--epochs: expected an integer ≥ 1, got -1`).
 */
function negativeValues(cli: CAC, argv: readonly string[]): string[] {
  const valued = new Set<string>();
  for (const command of [cli.globalCommand, ...cli.commands]) {
    for (const option of command.options) {
      if (!/[<[]/.test(option.rawName)) continue;
      for (const name of option.rawName.matchAll(/--?([\w-]+)/g)) valued.add(name[1]!);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    const name = /^--?([\w-]+)$/.exec(a)?.[1];
    if (name !== undefined && valued.has(name) && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** cac's own errors (unknown option, missing argument, unknown command) are usage errors (exit 2). */
function usage(e: unknown): ExitError {
  const message = e instanceof Error ? e.message : String(e);
  return new ExitError(message, EXIT.usage, 'QT_USAGE', 'run `quant-trim --help` (or `quant-trim <command> --help`) for the commands and options', {
    cause: e,
  });
}

// Run when executed directly (bin or tsx), not when imported by tests.
const self = fileURLToPath(import.meta.url);
const invoked =
  process.argv[1] === undefined
    ? ''
    : (() => {
        try {
          return realpathSync(process.argv[1]!);
        } catch {
          return process.argv[1]!;
        }
      })();
if (invoked === self) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}
