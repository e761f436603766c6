/**
 * Output files (--report, --metrics, schema --out): checked before a run, so
 * that a path that cannot be written is a usage error (exit 2) before any
 * work, and written atomically after it — to a temporary file in the same
 * directory, then renamed — so that a failed or interrupted write never
 * leaves a partial file behind. A full disk or an I/O error is a SystemError
 * (exit 3, one line). A target that exists and is not a regular file
 * (/dev/stdout, /dev/null) is written in place.
 *
 * @example
 *   checkOutputFile('out/report.html', '--report');          // before the run
 *   writeOutputFile('out/report.html', html, '--report');    // after it
 */
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SystemError, UsageError } from '../core/errors.ts';

const SYSTEM: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EFBIG: 'file too large for the file system',
};

function code(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

/** A file-system error while writing `path` for `flag`, as a UsageError (the user's path) or a SystemError (the machine). */
export function outputError(e: unknown, path: string, flag: string): Error {
  const c = code(e);
  if (c !== undefined && SYSTEM[c] !== undefined) return new SystemError(`cannot write ${path} (${flag}): ${SYSTEM[c]} (${c})`, { cause: e });
  switch (c) {
    case 'EISDIR':
      return new UsageError(`${flag} ${path} is a directory; give a file name in it, e.g. ${join(path, defaultName(flag))}`, { cause: e });
    case 'ENOTDIR':
    case 'EEXIST':
      return new UsageError(`${flag} ${path}: a part of the path is a file, not a directory; choose a path whose directories are directories`, { cause: e });
    case 'EACCES':
    case 'EPERM':
      return new UsageError(`${flag} ${path}: permission denied (${c}); choose a location you can write to`, { cause: e });
    case 'EROFS':
      return new UsageError(`${flag} ${path}: the file system is read-only (EROFS); choose a location you can write to`, { cause: e });
    case 'ENOENT':
      return new UsageError(`${flag} ${path}: the directory cannot be created (ENOENT); choose another path`, { cause: e });
    case 'ENAMETOOLONG':
      return new UsageError(`${flag} ${path}: the file name is too long`, { cause: e });
    default:
      return e instanceof Error ? e : new Error(String(e));
  }
}

function defaultName(flag: string): string {
  return flag === '--metrics' ? 'metrics.ndjson' : flag === '--report' ? 'report.html' : 'output';
}

/** The nearest existing ancestor of `path` (itself included) and what it is. */
function nearestExisting(path: string): { at: string; isDir: boolean; isFile: boolean } {
  let p = resolve(path);
  for (;;) {
    try {
      const st = statSync(p);
      return { at: p, isDir: st.isDirectory(), isFile: st.isFile() };
    } catch (e) {
      const c = code(e);
      if (c === 'ENOTDIR') {
        // A component is a file: keep going up to find it.
      } else if (c !== 'ENOENT') throw e;
    }
    const up = dirname(p);
    if (up === p) return { at: p, isDir: true, isFile: false };
    p = up;
  }
}

function checkWritableDir(dir: string, path: string, flag: string): void {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot write in ${dir}: permission denied (${code(e) ?? 'EACCES'}); choose a location you can write to`, { cause: e });
  }
}

/**
 * Before a run: `path` can become an output file — not a directory, not under
 * a file, in a directory that exists or can be created and is writable.
 * Throws UsageError naming the path, the option and the fix.
 */
export function checkOutputFile(path: string, flag: string): void {
  if (path === '') throw new UsageError(`${flag} needs a file name`);
  const near = nearestExisting(path);
  if (near.at === resolve(path)) {
    if (near.isDir) throw new UsageError(`${flag} ${path} is a directory; give a file name in it, e.g. ${join(path, defaultName(flag))}`);
    if (near.isFile) {
      // Replaced by a rename: its directory must be writable.
      checkWritableDir(dirname(near.at), path, flag);
      return;
    }
    // A device or pipe (/dev/stdout), written in place.
    try {
      accessSync(near.at, constants.W_OK);
    } catch (e) {
      throw new UsageError(`${flag} ${path}: permission denied (${code(e) ?? 'EACCES'}); choose a location you can write to`, { cause: e });
    }
    return;
  }
  if (!near.isDir) throw new UsageError(`${flag} ${path}: ${near.at} is not a directory; choose a path whose directories are directories`);
  checkWritableDir(near.at, path, flag);
}

/** Before a run: `dir` can be an output directory (exists as one, or can be created). Throws UsageError. */
export function checkOutputDir(dir: string, flag: string): void {
  if (dir === '') throw new UsageError(`${flag} needs a directory name`);
  const near = nearestExisting(dir);
  if (near.at === resolve(dir) && !near.isDir) throw new UsageError(`${flag} ${dir} is not a directory (the files are written into one); give a directory, e.g. ${join(dirname(dir), 'schemas')}`);
  if (!near.isDir) throw new UsageError(`${flag} ${dir}: ${near.at} is not a directory; choose a path whose directories are directories`);
  checkWritableDir(near.at, dir, flag);
}

/**
 * Writes `content` to `path` for option `flag`, atomically: into a temporary
 * file beside it, flushed, then renamed over it; the temporary file is
 * removed on failure. Throws UsageError or SystemError (see outputError).
 */
export function writeOutputFile(path: string, content: string, flag: string): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw outputError(e, path, flag);
  }
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(path);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory() === true) throw outputError(Object.assign(new Error('EISDIR'), { code: 'EISDIR' }), path, flag);
  if (existing !== undefined && !existing.isFile()) {
    // A device or pipe (/dev/stdout, /dev/null): there is nothing to rename over.
    try {
      writeFileSync(path, content);
    } catch (e) {
      throw outputError(e, path, flag);
    }
    return;
  }
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx');
    try {
      const buf = Buffer.from(content, 'utf8');
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // Not created, or already renamed.
    }
    throw outputError(e, path, flag);
  }
}
