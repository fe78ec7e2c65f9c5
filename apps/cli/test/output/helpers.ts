/** A writable stream that keeps what was written, as `stream.text`. */
export interface FakeStream extends NodeJS.WritableStream {
  text: string;
  isTTY?: boolean;
  columns?: number;
}

export function fakeStream(options: { isTTY?: boolean; columns?: number } = {}): FakeStream {
  const stream = {
    text: '',
    ...options,
    write(chunk: string | Uint8Array): boolean {
      stream.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    },
  };
  return stream as unknown as FakeStream;
}

/** A manual clock in milliseconds. */
export function fakeClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTERS = /[\u0000-\u0009\u000b-\u001f\u007f\u009b]/;
// eslint-disable-next-line no-control-regex
export const ANSI_COLOR = /\u001b\[\d+m/;
