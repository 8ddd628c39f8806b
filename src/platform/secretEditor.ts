import { promises as fs } from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../core/fs/atomicWrite';
import { UnsavedEditJournal } from '../core/fs/editJournal';
import { withFileLock } from '../core/fs/fileLock';
import { formatForPath } from '../core/sops';
import { plaintextProblems } from '../core/sops/plaintextProblems';
import { describeError, type Log } from './log';
import { sopsServiceFor } from './sops';

/*
 * Why a custom editor, and why its backups hold nothing. Facts from VS Code 1.100's workbench
 * source (code-server 4.100.3 ships it in its source maps):
 *
 * - WorkingCopyBackupTracker (services/workingCopy/common) backs up EVERY modified working copy,
 *   whatever its scheme, 1000 ms after its last content change (2000 ms when auto save has a
 *   short delay; a working copy may set `backupDelay`), whether hot exit is on or off, into the
 *   user data folder (User/Backups). A text document's backup (TextFileEditorModel.backup) is
 *   its full text: a text editor on plaintext can only beat that timer, never avoid it.
 * - A notebook's backup is its serializer's output (NotebookFileWorkingCopyModel.snapshot ->
 *   notebookService.createNotebookTextDocumentSnapshot -> serializeNotebook in the extension
 *   host), the very call that also produces the bytes VS Code itself writes on save: the
 *   serializer cannot tell a backup from a save, and is not given the file's URI.
 * - A custom editor's backup (MainThreadCustomEditorModel.backup) stores only metadata in
 *   User/Backups: view type, resource, the id `backupCustomDocument` returned, and the
 *   webview's options and `setState` state. The content is whatever the extension itself
 *   writes, if anything. When `backupCustomDocument` throws, no backup exists; the web
 *   workbench (BrowserWorkingCopyBackupTracker.onFinalBeforeShutdown) then vetoes the page
 *   unload for the modified editor, and the desktop asks to save before it quits.
 *
 * So the decrypted secret is a custom document whose text lives in the extension host and in
 * its webview's memory, never in setState; `backupCustomDocument` refuses. Plaintext cannot
 * reach a backup whatever the timing. What a crash loses is the unsaved edit: the names (never
 * the content) of files with unsaved edits are kept in the extension's global storage folder
 * (src/core/fs/editJournal.ts), and the
 * next start tells the user which edits were lost.
 */

export const SECRET_EDITOR_VIEW_TYPE = 'fluxGitops.sopsDecrypted';

/** Messages from the webview (src/webview/secretEditor.ts). */
type WebviewMessage = { type: 'ready' } | { type: 'edit'; text: string } | { type: 'flushed'; id: number };

/** A decrypted SOPS file held in memory: the encrypted file on disk is its URI. */
class SecretDocument implements vscode.CustomDocument {
  /** The text of the editor as the webview last sent it. */
  text: string;
  /** The text as last decrypted or saved. */
  saved: string;
  panel: vscode.WebviewPanel | undefined;
  /** The webview has its editor (it asked for the text, and was sent it). */
  editorReady = false;
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;

  constructor(
    readonly uri: vscode.Uri,
    plaintext: string,
  ) {
    this.text = plaintext;
    this.saved = plaintext;
  }

  get format(): 'yaml' | 'json' | 'dotenv' {
    const format = formatForPath(this.uri.fsPath);
    return format === 'binary' ? 'dotenv' : format;
  }

  dispose(): void {
    this.text = '';
    this.saved = '';
    this.disposed.fire();
    this.disposed.dispose();
  }
}

export interface SecretEditorDeps {
  log: Log;
  /**
   * The extension's global storage folder: the list of unsaved edits must be found again by the
   * next start, and a workspace storage folder is named after the workspace URI, which changes
   * with the remote authority (code-server on another port after a restart).
   */
  globalStorage: vscode.Uri;
  extensionUri: vscode.Uri;
}

/**
 * "SOPS: Edit Decrypted": a custom editor whose document is the decrypted text of an encrypted
 * file, edited in a CodeMirror webview. Save re-encrypts with the file's data key (unchanged
 * values keep their ciphertext, as `sops edit` does) and writes atomically; a text that does not
 * parse is never saved (keep editing or discard). Plaintext is dropped when the editor closes.
 */
export class SecretEditorProvider implements vscode.CustomEditorProvider<SecretDocument>, vscode.Disposable {
  private readonly documents = new Map<string, SecretDocument>();
  /** Plaintext the command already decrypted (so it could report a failure itself), taken by the next open. */
  private readonly prepared = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<
    vscode.CustomDocumentContentChangeEvent<SecretDocument>
  >();
  readonly onDidChangeCustomDocument = this.changed.event;
  private readonly unsaved: UnsavedEditJournal;
  private readonly dirty = new Set<string>();
  private readonly flushes = new Map<number, () => void>();
  private nextFlush = 1;
  private readonly registration: vscode.Disposable;

  constructor(private readonly deps: SecretEditorDeps) {
    this.unsaved = new UnsavedEditJournal(path.join(deps.globalStorage.fsPath, 'unsaved-decrypted-edits'));
    this.registration = vscode.window.registerCustomEditorProvider(SECRET_EDITOR_VIEW_TYPE, this, {
      // Hidden tabs keep their editor (undo history, cursor) in memory instead of a saved state.
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: false,
    });
  }

  /**
   * Tells the user which unsaved edits a crash lost (the stopped run could not). Called once at
   * activation, before this run records any edit.
   */
  reportLostEdits(): void {
    let lost: string[];
    try {
      lost = this.unsaved.claimLost();
    } catch (error) {
      this.deps.log.warn(
        `could not read the unsaved decrypted edits of stopped runs: ${describeError(error)}`,
      );
      return;
    }
    this.deps.log.info(`unsaved decrypted edits lost by stopped runs: ${lost.length}`);
    if (lost.length === 0) return;
    const names = lost.map((file) => vscode.workspace.asRelativePath(file)).join(', ');
    this.deps.log.warn(`unsaved decrypted edits lost when VS Code stopped: ${lost.join(', ')}`);
    void vscode.window
      .showWarningMessage(
        `Flux GitOps: the unsaved edit of ${names} was lost when VS Code stopped. Decrypted secrets are never backed up (no plaintext on disk): make the edit again.`,
        'Edit Decrypted',
      )
      .then((choice) => {
        if (choice) void this.open(vscode.Uri.file(lost[0]));
      });
  }

  /** Number of files whose plaintext is held in memory (for tests). */
  get openCount(): number {
    return this.documents.size;
  }

  /** Decrypts the file (throwing the engine's error) and opens it in the decrypted editor. */
  async open(file: vscode.Uri): Promise<void> {
    if (!this.documents.has(file.fsPath)) {
      const encrypted = await fs.readFile(file.fsPath, 'utf8');
      this.prepared.set(file.fsPath, await sopsServiceFor(file).decryptText(file.fsPath, encrypted));
    }
    try {
      await vscode.commands.executeCommand('vscode.openWith', file, SECRET_EDITOR_VIEW_TYPE, {
        preview: false,
      });
    } finally {
      this.prepared.delete(file.fsPath);
    }
  }

  /** The text the decrypted editor of `file` holds, as the extension last received it (for tests). */
  textOf(file: vscode.Uri): string | undefined {
    return this.documents.get(file.fsPath)?.text;
  }

  /** Replaces the text through the webview, as typing would, and resolves once it came back (for tests). */
  async replaceText(file: vscode.Uri, text: string): Promise<void> {
    const document = this.documents.get(file.fsPath);
    if (!document?.panel) throw new Error(`no decrypted editor is open on ${file.fsPath}`);
    // Named conditions with a generous limit: on a loaded machine the webview has taken over 10 s
    // to load its editor; a limit only turns a hang into a failure that says what it saw.
    const deadline = Date.now() + 120_000;
    while (!document.editorReady) {
      if (Date.now() > deadline)
        throw new Error(
          `the webview did not load its editor in 120 s (panel visible: ${document.panel.visible})`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await document.panel.webview.postMessage({ type: 'replace', text });
    while (document.text !== text) {
      if (Date.now() > deadline)
        throw new Error(
          `the webview did not send the edit back in 120 s (it last sent ${document.text.length} characters, expected ${text.length})`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async openCustomDocument(uri: vscode.Uri): Promise<SecretDocument> {
    // Also reached when VS Code restores the tab after a restart: there is never a backup to
    // restore (backupCustomDocument refuses), so the document is the file as it is now.
    const plaintext =
      this.prepared.get(uri.fsPath) ??
      (await sopsServiceFor(uri).decryptText(uri.fsPath, await fs.readFile(uri.fsPath, 'utf8')));
    const document = new SecretDocument(uri, plaintext);
    this.documents.set(uri.fsPath, document);
    document.onDidDispose(() => {
      this.documents.delete(uri.fsPath);
      void this.markSaved(uri);
      this.deps.log.info(`dropped the decrypted copy of ${uri.fsPath}`);
    });
    return document;
  }

  resolveCustomEditor(document: SecretDocument, panel: vscode.WebviewPanel): void {
    document.panel = panel;
    const dist = vscode.Uri.joinPath(this.deps.extensionUri, 'dist');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    panel.webview.html = this.html(panel.webview, vscode.Uri.joinPath(dist, 'secret-editor.js'));
    panel.onDidDispose(() => {
      if (document.panel === panel) document.panel = undefined;
    });
    panel.webview.onDidReceiveMessage((message: WebviewMessage) => {
      switch (message.type) {
        case 'ready':
          document.editorReady = true;
          void panel.webview.postMessage({
            type: 'init',
            text: document.text,
            format: document.format,
            name: path.basename(document.uri.fsPath),
          });
          this.postProblems(document);
          break;
        case 'edit':
          document.text = message.text;
          void this.markUnsaved(document.uri);
          this.changed.fire({ document });
          this.postProblems(document);
          break;
        case 'flushed':
          this.flushes.get(message.id)?.();
          break;
      }
    });
  }

  private html(webview: vscode.Webview, script: vscode.Uri): string {
    const nonce = Array.from({ length: 32 }, () => Math.floor(Math.random() * 36).toString(36)).join('');
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<style nonce="${nonce}">
html, body { height: 100%; margin: 0; padding: 0; overflow: hidden; }
body { display: flex; flex-direction: column; }
#banner { padding: 4px 12px; font-family: var(--vscode-font-family); font-size: var(--vscode-font-size);
  color: var(--vscode-editorInfo-foreground, var(--vscode-foreground));
  background: var(--vscode-editorWidget-background); border-bottom: 1px solid var(--vscode-editorWidget-border, transparent); }
#editor { flex: 1; min-height: 0; }
</style>
</head><body><div id="banner" role="status"></div><div id="editor"></div>
<script nonce="${nonce}" src="${webview.asWebviewUri(script).toString()}"></script>
</body></html>`;
  }

  private postProblems(document: SecretDocument): void {
    void document.panel?.webview.postMessage({
      type: 'diagnostics',
      items: plaintextProblems(document.text, document.format),
    });
  }

  /** Waits until every edit the webview made has reached the extension (a round trip behind them). */
  private async flush(document: SecretDocument): Promise<void> {
    const panel = document.panel;
    if (!panel) return;
    const id = this.nextFlush++;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      this.flushes.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
      void panel.webview.postMessage({ type: 'flush', id });
    });
    this.flushes.delete(id);
  }

  private async markUnsaved(file: vscode.Uri): Promise<void> {
    if (this.dirty.has(file.fsPath)) return;
    this.dirty.add(file.fsPath);
    await this.recordUnsaved();
  }

  private async recordUnsaved(): Promise<void> {
    try {
      await this.unsaved.record([...this.dirty]);
    } catch (error) {
      this.deps.log.warn(`could not record the unsaved decrypted edits: ${describeError(error)}`);
    }
  }

  private async markSaved(file: vscode.Uri): Promise<void> {
    if (!this.dirty.delete(file.fsPath)) return;
    await this.recordUnsaved();
  }

  async saveCustomDocument(document: SecretDocument, cancellation: vscode.CancellationToken): Promise<void> {
    await this.flush(document);
    if (cancellation.isCancellationRequested) throw new vscode.CancellationError();
    const file = document.uri;
    const problems = plaintextProblems(document.text, document.format).filter((p) => p.blocksSave);
    if (problems.length > 0) {
      // Text that does not parse cannot be encrypted value by value: it is never written.
      const where = `line ${problems[0].line}: ${problems[0].message}`;
      const choice = await vscode.window.showWarningMessage(
        `${path.basename(file.fsPath)} is not valid ${document.format.toUpperCase()} (${where}), so it cannot be encrypted.`,
        { modal: true, detail: 'Keep editing to fix it, or discard your changes since the last save.' },
        'Keep Editing',
        'Discard Changes',
      );
      if (choice !== 'Discard Changes') throw new vscode.CancellationError();
      await this.revertCustomDocument(document);
      return;
    }
    const edited = document.text;
    try {
      await withFileLock(file.fsPath, async () => {
        const encrypted = await fs.readFile(file.fsPath, 'utf8');
        const reencrypted = await sopsServiceFor(file).reencryptEdited(file.fsPath, encrypted, edited);
        await writeFileAtomic(file.fsPath, reencrypted);
      });
    } catch (error) {
      this.deps.log.error(`save ${file.fsPath} from the decrypted editor: ${describeError(error)}`);
      throw error;
    }
    document.saved = edited;
    if (document.text === edited) await this.markSaved(file);
    this.deps.log.info(`re-encrypted ${file.fsPath} from the decrypted editor`);
  }

  saveCustomDocumentAs(): Promise<void> {
    throw new Error(
      'A decrypted secret is saved only to its own encrypted file: copy the encrypted file instead.',
    );
  }

  async revertCustomDocument(document: SecretDocument): Promise<void> {
    const file = document.uri;
    const plaintext = await sopsServiceFor(file).decryptText(
      file.fsPath,
      await fs.readFile(file.fsPath, 'utf8'),
    );
    document.text = plaintext;
    document.saved = plaintext;
    await this.markSaved(file);
    void document.panel?.webview.postMessage({ type: 'reset', text: plaintext });
    this.postProblems(document);
  }

  backupCustomDocument(document: SecretDocument): Promise<vscode.CustomDocumentBackup> {
    // Refusing is the point: VS Code then keeps no backup at all (see the comment at the top).
    return Promise.reject(
      new Error(
        `Flux GitOps never backs up decrypted secrets (${path.basename(document.uri.fsPath)}): save to keep the edit.`,
      ),
    );
  }

  dispose(): void {
    // An orderly stop: VS Code asked about every unsaved editor first, so nothing was lost unseen.
    this.dirty.clear();
    this.unsaved.clearNow();
    this.registration.dispose();
    this.changed.dispose();
    for (const document of this.documents.values()) document.dispose();
    this.documents.clear();
  }
}
