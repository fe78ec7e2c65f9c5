import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimOutputDir, LOCK_FILE } from '../../src/commands/outputDir.js';
import { tempDir } from './helpers.js';

describe('claimOutputDir', () => {
  it('after a failure removes only the empty directories it created (and their new parents), never files or what a symbolic link points to', () => {
    const root = tempDir('claim');
    const outside = join(root, 'outside');
    mkdirSync(join(outside, 'empty'), { recursive: true });
    const dir = join(root, 'a', 'b', 'out');
    const claimed = claimOutputDir(dir);
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
    mkdirSync(join(dir, 'checkpoints', 'fp'), { recursive: true });
    symlinkSync(outside, join(dir, 'link'));
    claimed.release('failed');
    // the link keeps `out` (and so a/b) alive; the empty checkpoints tree is gone, the link's target untouched
    expect(readdirSync(dir)).toEqual(['link']);
    expect(existsSync(join(outside, 'empty'))).toBe(true);

    const fresh = join(root, 'x', 'y');
    claimOutputDir(fresh).release('failed');
    expect(existsSync(join(root, 'x'))).toBe(false);

    const kept = join(root, 'kept');
    const run = claimOutputDir(kept);
    writeFileSync(join(kept, 'report.json'), '{}');
    run.release('failed');
    expect(readdirSync(kept)).toEqual(['report.json']);

    const ok = join(root, 'ok');
    claimOutputDir(ok).release('ok');
    expect(existsSync(ok)).toBe(true); // a successful run's directory stays, even empty
    expect(readdirSync(ok)).toEqual([]);
  });
});
