/**
 * Writes a scaffold plan as one operation: secrets are encrypted first, every file goes to a
 * temporary file in its own folder, then all are moved into place; on any failure what was
 * created is removed and edited files get their old text back. The result can be undone.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomicWrite';
import { isSecretFile, type ScaffoldPlan } from './types';

/** The file operations the writer needs (injected in tests to make one of them fail). */
export interface ScaffoldFs {
  readFile(p: string): Promise<string>;
  /** Creates a new file; fails when it exists. */
  writeNew(p: string, content: string): Promise<void>;
  /** Moves a new file into place; fails when the destination exists. */
  moveNew(from: string, to: string): Promise<void>;
  /** Replaces a file's text atomically, keeping its mode. */
  replace(p: string, content: string): Promise<void>;
  remove(p: string): Promise<void>;
  mkdir(p: string): Promise<void>;
  rmdir(p: string): Promise<void>;
  exists(p: string): Promise<boolean>;
}

export const nodeScaffoldFs: ScaffoldFs = {
  readFile: (p) => fsp.readFile(p, 'utf8'),
  writeNew: (p, content) => fsp.writeFile(p, content, { flag: 'wx' }),
  async moveNew(from, to) {
    // link() refuses an existing destination, unlike rename(): nothing can be overwritten.
    try {
      await fsp.link(from, to);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw e;
      // No hard links on this file system: check, then rename (a narrow race, not an overwrite by us).
      if (await nodeScaffoldFs.exists(to))
        throw Object.assign(new Error(`${to} already exists`), { code: 'EEXIST' });
      await fsp.rename(from, to);
      return;
    }
    await fsp.unlink(from);
  },
  replace: (p, content) => writeFileAtomic(p, content),
  remove: (p) => fsp.rm(p, { force: true }),
  mkdir: (p) => fsp.mkdir(p).then(() => undefined),
  rmdir: (p) => fsp.rmdir(p),
  exists: async (p) => {
    try {
      await fsp.lstat(p);
      return true;
    } catch {
      return false;
    }
  },
};

/** Encrypts a file's plaintext for the path it will have (e.g. SopsService.encryptText). */
export type EncryptFn = (filePath: string, plaintext: string) => Promise<string>;

export interface ApplyOptions {
  encrypt: EncryptFn;
  fs?: ScaffoldFs;
}

export interface AppliedScaffold {
  /** Files created, with the text written (secrets encrypted). */
  created: Array<{ path: string; content: string }>;
  /** Files edited, with their text before and after. */
  edited: Array<{ path: string; before: string; after: string }>;
  /** Folders created (the app folder). */
  folders: string[];
  /**
   * Reverses the operation: deletes the created files and folders, restores the edited files.
   * Refuses (throws, changing nothing) when one of them was changed since, unless `force`.
   */
  undo(options?: { force?: boolean }): Promise<void>;
}

export class ScaffoldWriteError extends Error {
  constructor(
    message: string,
    readonly cause: unknown,
    /** Problems met while rolling back (empty when everything was put back). */
    readonly rollbackErrors: string[],
  ) {
    super(message);
    this.name = 'ScaffoldWriteError';
  }
}

function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Folders from `folder` up that do not exist yet, outermost first. */
async function missingFolders(folder: string, fs: ScaffoldFs): Promise<string[]> {
  const missing: string[] = [];
  let dir = folder;
  while (!(await fs.exists(dir))) {
    missing.unshift(dir);
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return missing;
}

/** Writes the plan (see the module comment); throws ScaffoldWriteError with everything put back. */
export async function applyPlan(plan: ScaffoldPlan, options: ApplyOptions): Promise<AppliedScaffold> {
  const fs = options.fs ?? nodeScaffoldFs;

  // 1. Everything that can fail without touching the disk: encryption and the checks.
  const files: Array<{ path: string; content: string }> = [];
  for (const f of plan.create) {
    if (isSecretFile(f)) {
      const content = await options.encrypt(f.path, f.plaintext);
      if (content === f.plaintext || !/^sops:/m.test(content))
        throw new Error(`Encrypting ${f.path} did not produce a SOPS file; nothing was written.`);
      files.push({ path: f.path, content });
    } else files.push({ path: f.path, content: f.content });
  }
  for (const f of files)
    if (await fs.exists(f.path)) throw new Error(`${f.path} already exists; nothing was written.`);
  for (const e of plan.edit) {
    const now = await fs.readFile(e.path);
    if (now !== e.before) throw new Error(`${e.path} changed since the plan was made; nothing was written.`);
  }

  const folders: string[] = [];
  const temps: string[] = [];
  const placed: string[] = [];
  const replaced: Array<{ path: string; before: string }> = [];
  try {
    // 2. Folders, then every text in a temporary file next to its destination.
    for (const f of files)
      for (const d of await missingFolders(path.dirname(f.path), fs)) {
        await fs.mkdir(d);
        folders.push(d);
      }
    const staged: Array<{ temp: string; path: string; edit: boolean; before?: string }> = [];
    for (const f of files) {
      const temp = tempName(f.path);
      await fs.writeNew(temp, f.content);
      temps.push(temp);
      staged.push({ temp, path: f.path, edit: false });
    }
    // 3. Into place: new files (never over an existing one), then the edits.
    for (const s of staged) {
      await fs.moveNew(s.temp, s.path);
      temps.splice(temps.indexOf(s.temp), 1);
      placed.push(s.path);
    }
    for (const e of plan.edit) {
      replaced.push({ path: e.path, before: e.before });
      await fs.replace(e.path, e.after);
    }
  } catch (error) {
    const problems: string[] = [];
    const attempt = async (what: string, op: () => Promise<void>) => {
      try {
        await op();
      } catch (e) {
        problems.push(`${what}: ${(e as Error).message}`);
      }
    };
    for (const t of temps) await attempt(`remove ${t}`, () => fs.remove(t));
    for (const p of placed.reverse()) await attempt(`remove ${p}`, () => fs.remove(p));
    for (const r of replaced.reverse()) {
      const now = await fs.readFile(r.path).catch(() => undefined);
      if (now !== r.before) await attempt(`restore ${r.path}`, () => fs.replace(r.path, r.before));
    }
    for (const d of folders.reverse()) await attempt(`remove folder ${d}`, () => fs.rmdir(d));
    const msg = `Writing the new app failed (${(error as Error).message}); ${
      problems.length === 0 ? 'nothing was left behind.' : `rolling back also failed: ${problems.join('; ')}`
    }`;
    throw new ScaffoldWriteError(msg, error, problems);
  }

  const created = files;
  const edited = plan.edit.map((e) => ({ path: e.path, before: e.before, after: e.after }));
  return {
    created,
    edited,
    folders,
    async undo(undoOptions = {}) {
      if (!undoOptions.force) {
        for (const f of created) {
          const now = await fs.readFile(f.path).catch(() => undefined);
          if (now !== undefined && now !== f.content)
            throw new Error(`${f.path} was changed after it was written; undo would lose that change.`);
        }
        for (const e of edited) {
          const now = await fs.readFile(e.path).catch(() => undefined);
          if (now !== e.after)
            throw new Error(`${e.path} was changed after the app was added; undo would lose that change.`);
        }
      }
      for (const e of edited) await fs.replace(e.path, e.before);
      for (const f of [...created].reverse()) await fs.remove(f.path);
      for (const d of [...folders].reverse()) {
        try {
          await fs.rmdir(d);
        } catch {
          // Not empty: the user added files there; leave them.
        }
      }
    },
  };
}
