import { readFileSync } from 'node:fs';
import type { Options } from 'tsup';

/**
 * Shared tsup options for every Quant-Trim package: ESM only, declarations, sourcemaps.
 * Each package's `tsup.config.ts` is a single call with its entry list, which is also the
 * source of truth for the `exports` map.
 *
 * `bundle` lists private workspace packages whose source is inlined into the build (for
 * example `@quant-trim/internal`), so the published package keeps no dependency on them.
 * Only options that tsdown also accepts are used.
 */
export function defineQuantTrimConfig(entry: Record<string, string>, options: { bundle?: string[]; external?: (string | RegExp)[] } = {}): Options {
  return {
    entry,
    format: ['esm'],
    target: 'es2022',
    platform: 'neutral',
    // Private workspace packages are inlined into the declarations too, through a path mapping to
    // their source (rollup-plugin-dts inlines local files but keeps package imports external).
    dts: {
      compilerOptions: {
        paths: Object.fromEntries((options.bundle ?? []).map((name) => [name, [`../${name.split('/')[1]}/src/index.ts`]])),
      },
    },
    sourcemap: true,
    clean: true,
    treeshake: true,
    splitting: false,
    noExternal: options.bundle ?? [],
    // Node built-ins stay imports (only `/node` subpath entries use them).
    external: [/^node:/, ...(options.external ?? [])],
    // The package's own version, for metadata written into exported files (see src/version.ts).
    define: { __QUANT_TRIM_VERSION__: JSON.stringify((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version) },
    esbuildOptions(esbuild) {
      esbuild.conditions = ['@quant-trim/source'];
    },
  };
}
