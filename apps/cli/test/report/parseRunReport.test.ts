import { isQuantTrimError } from '@quant-trim/errors';
import { describe, expect, it } from 'vitest';
import { parseRunReportText } from '../../src/commands/report/index.js';

const refusal = (text: string): string => {
  try {
    parseRunReportText(text, 'r.json');
  } catch (e) {
    return isQuantTrimError(e) ? `${e.code}: ${e.message}` : `uncoded ${String(e)}`;
  }
  return 'accepted';
};

describe('parseRunReportText (fuzz regressions)', () => {
  // Found by bench/fuzz.ts (seed 2, report case 6772): the message quoting a wrong $schema used
  // JSON.stringify on the value, which overflowed the stack on deep nesting (an uncoded RangeError)
  // and quoted megabytes for a huge value.
  it('a $schema or schemaVersion nested 100,000 levels deep is QT_INVALID_REPORT', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(refusal(`{"$schema": ${deep}}`)).toBe(
      'QT_INVALID_REPORT: r.json: $schema: expected https://quant-trim.github.io/schemas/cli/run-report-2.json (or https://quant-trim.github.io/schemas/cli/run-report-1.json with schemaVersion 1; https://quant-trim.github.io/schemas/backend-eval/evaluation-report-1.json for an eval report), got an array',
    );
    expect(refusal(`{"$schema": "https://quant-trim.github.io/schemas/cli/run-report-2.json", "schemaVersion": ${deep}}`)).toBe(
      'QT_INVALID_REPORT: r.json: schemaVersion: expected 2 (or 1), got an array',
    );
  });

  it('quotes at most 60 characters of a wrong value', () => {
    expect(refusal(`{"schemaVersion": 2, "$schema": [${'1,'.repeat(100_000)}1]}`).endsWith(`, got [${'1,'.repeat(28)}...`)).toBe(true);
    expect(refusal('{"schemaVersion": 3}')).toMatch(/\$schema: .*, got undefined$/);
    expect(refusal('not json')).toMatch(/^QT_INVALID_REPORT: r\.json: invalid JSON/);
  });
});
