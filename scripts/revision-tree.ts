/**
 * Another git revision of this checkout as a working tree of its own, for the
 * scripts that compare this tree with a revision (check-identical.ts,
 * check-analyze-identical.ts, bench-compare.ts): `git worktree add --detach`
 * into a fresh temporary directory, node_modules symlinked to this
 * checkout's, removed (worktree and directory) by `remove()`.
 *
 * @example
 *   const rev = RevisionTree.open(HERE, 'HEAD~1');
 *   try { run(rev.dir); } finally { rev.remove(); }
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class RevisionTree {
  /** The checkout the revision belongs to. */
  readonly repo: string;
  readonly commit: string;
  /** The temporary directory holding the tree (and whatever the caller puts beside it). */
  readonly tmp: string;
  /** The revision's working tree. */
  readonly dir: string;

  private constructor(repo: string, commit: string, tmp: string) {
    this.repo = repo;
    this.commit = commit;
    this.tmp = tmp;
    this.dir = join(tmp, 'tree');
  }

  /** Checks `rev` out beside `repo`; throws when git cannot. */
  static open(repo: string, rev: string, prefix = 'firebreak-rev-'): RevisionTree {
    const commit = git(repo, ['rev-parse', '--verify', `${rev}^{commit}`]);
    const tree = new RevisionTree(repo, commit, mkdtempSync(join(tmpdir(), prefix)));
    git(repo, ['worktree', 'add', '--detach', tree.dir, commit]);
    const nm = join(repo, 'node_modules');
    if (existsSync(nm)) symlinkSync(realpathSync(nm), join(tree.dir, 'node_modules'));
    return tree;
  }

  /** Removes the worktree and the temporary directory. */
  remove(): void {
    try {
      git(this.repo, ['worktree', 'remove', '--force', this.dir]);
    } catch {
      // fall through to removing the directory
    }
    rmSync(this.tmp, { recursive: true, force: true });
    try {
      git(this.repo, ['worktree', 'prune']);
    } catch {
      // nothing to prune
    }
  }
}

function git(repo: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}
