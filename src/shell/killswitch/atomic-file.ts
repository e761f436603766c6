/**
 * Small files written atomically, for the kill switch's state: the server's
 * state file and the guard's marker. Written to a temporary file in the same
 * directory, flushed to disk (fsync), renamed over the target, and the
 * directory flushed, so that a crash (SIGKILL, power loss) leaves the old
 * file or the new one, never a torn one.
 *
 * @example
 *   writeFileAtomic('/var/lib/firebreak/switch.json', JSON.stringify(state), 0o600);
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeFileAtomic(path: string, content: string, mode = 0o644): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // The temporary file is gone already.
    }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Some file systems do not sync directories; the rename itself is atomic.
  }
}
