import { describe, expect, it } from 'vitest';
import { createCli } from '../../src/cli.js';
import { CONFIG_DEFAULTS } from '../../src/config/index.js';
import { DEMO_DEFAULTS } from '../../src/commands/demo/index.js';
import { run } from './helpers.js';

/** What an option's help line must end with: its default, or that it is required / has none. */
const MARKER = /\((default: [^)]+|required|no default[^)]*)\)\s*$/;
/** cac's own actions (print the help / the version and exit): not settings, so no default to show. */
const ACTIONS = new Set(['help', 'version']);

/** The help line of an option (`  --epochs <n>   Epochs per method (default: 3)`). */
function lineOf(help: string, rawName: string): string | undefined {
  return help.split('\n').find((l) => l.startsWith(`  ${rawName} `));
}

describe('--help: every option shows its default', () => {
  // The same declarations the CLI parses with: a new option without a default fails here.
  const cli = createCli(() => undefined);
  const commands = [
    { name: '', options: cli.globalCommand.options },
    ...cli.commands.map((c) => ({ name: c.name, options: [...c.options, ...cli.globalCommand.options] })),
  ];

  it('walks every command: each option line ends with (default: …), (required) or (no default …)', async () => {
    expect(cli.commands.map((c) => c.name).sort()).toEqual(['compare', 'demo', 'eval', 'export', 'inspect', 'profiles', 'report', 'train']);
    const missing: string[] = [];
    let checked = 0;
    for (const { name, options } of commands) {
      const { code, stdout } = await run(name === '' ? ['--help'] : [name, '--help']);
      expect(code).toBe(0);
      for (const option of options) {
        if (ACTIONS.has(option.name)) continue;
        const line = lineOf(stdout, option.rawName);
        if (line === undefined || !MARKER.test(line)) missing.push(`${name || 'quant-trim'} ${option.rawName}: ${line ?? '(not in --help)'}`);
        checked++;
      }
      // a boolean default printed as true / false reads wrong next to a flag (--no-trim "(default: true)")
      expect(stdout, name).not.toMatch(/\(default: (true|false)\)/);
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  }, 120_000);

  it('negated flags read right and still parse', async () => {
    const train = (await run(['train', '--help'])).stdout;
    expect(lineOf(train, '--no-trim')).toMatch(/skip reverse pruning.*\(default: trimming on\)/i);
    expect(lineOf(train, '--no-color')).toMatch(/Disable colours \(default: colour on a terminal, off under NO_COLOR or CI\)/);
    const parse = (argv: string[]) => createCli(() => undefined).parse(['node', 'quant-trim', ...argv], { run: false }).options;
    expect(parse(['train', '--no-trim'])['trim']).toBe(false);
    expect(parse(['train'])['trim']).toBeUndefined();
    expect(parse(['train', '--no-color'])['color']).toBe(false);
  });

  it('the defaults shown are the ones the commands use', async () => {
    const train = (await run(['train', '--help'])).stdout;
    expect(lineOf(train, '--epochs <n>')).toContain(`(default: ${CONFIG_DEFAULTS.epochs})`);
    expect(lineOf(train, '--out <dir>')).toContain(`(default: ${CONFIG_DEFAULTS.out})`);
    expect(lineOf(train, '--batch-size <n>')).toContain(`(default: ${CONFIG_DEFAULTS.batchSize})`);
    const demo = (await run(['demo', '--help'])).stdout;
    expect(lineOf(demo, '--out <dir>')).toContain(`(default: ${DEMO_DEFAULTS.out})`);
    expect(lineOf(demo, '--seeds <n>')).toContain(`(default: ${DEMO_DEFAULTS.seeds})`);
    expect(lineOf(demo, '--latency')).toContain('(default: on)');
    const compare = (await run(['compare', '--help'])).stdout;
    expect(lineOf(compare, '--seeds <n>')).toContain(`(default: ${CONFIG_DEFAULTS.seeds})`);
    expect(lineOf(compare, '--latency')).toContain('(default: off)');
    const word = (on: boolean) => (on ? 'on' : 'off');
    expect(lineOf(train, '--blank-suppression')).toContain(`(default: ${word(CONFIG_DEFAULTS.blankSuppression.enabled)})`);
    expect(lineOf(train, '--no-blank-suppression')).toContain(`(default: blank suppression ${word(CONFIG_DEFAULTS.blankSuppression.enabled)})`);
    expect(lineOf(train, '--random-calibration')).toContain(`(default: ${word(CONFIG_DEFAULTS.randomCalibration.enabled)})`);
    expect(lineOf(train, '--randomize-schemes')).toContain(`(default: ${word(CONFIG_DEFAULTS.randomizeSchemes)})`);
    expect(lineOf(train, '--no-randomize-schemes')).toContain(`(default: scheme randomisation ${word(CONFIG_DEFAULTS.randomizeSchemes)})`);
    expect(lineOf(compare, '--methods <list>')).toContain(`(default: ${CONFIG_DEFAULTS.methods.join(',')})`);
  });
});
