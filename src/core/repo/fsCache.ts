/**
 * A lazily filled cache of folder listings and parsed files, shared by every scan of a
 * {@link RepoIndex}, so an incremental update re-reads only what changed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultIgnored, matchIgnore, parseIgnore, type IgnoreRule } from './ignore';
import { summarizeFile, type ParsedFile } from './manifest';
import type { Problem } from './model';

export interface Listing {
  /** Names, sorted, after .sourceignore and default excludes. */
  files: string[];
  dirs: string[];
  fileSet: Set<string>;
  dirSet: Set<string>;
  /** Absolute paths of `files` and `dirs`, kept so that rebuilds reuse the same strings. */
  filePaths: string[];
  dirPaths: string[];
  /** Sub-folders reached through a symbolic link. */
  symlinkedDirs: Set<string>;
  problems: Problem[];
}

export interface FileState {
  parsed: ParsedFile | null;
  /** The text as read (a byte order mark included), when it was parsed. */
  text: string | null;
  /** Why the file was not parsed (too large, binary, unreadable). */
  skipped: Problem | null;
}

interface IgnoreScope {
  domain: string;
  rules: IgnoreRule[];
}

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

/** Most manifests are a few KB: those below this size are read with one read call. */
const SCRATCH_SIZE = 64 * 1024;

/** Path of `p` relative to `base` with forward slashes. */
export function relSlash(base: string, p: string): string {
  return path.relative(base, p).split(path.sep).join('/');
}

/** True when `p` is `dir` or inside it. */
export function isWithin(dir: string, p: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

export class FsCache {
  private listings = new Map<string, Listing | null>();
  private files = new Map<string, FileState>();
  private ignoreScopes = new Map<string, IgnoreScope[]>();
  /** Whether a listed folder has a .sourceignore (a failed read per folder costs an exception). */
  private ignoreFiles = new Map<string, boolean>();
  private realpaths = new Map<string, string>();
  private kinds = new Map<string, 'file' | 'dir' | null>();
  /** Folders where .sourceignore lookup starts (repository roots, then OCI artifact folders). */
  private tops: string[] = [];
  /** Reused by every read of a small file (see load). */
  private scratch: Buffer | null = null;
  /** The repository roots alone (setTops); artifact folders are added per build. */
  private baseTops: string[] = [];

  constructor(private readonly maxFileSize = DEFAULT_MAX_FILE_SIZE) {}

  setTops(tops: string[]): void {
    this.tops = tops;
    this.baseTops = tops;
    this.ignoreScopes.clear();
    this.ignoreFiles.clear();
    this.listings.clear();
    this.kinds.clear();
  }

  /**
   * Starts .sourceignore lookup at `dir` for everything inside it: an OCI artifact pushed from
   * that folder carries only the .sourceignore files inside it (`flux push artifact` reads none
   * itself), so the repository root's, written for a GitRepository, does not apply there.
   */
  addIgnoreTop(dir: string): void {
    if (this.tops.includes(dir)) return;
    this.tops = [...this.tops, dir];
    this.forgetScopesWithin(dir);
  }

  /**
   * Back to the repository roots alone, before a full build: the artifact folders are the ones the
   * build's OCI sync roots name, and a root whose OCI sync was edited away no longer makes one
   * (its folder falls under the repository's .sourceignore again, as in a fresh scan).
   */
  resetIgnoreTops(): void {
    for (const dir of this.tops) if (!this.baseTops.includes(dir)) this.forgetScopesWithin(dir);
    this.tops = this.baseTops;
  }

  private forgetScopesWithin(dir: string): void {
    for (const cache of [this.ignoreScopes, this.listings, this.kinds])
      for (const k of cache.keys()) if (isWithin(dir, k)) cache.delete(k);
  }

  clear(): void {
    this.ignoreFiles.clear();
    this.kinds.clear();
    this.listings.clear();
    this.files.clear();
    this.ignoreScopes.clear();
    this.realpaths.clear();
  }

  /** Forgets a file (and its folder's listing when the file is new or gone). */
  invalidate(p: string, structural: boolean): void {
    this.files.delete(p);
    if (path.basename(p) === '.sourceignore') {
      this.ignoreFiles.clear();
      this.kinds.clear();
      this.listings.clear();
      this.ignoreScopes.clear();
      return;
    }
    if (structural) {
      this.kinds.clear();
      // The path may have been a folder: drop it and everything cached below it.
      const prefix = p + path.sep;
      for (const k of this.listings.keys()) if (k === p || k.startsWith(prefix)) this.listings.delete(k);
      for (const k of this.files.keys()) if (k.startsWith(prefix)) this.files.delete(k);
      for (const k of this.realpaths.keys()) if (k === p || k.startsWith(prefix)) this.realpaths.delete(k);
      let dir = path.dirname(p);
      // A new file may sit in new folders: drop listings up to the first one that is known.
      for (;;) {
        const had = this.listings.get(dir);
        this.listings.delete(dir);
        if (had) break;
        const up = path.dirname(dir);
        if (up === dir) break;
        dir = up;
      }
    }
  }

  /** Whether the cache already lists `name` in `dir` (used to tell a change from a creation). */
  knows(p: string): boolean {
    const l = this.listings.get(path.dirname(p));
    if (!l) return false;
    const name = path.basename(p);
    return l.fileSet.has(name) || l.dirSet.has(name);
  }

  realpath(p: string): string {
    let r = this.realpaths.get(p);
    if (r === undefined) {
      try {
        // The native call is one syscall; the JS fallback lstat()s every path component.
        r = fs.realpathSync.native(p);
      } catch {
        r = p;
      }
      this.realpaths.set(p, r);
    }
    return r;
  }

  private topFor(dir: string): string | undefined {
    let best: string | undefined;
    for (const t of this.tops) if (isWithin(t, dir) && (!best || t.length > best.length)) best = t;
    return best;
  }

  private scopesFor(dir: string): IgnoreScope[] {
    const cached = this.ignoreScopes.get(dir);
    if (cached) return cached;
    const top = this.topFor(dir);
    let scopes: IgnoreScope[] = [];
    if (top !== undefined) {
      if (dir !== top) scopes = this.scopesFor(path.dirname(dir));
      if (this.ignoreFiles.get(dir) !== false)
        try {
          const text = fs.readFileSync(path.join(dir, '.sourceignore'), 'utf8');
          const rules = parseIgnore(text);
          if (rules.length > 0) scopes = [...scopes, { domain: dir, rules }];
        } catch {
          // No .sourceignore here.
        }
    }
    this.ignoreScopes.set(dir, scopes);
    return scopes;
  }

  /** True when .sourceignore rules or default excludes drop `full`. */
  private ignored(scopes: IgnoreScope[], full: string, name: string, isDir: boolean): boolean {
    if (defaultIgnored(name, isDir)) return true;
    let result = false;
    for (const s of scopes) {
      const m = matchIgnore(s.rules, relSlash(s.domain, full), isDir);
      if (m !== undefined) result = m;
    }
    return result;
  }

  /** The folder's visible entries, or null when it is not a readable folder. */
  list(dir: string): Listing | null {
    if (this.listings.has(dir)) return this.listings.get(dir)!;
    let listing: Listing | null;
    try {
      const entries = fs.readdirSync(dir, { withFileTypes: true });
      this.ignoreFiles.set(
        dir,
        entries.some((e) => e.name === '.sourceignore'),
      );
      const scopes = this.scopesFor(dir);
      const top = this.topFor(dir);
      listing = {
        files: [],
        dirs: [],
        fileSet: new Set(),
        dirSet: new Set(),
        filePaths: [],
        dirPaths: [],
        symlinkedDirs: new Set(),
        problems: [],
      };
      // path.join(dir, name) for names without separators, as readdir gives them, joined once.
      const prefix = path.join(dir, '_').slice(0, -1);
      for (const e of entries) {
        const full = prefix + e.name;
        let isDir = e.isDirectory();
        let isFile = e.isFile();
        if (e.isSymbolicLink()) {
          let st: fs.Stats;
          try {
            st = fs.statSync(full);
          } catch (err) {
            const loop = (err as NodeJS.ErrnoException).code === 'ELOOP';
            if (loop) {
              listing.problems.push({
                file: full,
                line: 1,
                severity: 'warning',
                code: 'symlink-loop',
                message: `Symbolic link ${e.name} loops back on itself; not followed.`,
              });
            }
            continue;
          }
          isDir = st.isDirectory();
          isFile = st.isFile();
          const real = this.realpath(full);
          const topReal = top !== undefined ? this.realpath(top) : undefined;
          if (topReal !== undefined && !isWithin(topReal, real)) {
            listing.problems.push({
              file: full,
              line: 1,
              severity: 'warning',
              code: 'path-escapes',
              message: `Symbolic link ${e.name} points outside the repository (${real}); not followed.`,
            });
            continue;
          }
          if (isDir) listing.symlinkedDirs.add(e.name);
        }
        if (!isDir && !isFile) continue;
        if (this.ignored(scopes, full, e.name, isDir)) continue;
        (isDir ? listing.dirs : listing.files).push(e.name);
      }
      listing.files.sort();
      listing.dirs.sort();
      listing.fileSet = new Set(listing.files);
      listing.dirSet = new Set(listing.dirs);
      listing.filePaths = listing.files.map((n) => prefix + n);
      listing.dirPaths = listing.dirs.map((n) => prefix + n);
    } catch {
      listing = null;
    }
    this.listings.set(dir, listing);
    return listing;
  }

  /** 'file', 'dir' or null, as seen through listings (so ignored paths do not exist). */
  kind(p: string): 'file' | 'dir' | null {
    const memo = this.kinds.get(p);
    if (memo !== undefined) return memo;
    let k: 'file' | 'dir' | null;
    const parent = path.dirname(p);
    const top = this.topFor(parent);
    if (parent === p || top === undefined) {
      // Outside every repository root no listing rules apply: ask the file system.
      try {
        const st = fs.statSync(p);
        k = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : null;
      } catch {
        k = null;
      }
    } else {
      const l = this.list(parent);
      const name = path.basename(p);
      k = !l ? null : l.dirSet.has(name) ? 'dir' : l.fileSet.has(name) ? 'file' : null;
      if (k !== null && parent !== top && this.kind(parent) !== 'dir') k = null;
    }
    this.kinds.set(p, k);
    return k;
  }

  /** The cached state of a file, without reading it. */
  cached(p: string): FileState | undefined {
    return this.files.get(p);
  }

  /** The parsed summary of a file, read once and cached until invalidated. */
  file(p: string): FileState {
    const cached = this.files.get(p);
    if (cached) return cached;
    const state = this.load(p);
    this.files.set(p, state);
    return state;
  }

  private load(p: string): FileState {
    const skip = (code: string, message: string): FileState => ({
      parsed: null,
      text: null,
      skipped: { file: p, line: 1, severity: 'warning', code, message },
    });
    let buf: Buffer;
    let fd = -1;
    try {
      fd = fs.openSync(p, 'r');
      // A file its folder's listing shows as regular is read at once into a shared buffer, and
      // a read that does not fill it is the whole file: open, read, close. Others (large files,
      // paths no listing vouches for) are stat'ed first.
      let n = -1;
      if (this.listedAsFile(p)) {
        const scratch = (this.scratch ??= Buffer.allocUnsafe(SCRATCH_SIZE));
        n = fs.readSync(fd, scratch, 0, SCRATCH_SIZE, 0);
      }
      if (n >= 0 && n < SCRATCH_SIZE && n <= this.maxFileSize) {
        buf = this.scratch!.subarray(0, n);
      } else {
        const st = fs.fstatSync(fd);
        if (!st.isFile()) return skip('unreadable-file', `${path.basename(p)} is not a regular file.`);
        if (st.size > this.maxFileSize) {
          const mb = (st.size / 1024 / 1024).toFixed(1);
          const limit = (this.maxFileSize / 1024 / 1024).toFixed(0);
          return skip('file-too-large', `${path.basename(p)} is ${mb} MB (limit ${limit} MB); skipped.`);
        }
        buf = Buffer.allocUnsafe(st.size);
        let off = 0;
        while (off < st.size) {
          const r = fs.readSync(fd, buf, off, st.size - off, off);
          if (r === 0) break;
          off += r;
        }
        buf = buf.subarray(0, off);
      }
    } catch (e) {
      return skip('unreadable-file', `${path.basename(p)} cannot be read: ${(e as Error).message}`);
    } finally {
      if (fd >= 0) fs.closeSync(fd);
    }
    // A NUL byte in the first 8 KB is how git itself tells binary from text.
    if (buf.subarray(0, 8192).includes(0)) {
      return skip('binary-file', `${path.basename(p)} looks binary; skipped.`);
    }
    const text = buf.toString('utf8');
    const content = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    return { parsed: summarizeFile(p, content, path.basename(p)), text, skipped: null };
  }

  /** Whether the cached listing of the file's folder shows it as a regular file (or a link to one). */
  private listedAsFile(p: string): boolean {
    const l = this.listings.get(path.dirname(p));
    return !!l && l.fileSet.has(path.basename(p));
  }
}
