/** Where a JSON text stops being valid, 1-based, plus a short reason. */
export interface JsonErrorLocation {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly reason: string;
}

/**
 * Finds the first syntax error of a JSON text that `JSON.parse` rejected. V8's messages give a
 * position only for some errors (and quote the whole text for others), so this scans the text
 * itself: a small recursive-descent checker, not a parser.
 *
 * @example
 * jsonErrorLocation('{\n  "epochs": 3,\n}'); // { line: 3, column: 1, offset: 16, reason: 'expected a double-quoted property name' }
 */
export function jsonErrorLocation(text: string): JsonErrorLocation | undefined {
  let i = 0;
  const fail = (reason: string): never => {
    throw Object.assign(new Error(reason), { offset: i });
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`unexpected ${describe(text[i])}`);
  };
  const string = (): void => {
    i++; // opening quote
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') return void i++;
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape in a string');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail('bad escape in a string');
      } else if (c < ' ') fail('unescaped control character in a string');
      else i++;
    }
    fail('unterminated string');
  };
  const number = (): void => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) fail(`unexpected ${describe(text[i])}`);
    i += (match as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    if (c === '/') fail('comments are not allowed in JSON');
    return fail(c === undefined ? 'unexpected end of input' : `unexpected ${describe(c)}`);
  };
  const object = (): void => {
    i++;
    ws();
    if (text[i] === '}') return void i++;
    for (;;) {
      ws();
      if (text[i] !== '"') fail(text[i] === '}' ? 'trailing comma' : 'expected a double-quoted property name');
      string();
      ws();
      if (text[i] !== ':') fail("expected ':' after a property name");
      i++;
      value();
      ws();
      if (text[i] === ',') i++;
      else if (text[i] === '}') return void i++;
      else fail(text[i] === undefined ? 'unexpected end of input' : "expected ',' or '}' after a property value");
    }
  };
  const array = (): void => {
    i++;
    ws();
    if (text[i] === ']') return void i++;
    for (;;) {
      ws();
      if (text[i] === ']') fail('trailing comma');
      value();
      ws();
      if (text[i] === ',') i++;
      else if (text[i] === ']') return void i++;
      else fail(text[i] === undefined ? 'unexpected end of input' : "expected ',' or ']' after an array element");
    }
  };

  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${describe(text[i])} after the JSON value`);
    return undefined;
  } catch (error) {
    const offset = (error as { offset?: unknown }).offset;
    if (typeof offset !== 'number') return undefined; // e.g. a stack overflow on absurd nesting
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    return { line, column: offset - before.lastIndexOf('\n'), offset, reason: (error as Error).message };
  }
}

function describe(c: string | undefined): string {
  return c === undefined ? 'end of input' : `character ${JSON.stringify(c)}`;
}
