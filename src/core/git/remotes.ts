import * as fs from 'fs';
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
export function findGitRoot(folder: string): string | undefined {
  let current = path.resolve(folder);
  for (;;) {
    if (fs.existsSync(path.join(current, '.git'))) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** Remote URLs of the repository holding `folder`; a `.git` file (worktree) points at the real folder. */
export function readGitRemotes(folder: string): string[] {
  const root = findGitRoot(folder);
  if (!root) return [];
  let gitDir = path.join(root, '.git');
  try {
    if (fs.statSync(gitDir).isFile()) {
      const pointer = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(gitDir, 'utf8'));
      if (!pointer) return [];
      gitDir = path.resolve(root, pointer[1].trim());
      // A worktree's config lives in the common dir.
      const common = path.join(gitDir, 'commondir');
      if (fs.existsSync(common)) gitDir = path.resolve(gitDir, fs.readFileSync(common, 'utf8').trim());
    }
    return parseGitRemotes(fs.readFileSync(path.join(gitDir, 'config'), 'utf8'));
  } catch {
    return [];
  }
}

/**
 * A git URL reduced to `host/path` (lowercase, no user, port, scheme or `.git`), so the ssh, scp-like
 * and https forms of one repository compare equal. Undefined when it is not a recognisable URL.
 */
export function normaliseGitUrl(url: string): string | undefined {
  let s = url.trim();
  if (!s) return undefined;
  let host: string;
  let rest: string;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s);
  if (scheme) {
    s = s.slice(scheme[0].length);
    const slash = s.indexOf('/');
    const authority = slash < 0 ? s : s.slice(0, slash);
    rest = slash < 0 ? '' : s.slice(slash + 1);
    host = authority.slice(authority.lastIndexOf('@') + 1);
    // Drop a port, but keep IPv6 brackets intact.
    host = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
  } else {
    // scp-like: [user@]host:path (a colon before any slash).
    const m = /^(?:[^@/]+@)?([^:/]+):(?!\/\/)(.*)$/.exec(s);
    if (!m) return undefined;
    host = m[1];
    rest = m[2];
  }
  rest = rest
    .replace(/[?#].*$/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/^\/+/, '')
    .replace(/\/{2,}/g, '/');
  if (!host || !rest) return undefined;
  return `${host.toLowerCase()}/${rest.toLowerCase()}`;
}

/** True when two git URLs name the same repository. */
export function sameGitRepository(a: string, b: string): boolean {
  const na = normaliseGitUrl(a);
  return na !== undefined && na === normaliseGitUrl(b);
}

/** The git folder of a repository root (a `.git` file in a worktree points at the real one). */
function gitDirOf(root: string): string | undefined {
  const gitDir = path.join(root, '.git');
  try {
    if (!fs.statSync(gitDir).isFile()) return gitDir;
    const pointer = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(gitDir, 'utf8'));
    return pointer ? path.resolve(root, pointer[1].trim()) : undefined;
  } catch {
    return undefined;
  }
}

/** The checked-out branch of the repository holding `folder` (undefined when detached or none). */
export function readCurrentBranch(folder: string): string | undefined {
  const root = findGitRoot(folder);
  const dir = root ? gitDirOf(root) : undefined;
  if (!dir) return undefined;
  try {
    const head = fs.readFileSync(path.join(dir, 'HEAD'), 'utf8').trim();
    const m = /^ref:\s*refs\/heads\/(.+)$/.exec(head);
    return m ? m[1] : undefined;
  } catch {
    return undefined;
  }
}
