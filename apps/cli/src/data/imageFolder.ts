import { readdirSync, type Dirent } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { QuantTrimError } from '@quant-trim/errors';
import { decodeImage, IMAGE_EXTENSIONS } from './decodeImage.js';
import { corruptError } from './files.js';
import type { SampleSource } from './gatherSamples.js';

/** Split subfolders of an image folder: `train/` with `test/` (or `val/`, as ImageNet). */
export const IMAGE_SPLIT_DIRS = { train: 'train', test: ['test', 'val'] } as const;

/** The images of one folder: files in sorted order, with a label each unless the folder has no class subfolders. */
export interface ImageList {
  readonly dir: string;
  readonly files: readonly string[];
  /** Class index per file (index into `classes`), or `undefined` for a folder of loose images. */
  readonly labels: Uint8Array | undefined;
  readonly classes: readonly string[] | undefined;
  /** Files skipped because their extension is not .png / .jpg / .jpeg (dotfiles are skipped silently). */
  readonly skipped: readonly string[];
}

const isImage = (name: string) => (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
const byName = (a: Dirent, b: Dirent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => !e.name.startsWith('.'))
      .sort(byName);
  } catch (cause) {
    throw new QuantTrimError({
      code: 'QT_IO_ERROR',
      message: `cannot read directory ${dir}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`,
      cause,
      details: { path: dir },
    });
  }
}

/** Image files under `dir`, recursively, in sorted path order; other files go to `skipped`. */
function walk(dir: string, files: string[], skipped: string[]): void {
  for (const e of entries(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory()) walk(path, files, skipped);
    else if (isImage(e.name)) files.push(path);
    else skipped.push(path);
  }
}

/** Whether `dir` is read as an image folder: it holds subfolders (classes, splits) or image files. */
export function looksLikeImageFolder(dir: string): boolean {
  return entries(dir).some((e) => e.isDirectory() || isImage(e.name));
}

/**
 * The `train/` and `test/` (or `val/`) subfolders of `dir` when it has both; `{ train }` alone when
 * `train/` is its only subfolder (then split 6:1 like a folder of classes, not read as one class).
 */
export function imageSplitDirs(dir: string): { train: string; test?: string } | undefined {
  const names = entries(dir)
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  if (!names.includes(IMAGE_SPLIT_DIRS.train)) return undefined;
  const test = IMAGE_SPLIT_DIRS.test.find((n) => names.includes(n));
  if (test !== undefined) return { train: join(dir, IMAGE_SPLIT_DIRS.train), test: join(dir, test) };
  return names.length === 1 ? { train: join(dir, IMAGE_SPLIT_DIRS.train) } : undefined;
}

/**
 * Lists an image folder: `<dir>/<class>/<image>` (classes sorted by name → label 0, 1, …; images
 * may sit in nested folders of their class), or images directly in `<dir>` (no labels). `classes`
 * fixes the class list (a test split uses the training split's). A class folder without images, a
 * test class unknown to training, a folder mixing class folders and loose images, or more than 256
 * classes is `QT_DATASET_CORRUPT` naming the folder.
 */
export function listImageFolder(dir: string, classes?: readonly string[]): ImageList {
  const top = entries(dir);
  const subdirs = top.filter((e) => e.isDirectory()).map((e) => e.name);
  const loose = top.filter((e) => !e.isDirectory() && isImage(e.name)).map((e) => join(dir, e.name));
  const skipped = top.filter((e) => !e.isDirectory() && !isImage(e.name)).map((e) => join(dir, e.name));
  if (subdirs.length === 0) {
    if (loose.length === 0)
      throw corruptError(dir, `no images: expected <class>/<image> subfolders or ${IMAGE_EXTENSIONS.join(' / ')} files`, { problem: 'empty' });
    if (classes !== undefined)
      throw corruptError(
        dir,
        `holds loose images but the training split has class folders (${classes.join(', ')}); give the test images the same class folders`,
        { problem: 'layout' },
      );
    return { dir, files: loose, labels: undefined, classes: undefined, skipped };
  }
  if (loose.length > 0) {
    throw corruptError(
      dir,
      `mixes class folders (${subdirs.slice(0, 3).join(', ')}${subdirs.length > 3 ? ', …' : ''}) with loose images (${relative(dir, loose[0] as string)}${loose.length > 1 ? `, ${loose.length - 1} more` : ''}); put every image in its class folder`,
      { problem: 'layout' },
    );
  }
  const classNames = classes ?? subdirs;
  if (classNames.length > 256)
    throw corruptError(dir, `${classNames.length} class folders; at most 256 classes are supported (labels are 0–255)`, { problem: 'label-range' });
  const files: string[] = [];
  const labels: number[] = [];
  for (const name of subdirs) {
    const label = classNames.indexOf(name);
    if (label < 0)
      throw corruptError(join(dir, name), `class "${name}" does not exist in the training split (classes: ${classNames.join(', ')})`, {
        problem: 'label-range',
        label: name,
      });
    const before = files.length;
    walk(join(dir, name), files, skipped);
    if (files.length === before)
      throw corruptError(join(dir, name), `class folder "${name}" holds no ${IMAGE_EXTENSIONS.join(' / ')} images`, { problem: 'empty-class', label: name });
    for (let i = before; i < files.length; i++) labels.push(label);
  }
  return { dir, files, labels: Uint8Array.from(labels), classes: classNames, skipped };
}

/** A sample source decoding the files of `list` on demand (0–255 values). */
export function imageSource(list: ImageList): SampleSource {
  return { count: list.files.length, labels: list.labels, where: (i) => list.files[i] as string, sample: (i) => decodeImage(list.files[i] as string) };
}

/** The warning for skipped files, or `undefined` when none were skipped. */
export function skippedWarning(skipped: readonly string[]): string | undefined {
  if (skipped.length === 0) return undefined;
  const shown = skipped.slice(0, 3).join(', ');
  return `skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'} that ${skipped.length === 1 ? 'is' : 'are'} not ${IMAGE_EXTENSIONS.join(' / ')}: ${shown}${skipped.length > 3 ? ', …' : ''}`;
}
