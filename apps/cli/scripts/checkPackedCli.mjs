// Run by `npm run lint` after the builds: packs @quant-trim/cli as npm would publish it, installs
// the tarball the way npm lays out a dependency (node_modules/@quant-trim/cli plus the
// node_modules/.bin/quant-trim link), and runs the bin through `npx`. The tarball's own
// dependencies resolve from the workspace's node_modules (installing them offline would need the
// registry's metadata), so this checks what the tarball itself must get right: its file list, the
// bin and its shebang, and that the built CLI starts from it.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = resolve(fileURLToPath(new URL('..', import.meta.url)));
// Inside the workspace, so Node finds the dependencies in its node_modules.
const dir = mkdtempSync(join(app, '.pack-check-'));
try {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: app, encoding: 'utf8' }));
  const { filename, files } = packed[0];
  const paths = files.map((f) => f.path);
  for (const required of ['package.json', 'dist/cli.js', 'dist/index.js', 'schema/quant-trim.config.schema.json']) {
    if (!paths.includes(required)) throw new Error(`the packed @quant-trim/cli lacks ${required}`);
  }
  const stray = paths.filter((p) => /(^|\/)(src|test|bench)\//.test(p) || p.endsWith('.test.ts'));
  if (stray.length > 0) throw new Error(`the packed @quant-trim/cli ships sources or tests: ${stray.slice(0, 5).join(', ')}`);
  const target = join(dir, 'node_modules', '@quant-trim', 'cli');
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, filename), '-C', target, '--strip-components=1']);
  mkdirSync(join(dir, 'node_modules', '.bin'));
  symlinkSync('../@quant-trim/cli/dist/cli.js', join(dir, 'node_modules', '.bin', 'quant-trim'));
  chmodSync(join(target, 'dist', 'cli.js'), 0o755);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'pack-check', private: true, dependencies: { '@quant-trim/cli': `file:${filename}` } }));
  const version = execFileSync('npx', ['--offline', '--no-install', 'quant-trim', '--version'], { cwd: dir, encoding: 'utf8' }).trim();
  const profiles = execFileSync('npx', ['--offline', '--no-install', 'quant-trim', 'profiles'], { cwd: dir, encoding: 'utf8' });
  if (!/\d+\.\d+\.\d+/.test(version)) throw new Error(`quant-trim --version printed ${version}`);
  if (!profiles.includes('trt-int8-entropy')) throw new Error('quant-trim profiles did not list the built-in profiles');
  console.log(`npx quant-trim from ${filename} (${files.length} files): ${version}, ${profiles.trim().split('\n').length} lines of profiles`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
