/**
 * Every error code Quant-Trim can raise. Codes are stable: they are part of the public API and
 * never change meaning. Add new codes at the end of their group.
 */
export const ErrorCodes = {
  // ---- argument validation (all packages) ----
  /** An argument has the wrong type, dtype, or an out-of-range value. */
  QT_INVALID_ARGUMENT: 'QT_INVALID_ARGUMENT',
  /** A shape does not match the data length, or two shapes disagree. */
  QT_SHAPE_MISMATCH: 'QT_SHAPE_MISMATCH',

  // ---- quant-grid ----
  /** A bit width outside 2..16. */
  QT_INVALID_BIT_WIDTH: 'QT_INVALID_BIT_WIDTH',
  /** A scheme option is missing, of the wrong type, or inconsistent with another option. */
  QT_INVALID_SCHEME: 'QT_INVALID_SCHEME',
  /** A granularity axis or group size does not fit the tensor shape. */
  QT_INVALID_GRANULARITY: 'QT_INVALID_GRANULARITY',
  /** Quantization parameters (scales / zero points) do not fit the scheme or the tensor. */
  QT_INVALID_QPARAMS: 'QT_INVALID_QPARAMS',
  /** An integer code lies outside the scheme's integer range. */
  QT_VALUE_OUT_OF_RANGE: 'QT_VALUE_OUT_OF_RANGE',
  /** A calibrator was asked for parameters before it observed any finite value. */
  QT_CALIBRATOR_EMPTY: 'QT_CALIBRATOR_EMPTY',
  /** A calibrator option or its serialised state is invalid. */
  QT_INVALID_CALIBRATOR: 'QT_INVALID_CALIBRATOR',

  // ---- registries (all packages) ----
  /** No scheme is registered under that name. */
  QT_UNKNOWN_SCHEME: 'QT_UNKNOWN_SCHEME',
  /** No calibrator is registered under that name. */
  QT_UNKNOWN_CALIBRATOR: 'QT_UNKNOWN_CALIBRATOR',
  /** No schedule is registered under that name. */
  QT_UNKNOWN_SCHEDULE: 'QT_UNKNOWN_SCHEDULE',
  /** A different entry is already registered under that name (pass `{ override: true }`). */
  QT_DUPLICATE_NAME: 'QT_DUPLICATE_NAME',
  /** A plugin definition lacks a required field or has one of the wrong type. */
  QT_INVALID_PLUGIN: 'QT_INVALID_PLUGIN',

  // ---- files (all packages) ----
  /** A file or directory could not be read or written; the message names the path. */
  QT_IO_ERROR: 'QT_IO_ERROR',

  // ---- fake-quant ----
  /** A tfjs backend could not be initialised, or is not registered (import its package first). */
  QT_BACKEND_UNAVAILABLE: 'QT_BACKEND_UNAVAILABLE',

  // ---- onnx-export ----
  /** Bytes that are not a readable ONNX model (truncated, corrupt, wrong format); the message says where. */
  QT_ONNX_DECODE: 'QT_ONNX_DECODE',
  /** An ONNX graph is inconsistent (a name used before it is produced, a cycle, a missing initializer, a shape conflict). */
  QT_ONNX_INVALID_GRAPH: 'QT_ONNX_INVALID_GRAPH',
  /** A layer or op the exporter cannot express; the message names it, its class and the supported list. */
  QT_EXPORT_UNSUPPORTED_OP: 'QT_EXPORT_UNSUPPORTED_OP',

  // ---- onnx-import ----
  /** ONNX nodes the importer cannot build as tfjs layers; the message lists every one with its op type and why. */
  QT_IMPORT_UNSUPPORTED_OP: 'QT_IMPORT_UNSUPPORTED_OP',

  // ---- backend-eval ----
  /** A backend profile field is missing, of the wrong type or inconsistent; the message names the field. */
  QT_INVALID_PROFILE: 'QT_INVALID_PROFILE',
  /** No backend profile is registered under that name. */
  QT_UNKNOWN_PROFILE: 'QT_UNKNOWN_PROFILE',
  /** ONNX Runtime rejected a model or failed to run it; the message carries the runtime and ORT's own message. */
  QT_RUNTIME_ERROR: 'QT_RUNTIME_ERROR',
  /** No task metric (`defineMetric`) is registered under that id. */
  QT_UNKNOWN_METRIC: 'QT_UNKNOWN_METRIC',

  // ---- schedulers ----
  /** A schedule config is invalid; the message names the field. */
  QT_INVALID_SCHEDULE: 'QT_INVALID_SCHEDULE',

  // ---- quant-trim CLI ----
  /** A dataset's files are not there; the message names the path and how to install or pass it. */
  QT_DATASET_MISSING: 'QT_DATASET_MISSING',
  /** A dataset file cannot be parsed (bad magic number, truncated, wrong sizes, bad CSV row); the message names the file and the problem. */
  QT_DATASET_CORRUPT: 'QT_DATASET_CORRUPT',
  /** A model (tfjs model.json, checkpoint) cannot be loaded; the message names the file. */
  QT_MODEL_LOAD: 'QT_MODEL_LOAD',
  /** A config file or option is invalid; the message starts with the dotted path of the field. */
  QT_INVALID_CONFIG: 'QT_INVALID_CONFIG',
  /** The output directory cannot be created or written; the message names it. */
  QT_OUTPUT_UNWRITABLE: 'QT_OUTPUT_UNWRITABLE',
  /** A report file is not a Quant-Trim report (bad JSON, wrong schema id or version, invalid fields); the message names the file and field. */
  QT_INVALID_REPORT: 'QT_INVALID_REPORT',
  /** `eval`: one or more backend profiles failed (the report is written; the message lists each with its reason). */
  QT_PROFILE_FAILED: 'QT_PROFILE_FAILED',
  /** The run was interrupted (Ctrl-C); the last complete checkpoint is kept. */
  QT_INTERRUPTED: 'QT_INTERRUPTED',
  /** Training produced a non-finite loss or weights (diverged); the message names the step and layer, the last good checkpoint is kept. */
  QT_TRAINING_DIVERGED: 'QT_TRAINING_DIVERGED',
  /** The output directory already holds a previous run that this one would replace (without --resume or --force); the message names it. */
  QT_OUTPUT_EXISTS: 'QT_OUTPUT_EXISTS',
  /** Another run is writing the output directory (its lock file names the pid, host and start time). */
  QT_OUTPUT_LOCKED: 'QT_OUTPUT_LOCKED',
  /** An ONNX model uses ops outside the standard domains (a custom domain); the message names the nodes. */
  QT_UNSUPPORTED_OP: 'QT_UNSUPPORTED_OP',
  /** An export did not pass `verifyExport` against the model it came from; nothing was written. */
  QT_EXPORT_UNVERIFIED: 'QT_EXPORT_UNVERIFIED',
  /** A training step outgrew the memory the WebAssembly backend can address (lower the batch size); the message names the step and batch size. */
  QT_BACKEND_MEMORY: 'QT_BACKEND_MEMORY',
  /** A data-parallel training worker failed or exited early; the others stop at their next synchronisation (the message names the worker and its error). */
  QT_WORKER_FAILED: 'QT_WORKER_FAILED',
  /** The command line could not be parsed (unknown command or option, a missing value); printed by the CLI with exit code 2. */
  QT_USAGE: 'QT_USAGE',
  /** Anything that is not one of the codes above: a bug, printed by the CLI with exit code 1 and a request to report it. */
  QT_INTERNAL: 'QT_INTERNAL',
} as const;

/** The union of every Quant-Trim error code. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
