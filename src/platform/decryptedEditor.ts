import { promises as fs } from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../core/fs/atomicWrite';
import { withFileLock } from '../core/fs/fileLock';
import { describeError, type Log } from './log';
import { sopsServiceFor } from './sops';
import { isSopsError } from '../core/sops';

export const DECRYPTED_SCHEME = 'flux-sops-decrypted';
const DECRYPTED_MARK = ' (decrypted)';

interface OpenSecret {
  plaintext: Uint8Array;
  /** The last edit could not be encrypted (invalid YAML): it lives only in memory. */
  notOnDisk?: string;
}

/**
 * A dirty editor is backed up by VS Code's hot exit (in its user data folder, in plaintext), after
 * about a second: decrypted editors are saved, that is encrypted to disk, well before that.
 */
const SAVE_DELAY_MS = 300;

/**
 * Decrypted SOPS files that live only in memory: reading decrypts the file on disk, saving
 * re-encrypts with the same data key (unchanged values keep their ciphertext, as `sops edit`
 * does) and writes the encrypted file atomically. Plaintext is dropped when the last editor
 * of the file closes.
 */
export class DecryptedEditorProvider implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly open = new Map<string, OpenSecret>();
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly log: Log) {
    this.disposables = [
      vscode.workspace.registerFileSystemProvider(DECRYPTED_SCHEME, this, { isCaseSensitive: true }),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
      vscode.window.tabGroups.onDidChangeTabs(() => this.forgetClosedTabs()),
      vscode.workspace.onDidChangeTextDocument((event) => this.scheduleSave(event.document)),
      { dispose: () => this.saveTimers.forEach((timer) => clearTimeout(timer)) },
    ];
  }

  private readonly saveTimers = new Map<string, NodeJS.Timeout>();

  private scheduleSave(document: vscode.TextDocument): void {
    if (document.uri.scheme !== DECRYPTED_SCHEME || !document.isDirty) return;
    clearTimeout(this.saveTimers.get(document.uri.path));
    this.saveTimers.set(
      document.uri.path,
      setTimeout(() => {
        this.saveTimers.delete(document.uri.path);
        if (document.isDirty && !document.isClosed) void document.save();
      }, SAVE_DELAY_MS),
    );
  }

  /** The in-memory twin of an encrypted file; its name says it is decrypted (`secrets (decrypted).yaml`). */
  static uriFor(file: vscode.Uri): vscode.Uri {
    const ext = path.extname(file.fsPath);
    const stem = file.fsPath.slice(0, file.fsPath.length - ext.length);
    return vscode.Uri.from({ scheme: DECRYPTED_SCHEME, path: `${stem}${DECRYPTED_MARK}${ext}` });
  }

  /** The encrypted file on disk behind a decrypted editor's URI. */
  static fileOf(uri: vscode.Uri): vscode.Uri {
    const ext = path.extname(uri.path);
    const stem = uri.path.slice(0, uri.path.length - ext.length);
    return vscode.Uri.file(
      stem.endsWith(DECRYPTED_MARK) ? stem.slice(0, -DECRYPTED_MARK.length) + ext : uri.path,
    );
  }

  /** Number of files whose plaintext is held in memory (for tests). */
  get openCount(): number {
    return this.open.size;
  }

  private forget(uri: vscode.Uri): void {
    if (uri.scheme !== DECRYPTED_SCHEME) return;
    const entry = this.open.get(uri.path);
    if (!entry) return;
    this.open.delete(uri.path);
    this.log.info(`dropped the decrypted copy of ${DecryptedEditorProvider.fileOf(uri).fsPath}`);
    if (entry.notOnDisk) {
      void vscode.window.showWarningMessage(
        `Flux GitOps: the last edits to ${DecryptedEditorProvider.fileOf(uri).fsPath} were discarded: they were not valid YAML (${entry.notOnDisk}), so they were never encrypted to disk.`,
      );
    }
  }

  private forgetClosedTabs(): void {
    const stillOpen = new Set<string>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        if (input instanceof vscode.TabInputText && input.uri.scheme === DECRYPTED_SCHEME)
          stillOpen.add(input.uri.path);
      }
    }
    for (const file of [...this.open.keys()]) {
      if (!stillOpen.has(file)) this.forget(vscode.Uri.from({ scheme: DECRYPTED_SCHEME, path: file }));
    }
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  /** The encrypted file's times, so VS Code sees a change on disk (e.g. a git checkout) as one. */
  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const onDisk = await fs.stat(DecryptedEditorProvider.fileOf(uri).fsPath).catch(() => {
      throw vscode.FileSystemError.FileNotFound(uri);
    });
    const entry = this.open.get(uri.path);
    return {
      type: vscode.FileType.File,
      ctime: onDisk.ctimeMs,
      mtime: onDisk.mtimeMs,
      size: entry?.plaintext.byteLength ?? onDisk.size,
    };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const cached = this.open.get(uri.path);
    if (cached) return cached.plaintext;
    const file = DecryptedEditorProvider.fileOf(uri);
    const encrypted = await fs.readFile(file.fsPath, 'utf8');
    const plaintext = await sopsServiceFor(file).decryptText(file.fsPath, encrypted);
    const entry = { plaintext: Buffer.from(plaintext, 'utf8') };
    this.open.set(uri.path, entry);
    return entry.plaintext;
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const file = DecryptedEditorProvider.fileOf(uri);
    const edited = Buffer.from(content).toString('utf8');
    try {
      await withFileLock(file.fsPath, async () => {
        const encrypted = await fs.readFile(file.fsPath, 'utf8');
        const reencrypted = await sopsServiceFor(file).reencryptEdited(file.fsPath, encrypted, edited);
        await writeFileAtomic(file.fsPath, reencrypted);
      });
    } catch (error) {
      // Mid-edit YAML that does not parse: keep it in memory (the editor stays clean, so nothing
      // is backed up in plaintext) and encrypt it once it parses again.
      if (!isSopsError(error, 'parse')) throw error;
      this.open.set(uri.path, { plaintext: Buffer.from(content), notOnDisk: describeError(error) });
      vscode.window.setStatusBarMessage(
        '$(warning) Secret not encrypted to disk yet: the YAML is not valid',
        4000,
      );
      return;
    }
    this.open.set(uri.path, { plaintext: Buffer.from(content) });
    this.log.info(`re-encrypted ${file.fsPath} from the decrypted editor`);
    this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions('decrypted SOPS files have no folders');
  }

  delete(): void {
    throw vscode.FileSystemError.NoPermissions('delete the encrypted file instead');
  }

  rename(): void {
    throw vscode.FileSystemError.NoPermissions('rename the encrypted file instead');
  }

  dispose(): void {
    this.open.clear();
    for (const disposable of this.disposables) disposable.dispose();
    this.changed.dispose();
  }
}
