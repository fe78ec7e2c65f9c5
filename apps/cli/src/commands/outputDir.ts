import {
  closeSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { QuantTrimError } from '@quant-trim/errors';
import { ensureOutputDir } from './context.js';

/** The lock file a run holds in its output directory while it writes there. */
export const LOCK_FILE = '.quant-trim.lock';

/** What a lock file records: who writes the directory, since when. */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** ISO time the run started. */
  readonly started: string;
  /** The command line, for the message a second writer gets. */
  readonly command?: string;
}

/** A claimed output directory: `release` removes the lock and, after a failure, the directory if the run created it and left it empty. */
export interface OutputDir {
  readonly dir: string;
  release(outcome: 'ok' | 'failed'): void;
}

export interface ClaimOptions {
  /** Command line recorded in the lock (`quant-trim train …`). */
  readonly command?: string;
  /** Warnings (a stale lock taken over). */
  readonly onWarning?: (message: string) => void;
  /**
   * What in `dir` a rerun would replace (a previous run's checkpoints or report), described for the
   * message; `undefined` when nothing. Checked after the lock is taken, unless `resume` or `force`.
   */
  readonly previousRun?: (dir: string) => string | undefined;
  readonly resume?: boolean;
  readonly force?: boolean;
}

/** Whether process `pid` runs on this machine (EPERM: it does, as another user's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function parseOwner(text: string | undefined): LockOwner | undefined {
  if (text === undefined) return undefined;
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    return typeof o.pid === 'number' && Number.isInteger(o.pid) && o.pid > 0 && typeof o.hostname === 'string' ? (o as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

const describeOwner = (o: LockOwner) => `pid ${o.pid} on ${o.hostname}, started ${o.started}${o.command ? ` (${o.command})` : ''}`;

/** Locks still held by this process, removed on exit (a second Ctrl-C exits without unwinding). */
const held = new Set<string>();
let exitHook = false;
function removeHeldLocks(): void {
  for (const path of held) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
  held.clear();
}

/**
 * Takes `<dir>/.quant-trim.lock`, created atomically (`wx`) with pid, hostname and start time. A
 * lock of a live process (or of another host, which cannot be checked) is `QT_OUTPUT_LOCKED`
 * naming the holder; a lock of a dead process on this host is stale and is taken over with a
 * warning. Returns the release function (removes the lock if it is still ours).
 */
export function lockOutputDir(dir: string, options: { command?: string; onWarning?: (message: string) => void } = {}): () => void {
  const path = join(dir, LOCK_FILE);
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    started: new Date().toISOString(),
    ...(options.command !== undefined ? { command: options.command } : {}),
  };
  const text = `${JSON.stringify(owner)}\n`;
  let fd: number | undefined;
  for (let attempt = 0; fd === undefined; attempt++) {
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new QuantTrimError({
          code: 'QT_OUTPUT_UNWRITABLE',
          message: `cannot lock the output directory ${dir}: ${code ?? (e as Error).message}`,
          cause: e,
          details: { path: dir, hint: 'choose a writable directory with --out' },
        });
      }
      const seen = readText(path);
      let other = parseOwner(seen);
      if (seen === undefined && attempt < 3) continue; // released meanwhile
      // A dead process's lock is taken over: moved aside (atomic), and removed only if it is still
      // the stale one; a live lock another run took over with in between is put back.
      if (attempt < 3 && other !== undefined && other.hostname === hostname() && !alive(other.pid)) {
        const aside = `${path}.stale-${process.pid}`;
        try {
          renameSync(path, aside);
        } catch {
          continue; // gone meanwhile: try again
        }
        const moved = readText(aside);
        if (moved === seen) {
          rmSync(aside, { force: true });
          options.onWarning?.(
            `${path}: taking over a stale lock of ${describeOwner(other)}: that process no longer runs (killed or crashed; what it wrote may be incomplete)`,
          );
          continue;
        }
        try {
          linkSync(aside, path);
        } catch {
          // a third run holds it now
        }
        rmSync(aside, { force: true });
        other = parseOwner(moved);
      }
      const holder = other === undefined ? 'another run (its lock file is unreadable)' : describeOwner(other);
      throw new QuantTrimError({
        code: 'QT_OUTPUT_LOCKED',
        message: `the output directory ${dir} is being written by ${holder}`,
        details: {
          path: dir,
          lock: path,
          ...(other !== undefined ? { owner: other } : {}),
          hint: `wait for that run to finish or choose another --out; if no quant-trim run is writing there, delete ${path}`,
        },
      });
    }
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  held.add(path);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', removeHeldLocks);
  }
  return () => {
    held.delete(path);
    try {
      if (readFileSync(path, 'utf8') === text) unlinkSync(path);
    } catch {
      // already gone
    }
  };
}

/** Removes the empty directories under `dir` (bottom-up) and `dir` itself if it ends up empty; never a file. */
function pruneEmpty(dir: string): boolean {
  let entries: string[];
  try {
    if (!lstatSync(dir).isDirectory()) return false; // files and symbolic links are never touched
    entries = readdirSync(dir);
  } catch {
    return false;
  }
  let left = entries.length;
  for (const e of entries) if (pruneEmpty(join(dir, e))) left--;
  if (left > 0) return false;
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

/**
 * Claims the output directory of a run: creates it (and checks it is writable), locks it, and
 * unless `resume` or `force` refuses one that holds a previous run (`QT_OUTPUT_EXISTS`, exit 4,
 * naming it). `release('failed')` removes the lock and, when this call created the directory,
 * the empty directories it left (never a file).
 */
export function claimOutputDir(dir: string, options: ClaimOptions = {}): OutputDir {
  if (options.resume === true && options.force === true) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: '--resume and --force contradict each other: --resume continues the run in --out, --force replaces it',
      details: { field: '--force', hint: 'drop one of them' },
    });
  }
  // The first directory mkdir creates (undefined when `dir` already existed).
  let created: string | undefined;
  if (!existsSync(dir)) {
    try {
      created = mkdirSync(dir, { recursive: true });
    } catch {
      // ensureOutputDir reports it
    }
  }
  const cleanup = () => {
    if (created === undefined) return;
    if (!pruneEmpty(dir)) return;
    // The parents mkdir created for it, up to the first one (each only if empty).
    for (let d = dirname(dir); ; d = dirname(d)) {
      const rel = relative(created, d);
      if (rel.startsWith('..') || isAbsolute(rel)) break;
      try {
        rmdirSync(d);
      } catch {
        break;
      }
      if (rel === '') break;
    }
  };
  let unlock: (() => void) | undefined;
  try {
    ensureOutputDir(dir);
    unlock = lockOutputDir(dir, options);
    const previous = options.resume || options.force ? undefined : options.previousRun?.(dir);
    if (previous !== undefined) {
      throw new QuantTrimError({
        code: 'QT_OUTPUT_EXISTS',
        message: `the output directory ${dir} already holds ${previous}; this run would replace it`,
        details: { path: dir, hint: 'rerun with --resume to continue it, --force to replace it, or choose another --out' },
      });
    }
  } catch (e) {
    unlock?.();
    cleanup();
    throw e;
  }
  let released = false;
  return {
    dir,
    release(outcome) {
      if (released) return;
      released = true;
      unlock?.();
      if (outcome === 'failed') cleanup();
    },
  };
}

/** Runs `body` with the claimed directory and releases it (also on errors and Ctrl-C). */
export async function withOutputDir<T>(dir: string, options: ClaimOptions, body: (dir: string) => Promise<T>): Promise<T> {
  const claimed = claimOutputDir(dir, options);
  try {
    const result = await body(claimed.dir);
    claimed.release('ok');
    return result;
  } catch (e) {
    claimed.release('failed');
    throw e;
  }
}

/** Non-empty directory test (missing → false). */
export function hasEntries(path: string): boolean {
  try {
    return readdirSync(path).length > 0;
  } catch {
    return false;
  }
}

/** `path` relative to `dir` when inside it (for messages), else `path`. */
export function relativeTo(dir: string, path: string): string {
  const rel = relative(dir, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
