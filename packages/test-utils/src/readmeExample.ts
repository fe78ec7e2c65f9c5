import { readFileSync } from 'node:fs';

/**
 * The first ```ts block of a package README and the example file it must show verbatim, so a
 * test keeps the README's example true (the example itself is run by the same test).
 */
export function readmeExample(packageDir: URL, example = 'examples/quickstart.ts'): { shown: string | undefined; source: string } {
  const readme = readFileSync(new URL('README.md', packageDir), 'utf8');
  return { shown: /```ts\n([\s\S]*?)```/.exec(readme)?.[1], source: readFileSync(new URL(example, packageDir), 'utf8') };
}
