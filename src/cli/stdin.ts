/**
 * Standard input as an input file (`-`): read once, before the (synchronous)
 * loaders run, with the same size cap as files and a read timeout — no data
 * for `timeoutMs` (30 s unless --stdin-timeout or FIREBREAK_STDIN_TIMEOUT say
 * otherwise) is an input error, so a forgotten redirection or a stalled
 * producer never hangs a command. The text is decoded like a file's
 * (src/input/read.ts: UTF-8, no control characters).
 *
 * @example
 *   const text = await readStdin({ maxBytes: maxInputBytes(), timeoutMs: 30_000 });
 */
import { InputError } from '../core/errors.ts';
import { decodeInput, formatByteSize, sizeLimitHint, STDIN_NAME } from '../input/read.ts';

/** Default read timeout of standard input: 30 s without data. */
export const DEFAULT_STDIN_TIMEOUT_MS = 30_000;

export interface StdinOptions {
  readonly maxBytes: number;
  /** Longest wait for the next chunk, ms. */
  readonly timeoutMs: number;
  /** Defaults to process.stdin. */
  readonly stream?: NodeJS.ReadableStream & { destroy?: () => void };
}

/** Reads standard input to its end. Throws InputError when it is too large, silent too long, unreadable or not UTF-8 text. */
export function readStdin(opts: StdinOptions): Promise<string> {
  const stream = opts.stream ?? process.stdin;
  const problem = (message: string, hint?: string): InputError => new InputError([{ file: STDIN_NAME, path: '', message, ...(hint !== undefined ? { hint } : {}) }]);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = (err: Error | undefined, text?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      if (err !== undefined) {
        stream.destroy?.();
        reject(err);
      } else resolve(text ?? '');
    };
    const onTimeout = (): void => {
      finish(
        problem(
          `no data on standard input for ${opts.timeoutMs / 1000} s (\`-\` reads the input from standard input)`,
          'redirect or pipe the file into the command (`- < file.yaml`), or raise the wait with --stdin-timeout <duration> or FIREBREAK_STDIN_TIMEOUT',
        ),
      );
    };
    const timer = setTimeout(onTimeout, opts.timeoutMs);
    const onData = (chunk: Buffer | string): void => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += b.length;
      if (total > opts.maxBytes) {
        finish(problem(`standard input holds more than the ${formatByteSize(opts.maxBytes)} an input may hold`, sizeLimitHint()));
        return;
      }
      chunks.push(b);
      timer.refresh();
    };
    const onEnd = (): void => {
      try {
        finish(undefined, decodeInput(Buffer.concat(chunks), STDIN_NAME));
      } catch (e) {
        finish(e instanceof Error ? e : new Error(String(e)));
      }
    };
    const onError = (e: Error): void => {
      finish(problem(`cannot read standard input: ${e.message}`));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
