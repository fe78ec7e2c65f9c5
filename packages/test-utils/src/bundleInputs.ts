import * as esbuild from 'esbuild';

/**
 * The files whose code a browser bundle of `contents` keeps (esbuild, the package sources through
 * the `@quant-trim/source` condition, tree-shaken): what an app bundling that import would ship.
 */
export async function bundledFiles(contents: string, resolveDir: string): Promise<string[]> {
  const result = await esbuild.build({
    stdin: { contents, resolveDir },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['@quant-trim/source'],
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.values(result.metafile.outputs)[0]!.inputs;
  return Object.entries(inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([file]) => file);
}
