import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeFileAtomic } from './atomicWrite';
import { withFileLock } from './fileLock';

/** The process that records edits: a journal entry is stale once this process is gone. */
export interface JournalOwner {
  host: string;
  pid: number;
}

/** True while the process `pid` of this machine runs (EPERM: it runs, as another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface JournalFile {
  host: string;
  pid: number;
  files: string[];
}

/**
 * The names (never the content) of files with unsaved edits, one JSON file per recording process
 * in a folder every window shares: the global storage folder, because a workspace storage folder
 * is named after the workspace's URI, which changes when the remote authority does (code-server
 * on another port), so a restart would not find it. One file per process means two windows never
 * overwrite each other's list. At the next start, the lists of processes that are gone name the
 * edits a crash lost; a process claims such a list by renaming it, so two windows that start
 * together report it once.
 */
export class UnsavedEditJournal {
  private readonly own: string;

  constructor(
    private readonly folder: string,
    private readonly owner: JournalOwner = { host: os.hostname(), pid: process.pid },
    private readonly isAlive: (pid: number) => boolean = processIsAlive,
  ) {
    mkdirSync(folder, { recursive: true });
    const safeHost = owner.host.replace(/[^\w.-]/g, '_');
    this.own = path.join(folder, `${safeHost}-${owner.pid}.json`);
  }

  /** The file that holds this process's list. */
  get file(): string {
    return this.own;
  }

  /** Replaces this process's list (an empty list removes its file). */
  async record(files: readonly string[]): Promise<void> {
    const unique = [...new Set(files)].sort();
    await withFileLock(this.own, async () => {
      if (unique.length === 0) {
        rmSync(this.own, { force: true });
        return;
      }
      const content: JournalFile = { ...this.owner, files: unique };
      await writeFileAtomic(this.own, JSON.stringify(content));
    });
  }

  /** Removes this process's list at once (an orderly stop, where nothing async may finish). */
  clearNow(): void {
    rmSync(this.own, { force: true });
  }

  /**
   * Takes the lists of processes of this machine that are gone (a file named after this process
   * is stale too: it was written before this process recorded anything, by an earlier one with
   * the same pid), removes them, and returns the files they name.
   */
  claimLost(): string[] {
    const lost = new Set<string>();
    for (const name of readdirSync(this.folder)) {
      if (!name.endsWith('.json')) continue;
      const candidate = path.join(this.folder, name);
      const journal = readJournal(candidate);
      if (!journal) continue;
      if (journal.host !== this.owner.host) continue; // another machine: its processes cannot be checked
      if (journal.pid !== this.owner.pid && this.isAlive(journal.pid)) continue;
      const claimed = `${candidate}.claimed-${this.owner.pid}`;
      try {
        renameSync(candidate, claimed);
      } catch {
        continue; // another window claimed it first
      }
      for (const file of readJournal(claimed)?.files ?? []) lost.add(file);
      rmSync(claimed, { force: true });
    }
    return [...lost].sort();
  }
}

function readJournal(file: string): JournalFile | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { host, pid, files } = parsed as Partial<JournalFile>;
    if (typeof host !== 'string' || typeof pid !== 'number' || !Array.isArray(files)) return undefined;
    return { host, pid, files: files.filter((entry): entry is string => typeof entry === 'string') };
  } catch {
    return undefined;
  }
}
