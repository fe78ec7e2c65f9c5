import { accessSync, constants, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QuantTrimError } from '@quant-trim/errors';
import type { Reporter } from '../output/types.js';

/** What every command receives besides its own options: tests call commands with these directly. */
export interface CommandContext {
  /** Base of every relative path. */
  readonly cwd: string;
  readonly reporter: Reporter;
  /** Aborted on Ctrl-C: long commands stop after the current step. */
  readonly signal?: AbortSignal;
  /** The exact command line, recorded in reports. */
  readonly argv: readonly string[];
}

/** The command line as one string, for reports (`quant-trim compare --model cnn ...`). */
export function commandLine(argv: readonly string[]): string {
  return ['quant-trim', ...argv].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * Creates `dir` (and parents) and checks it is writable by writing and removing a probe file,
 * so an unwritable output directory fails before hours of training, naming the directory.
 */
export function ensureOutputDir(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.quant-trim-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
    return dir;
  } catch (e) {
    throw new QuantTrimError({
      code: 'QT_OUTPUT_UNWRITABLE',
      message: `cannot write to the output directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      cause: e,
      details: { path: dir, hint: 'choose a writable directory with --out' },
    });
  }
}

/** Reads a file named on the command line; a missing or unreadable file is a coded input error naming it. */
export function readInputFile(cwd: string, path: string, what: string): Uint8Array {
  const full = resolve(cwd, path);
  try {
    return new Uint8Array(readFileSync(full));
  } catch (e) {
    throw new QuantTrimError({
      code: 'QT_IO_ERROR',
      message: `cannot read ${what} ${full}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      cause: e,
      details: { path: full },
    });
  }
}
