import { promises as fs } from 'fs';
import * as path from 'path';

/** The remote URLs in a git config file's text (`[remote "name"]` sections, `url =` keys). */
export function parseGitRemotes(configText: string): string[] {
  const urls: string[] = [];
  let inRemote = false;
  for (const raw of configText.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inRemote = /^\[remote\s+"[^"]*"\]$/.test(line);
      continue;
    }
    const match = /^url\s*=\s*(.+)$/.exec(line);
    if (inRemote && match) urls.push(match[1].trim().replace(/^"(.*)"$/, '$1'));
  }
  return urls;
}

/** The git repository root at or above `folder` (the folder holding `.git`), or undefined. */
export async function findGitRoot(folder: string): Promise<string | undefined> {
  let current = path.resolve(folder);
  for (;;) {
    try {
      await fs.stat(path.join(current, '.git'));
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return undefined;
      current = parent;
    }
  }
}

/** Remote URLs of the repository holding `folder`; a `.git` file (worktree) points at the real folder. */
export async function readGitRemotes(folder: string): Promise<string[]> {
  const root = await findGitRoot(folder);
  if (!root) return [];
  let gitDir = path.join(root, '.git');
  try {
    const stat = await fs.stat(gitDir);
    if (stat.isFile()) {
      const pointer = /^gitdir:\s*(.+)$/m.exec(await fs.readFile(gitDir, 'utf8'));
      if (!pointer) return [];
      gitDir = path.resolve(root, pointer[1].trim());
      // A worktree's config lives in the common dir.
      const common = await fs.readFile(path.join(gitDir, 'commondir'), 'utf8').catch(() => undefined);
      if (common) gitDir = path.resolve(gitDir, common.trim());
    }
    return parseGitRemotes(await fs.readFile(path.join(gitDir, 'config'), 'utf8'));
  } catch {
    return [];
  }
}
