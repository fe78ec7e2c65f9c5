import { describe, expect, it } from 'vitest';
import { formatDuration, formatError, formatTable, shouldUseColor } from '../../src/output/index.js';
import { ANSI_COLOR } from './helpers.js';

describe('formatError', () => {
  const error = { code: 'QT_INVALID_CONFIG', message: 'epochs: expected an integer ≥ 1, got 0', hint: 'check quant-trim.config.json' };
  const stack = 'QuantTrimError: epochs: expected an integer ≥ 1, got 0\n    at parse (src/config/parseConfig.ts:10:3)\n    at main (src/cli.ts:5:1)';

  it('prints the one-line error and its hint', () => {
    expect(formatError(error)).toBe('error QT_INVALID_CONFIG: epochs: expected an integer ≥ 1, got 0\nhint: check quant-trim.config.json\n');
    expect(formatError({ code: 'QT_IO_ERROR', message: 'cannot read x' })).toBe('error QT_IO_ERROR: cannot read x\n');
  });

  it('adds the stack frames only when verbose', () => {
    expect(formatError(error, { stack })).not.toContain('at parse');
    const verbose = formatError(error, { verbose: true, stack });
    expect(verbose).toBe(`${formatError(error).trimEnd()}\n    at parse (src/config/parseConfig.ts:10:3)\n    at main (src/cli.ts:5:1)\n`);
  });

  it('is colour-aware', () => {
    expect(formatError(error, { color: false })).not.toMatch(ANSI_COLOR);
    const coloured = formatError(error, { color: true, verbose: true, stack });
    expect(coloured).toMatch(ANSI_COLOR);
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(formatError(error, { verbose: true, stack }));
  });
});

describe('shouldUseColor', () => {
  it('needs a TTY and no NO_COLOR, CI or --no-color', () => {
    expect(shouldUseColor({ isTTY: true, env: {} })).toBe(true);
    expect(shouldUseColor({ isTTY: false, env: {} })).toBe(false);
    expect(shouldUseColor({ isTTY: true, color: false, env: {} })).toBe(false);
    expect(shouldUseColor({ isTTY: true, env: { NO_COLOR: '' } })).toBe(false);
    expect(shouldUseColor({ isTTY: true, env: { CI: '1' } })).toBe(false);
  });
});

describe('formatTable', () => {
  it('aligns columns, numbers to the right, without trailing spaces', () => {
    const rows = [
      { profile: 'tflite-int8', acc: 0.9812, mode: 'int8' },
      { profile: 'qnn-htp-w8a16', acc: 0.97, mode: undefined },
    ];
    const table = formatTable(rows, [
      { header: 'profile', key: 'profile' },
      { header: 'acc', key: 'acc' },
      { header: 'accuracy', value: (r) => `${(r.acc * 100).toFixed(1)}%`, align: 'right' },
      { header: 'mode', key: 'mode' },
    ]);
    expect(table).toBe(
      [
        'profile           acc  accuracy  mode',
        '-------------  ------  --------  ----',
        'tflite-int8    0.9812     98.1%  int8',
        'qnn-htp-w8a16    0.97     97.0%  -',
      ].join('\n'),
    );
  });

  it('measures cells without their colour codes', () => {
    const table = formatTable([{ a: '\u001b[32mok\u001b[39m' }, { a: 'error' }], [{ header: 'status', key: 'a' }], { rule: false });
    expect(table.split('\n').map((l) => l.replace(/\u001b\[\d+m/g, ''))).toEqual(['status', 'ok', 'error']);
  });
});

describe('formatDuration', () => {
  it('reads well from milliseconds to hours', () => {
    expect([0.42, 3.21, 42.4, 245, 3725].map(formatDuration)).toEqual(['0.42s', '3.2s', '42s', '4m 05s', '1h 02m']);
  });
});
