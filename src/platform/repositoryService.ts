import * as vscode from 'vscode';
import { RepoIndex } from '../core/repo';
import type { RepoModel } from '../core/repo/model';
import { Store } from '../core/store';
import type { Log } from './log';
import { describeError } from './log';
import { readSetting, Setting, SETTINGS_SECTION } from './settings';

export interface RepositoryState {
  /** Null until the first scan finished (or when no folder is open). */
  model: RepoModel | null;
  scanning: boolean;
}

// Everything: a created or deleted folder arrives as one event for the folder alone.
const WATCHED = '**/*';
const RELEVANT = /(\.ya?ml|\/\.sourceignore|\/Kustomization|\/[^./]+)$/;
const DEBOUNCE_MS = 150;

/**
 * Keeps the repository model of the open workspace folders up to date: a full scan at start
 * and on folder changes, then one-file updates from the file watcher (saves, creates, deletes).
 */
export class RepositoryService implements vscode.Disposable {
  readonly store = new Store<RepositoryState>({ model: null, scanning: false });
  private index: RepoIndex | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, 'changed' | 'deleted'>();
  private timer: NodeJS.Timeout | undefined;
  /** Duration of the first full scan, for the activation benchmark. */
  firstScanMs: number | undefined;

  constructor(private readonly log: Log) {
    const watcher = vscode.workspace.createFileSystemWatcher(WATCHED);
    this.disposables.push(
      watcher,
      watcher.onDidChange((uri) => this.queue(uri, 'changed')),
      watcher.onDidCreate((uri) => this.queue(uri, 'changed')),
      watcher.onDidDelete((uri) => this.queue(uri, 'deleted')),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rescan()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${SETTINGS_SECTION}.${Setting.ociArtifactFolder}`)) this.rescan();
      }),
    );
  }

  /** Scans every workspace folder from scratch. */
  rescan(): RepoModel | null {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter(
      (folder) => folder.uri.scheme === 'file',
    );
    const roots = folders.map((folder) => folder.uri.fsPath);
    // One model for every folder: the first folder's value (a folder setting) applies to the scan.
    const ociArtifactFolder = readSetting(Setting.ociArtifactFolder, '', folders[0]?.uri).trim();
    const started = performance.now();
    this.store.set({ model: this.store.value.model, scanning: true });
    try {
      this.index = new RepoIndex(roots, { ociArtifactFolder: ociArtifactFolder || undefined });
      const model = this.index.scan();
      const elapsed = performance.now() - started;
      this.firstScanMs ??= elapsed;
      this.log.info(
        `scanned ${roots.length} folder(s) in ${elapsed.toFixed(0)} ms: ${model.clusters.length} cluster(s), ` +
          `${model.kustomizations.size} Flux Kustomization(s), ${model.objects.length} object(s), ${model.problems.length} problem(s)`,
      );
      for (const notice of model.notices) this.log.info(notice);
      this.store.set({ model, scanning: false });
      void vscode.commands.executeCommand(
        'setContext',
        'fluxGitops.hasFluxRepository',
        model.kustomizations.size > 0,
      );
      void vscode.commands.executeCommand('setContext', 'fluxGitops.scanned', true);
      return model;
    } catch (error) {
      this.log.error(`scan failed: ${describeError(error)}`);
      this.store.set({ model: null, scanning: false });
      void vscode.commands.executeCommand('setContext', 'fluxGitops.scanned', true);
      return null;
    }
  }

  private queue(uri: vscode.Uri, change: 'changed' | 'deleted'): void {
    const file = uri.fsPath;
    if (uri.scheme !== 'file' || /\/(node_modules|\.git)(\/|$)/.test(file) || !RELEVANT.test(file)) return;
    this.log.trace(`file ${change}: ${file}`);
    this.pending.set(uri.fsPath, change);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  private flush(): void {
    const index = this.index;
    if (!index) return;
    const changes = [...this.pending];
    this.pending.clear();
    const started = performance.now();
    try {
      let model: RepoModel | undefined;
      for (const [file, change] of changes) {
        model = change === 'deleted' ? index.removeFile(file) : index.updateFile(file);
      }
      if (!model) return;
      this.log.debug(`updated ${changes.length} file(s) in ${(performance.now() - started).toFixed(1)} ms`);
      this.store.set({ model, scanning: false });
      void vscode.commands.executeCommand(
        'setContext',
        'fluxGitops.hasFluxRepository',
        model.kustomizations.size > 0,
      );
    } catch (error) {
      this.log.error(`update failed, rescanning: ${describeError(error)}`);
      this.rescan();
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
