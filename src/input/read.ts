/**
 * The one reader of input files (scenarios, fleets, plans, manifests): every
 * file firebreak reads goes through `readInputFile`, and standard input
 * (read by the CLI, which is asynchronous) through `decodeInput`, so that the
 * same bounds hold everywhere:
 *
 * - only regular files: the file is opened with O_NONBLOCK and checked with
 *   fstat before a byte is read, so a FIFO never blocks and a device such as
 *   /dev/zero is never read; a pipe or device can be passed on standard input
 *   (`-`) instead, where the CLI applies the same cap and a read timeout;
 * - at most `maxInputBytes()` bytes (16 MiB unless the CLI was told
 *   otherwise, with --max-input-size or FIREBREAK_MAX_INPUT_SIZE);
 * - UTF-8 text (a byte that is not is reported with its line and column),
 *   without NUL or other control characters, which YAML 1.2 does not allow
 *   in a stream (https://yaml.org/spec/1.2.2/#51-character-set).
 *
 * Every failure is an InputError naming the file and what to do.
 *
 * @example
 *   const text = readInputFile('scenarios/openai-2024-12-11.yaml'); // string, or throws InputError
 *   setMaxInputBytes(parseByteSize('64Mi') ?? DEFAULT_MAX_INPUT_BYTES);
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, type Problem } from '../core/errors.ts';

/** Default cap on one input file: 16 MiB, far above any real scenario, plan or manifest set, far below what would exhaust memory. */
export const DEFAULT_MAX_INPUT_BYTES = 16 * 1024 * 1024;
/** The name problems carry for text read from standard input (`-`). */
export const STDIN_NAME = '<stdin>';

let maxBytes = DEFAULT_MAX_INPUT_BYTES;

/** How a path named inside a file is resolved: from the file's directory, or from the current directory for standard input. */
export function relativeHint(file: string, what: string): string {
  return file === STDIN_NAME ? `the ${what} came from standard input, so the path is relative to the current directory` : `the path is relative to this ${what} file's directory`;
}

/** Sets the cap on the size of one input file (and of standard input). */
export function setMaxInputBytes(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`the input size limit must be a whole number of bytes ≥ 1, got ${n}`);
  maxBytes = n;
}

export function maxInputBytes(): number {
  return maxBytes;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, B: 1, k: 1e3, K: 1e3, kB: 1e3, KB: 1e3, M: 1e6, MB: 1e6, G: 1e9, GB: 1e9, Ki: 1024, KiB: 1024, Mi: 1024 ** 2, MiB: 1024 ** 2, Gi: 1024 ** 3, GiB: 1024 ** 3 };

/** Bytes of a size such as "16Mi", "16MiB", "64M" or "1048576"; undefined when unparsable or not ≥ 1 byte. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(text);
  if (m === null) return undefined;
  const unit = SIZE_UNITS[m[2] ?? ''];
  if (unit === undefined) return undefined;
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

/** "16 MiB", "1.5 KiB", "300 bytes". */
export function formatByteSize(n: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} byte${n === 1 ? '' : 's'}`;
}

/** The hint for input over the cap. */
export function sizeLimitHint(): string {
  return 'if the input really is that large, raise the limit with --max-input-size <size> (e.g. 64Mi) or FIREBREAK_MAX_INPUT_SIZE';
}

function problem(file: string, message: string, hint?: string, at?: { line: number; column: number }): Problem {
  return { file, ...(at !== undefined ? at : {}), path: '', message, ...(hint !== undefined ? { hint } : {}) };
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function isErrno(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).errno === 'number';
}

/** The message for a file that cannot be opened. */
export function openFailure(e: unknown, file: string): Problem {
  const code = (e as NodeJS.ErrnoException).code;
  const abs = resolve(file);
  switch (code) {
    case 'ENOENT':
      return problem(file, `file not found (looked for ${abs})`);
    case 'ENOTDIR':
      return problem(file, `file not found: a part of the path is a file, not a directory (${abs})`);
    case 'EISDIR':
      return problem(file, `is a directory, expected a YAML file (${abs})`);
    case 'EACCES':
    case 'EPERM':
      return problem(file, `permission denied reading ${abs}`, 'check the file’s permissions, or copy it somewhere readable');
    case 'ELOOP':
      return problem(file, `too many levels of symbolic links (${abs})`, 'fix the symbolic link loop');
    case 'ENAMETOOLONG':
      return problem(file, 'the file name is too long');
    default:
      return problem(file, `cannot read ${abs}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Reads one input file as text: a regular file of at most maxInputBytes(),
 * in UTF-8. Throws InputError (file not found, a directory, a FIFO or device,
 * too large, not UTF-8 text) naming the file and the fix.
 */
export function readInputFile(file: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not wait for one (fstat then refuses it).
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if (!isErrno(e)) throw e;
    throw new InputError([openFailure(e, file)], { cause: e });
  }
  let bytes: Uint8Array;
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputError([problem(file, `is a directory, expected a file (${resolve(file)})`)]);
    if (!st.isFile()) {
      throw new InputError([
        problem(file, `is ${kindOf(st)}, not a regular file; firebreak reads only regular files, so that a pipe or a device can never block it or feed it without end`, `pass it on standard input instead: use \`-\` in place of the file name and redirect it, e.g. \`- < ${file}\``),
      ]);
    }
    const max = maxBytes;
    if (st.size > max) throw new InputError([problem(file, `is ${formatByteSize(st.size)}, more than the ${formatByteSize(max)} an input file may hold`, sizeLimitHint())]);
    bytes = readAtMost(fd, st.size, max, file);
  } catch (e) {
    if (e instanceof InputError || !isErrno(e)) throw e;
    throw new InputError([openFailure(e, file)], { cause: e });
  } finally {
    closeSync(fd);
  }
  return decodeInput(bytes, file);
}

/** Reads to the end, but never more than `max` bytes (a file may grow while it is read). */
function readAtMost(fd: number, expected: number, max: number, file: string): Uint8Array {
  let buf = Buffer.allocUnsafe(Math.min(expected, max) + 1);
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (n > max) throw new InputError([problem(file, `holds more than the ${formatByteSize(max)} an input file may hold`, sizeLimitHint())]);
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, max + 1));
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
    }
    const got = readSync(fd, buf, n, buf.length - n, null);
    if (got === 0) break;
    n += got;
  }
  if (n > max) throw new InputError([problem(file, `holds more than the ${formatByteSize(max)} an input file may hold`, sizeLimitHint())]);
  return buf.subarray(0, n);
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes as text: UTF-8 (a leading byte order mark is dropped), with no NUL or
 * other control character but tab, line feed and carriage return. Throws
 * InputError locating the first offending byte (line and column).
 */
export function decodeInput(bytes: Uint8Array, file: string): string {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (e) {
    const offset = firstInvalidUtf8(bytes);
    const at = positionOf(bytes, offset);
    const byte = bytes[offset] ?? 0;
    throw new InputError([
      problem(
        file,
        `not UTF-8 text: byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} at byte offset ${offset} does not start a valid UTF-8 character`,
        'save the file as UTF-8 (firebreak reads text only; a binary file or another encoding such as Latin-1 or UTF-16 is refused)',
        at,
      ),
    ], { cause: e });
  }
  // YAML 1.2 §5.1: the printable characters are tab, LF, CR, 0x20-0x7E, 0x85 and above 0xA0 (less surrogates, FFFE, FFFF).
  const index = firstControlCharacter(text);
  if (index >= 0) {
    const code = text.charCodeAt(index);
    const before = text.slice(0, index);
    const line = before.split('\n').length;
    const column = index - (before.lastIndexOf('\n') + 1) + 1;
    throw new InputError([
      problem(
        file,
        `${code === 0 ? 'a NUL byte' : `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`}: this is not YAML text${code === 0 ? ' (a binary file?)' : ''}; YAML does not allow control characters other than tab and line breaks`,
        'pass a YAML or JSON text file; write control characters in double-quoted strings as escapes such as "\\u001b"',
        { line, column },
      ),
    ]);
  }
  return text;
}

/** Index of the first C0 control character other than tab, LF and CR, or DEL; -1 when there is none. */
function firstControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return i;
  }
  return -1;
}

/** Offset of the first byte that starts no valid UTF-8 character (RFC 3629), or bytes.length when there is none. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] ?? 0;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined) return i;
      if (k === 1 ? x < lo || x > hi : x < 0x80 || x > 0xbf) return i;
    }
    i += n + 1;
  }
  return b.length;
}

/** 1-based line and column (in characters) of a byte offset into valid-up-to-there UTF-8. */
function positionOf(b: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < b.length; i++) {
    if (b[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  let column = 1;
  for (let i = lineStart; i < offset && i < b.length; i++) if (((b[i] ?? 0) & 0xc0) !== 0x80) column++;
  return { line, column };
}
