import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = new URL('../src/', import.meta.url).pathname;

/**
 * The package's layers, lowest first: a module may import from its own layer and the ones before
 * it, never from a later one. Profiles, metrics and runtimes know nothing of compilation; the cost
 * estimate reads compiled graphs; evaluate/ composes them all (and owns the report types); report/
 * formats what evaluate/ returns.
 */
const LAYERS = [['profiles', 'metrics', 'runtime'], ['compile'], ['estimate'], ['evaluate'], ['report']] as const;

function filesOf(dir: string): string[] {
  return readdirSync(join(src, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
}

describe('backend-eval module layers', () => {
  it('no module imports from a layer above its own', () => {
    const upward: string[] = [];
    LAYERS.forEach((layer, level) => {
      const above = LAYERS.slice(level + 1).flat();
      for (const dir of layer) {
        for (const file of filesOf(dir)) {
          const text = readFileSync(join(src, dir, file), 'utf8');
          for (const m of text.matchAll(/from '((?:\.\.\/)+)([a-z]+)\//g)) {
            if ((above as readonly string[]).includes(m[2]!)) upward.push(`${dir}/${file} imports ${m[2]}/`);
          }
        }
      }
    });
    expect(upward).toEqual([]);
  });
});
