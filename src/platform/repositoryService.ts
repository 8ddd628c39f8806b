import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RepoModel } from '../core/repo/model';
import { ScanWorkerClient, type ScanOutcome } from '../core/scan/scanClient';
import { Store } from '../core/store';
import type { Log } from './log';
import { readSetting, Setting, SETTINGS_SECTION } from './settings';

export interface RepositoryState {
  /** Null until the first scan finished (or when no folder is open). */
  model: RepoModel | null;
  /** True while a full scan runs (the first one, a refresh, a change of workspace folders). */
  scanning: boolean;
}

// Everything: a created or deleted folder arrives as one event for the folder alone.
const WATCHED = '**/*';
const RELEVANT = /(\.ya?ml|\/\.sourceignore|\/Kustomization|\/[^./]+)$/;
const DEBOUNCE_MS = 150;
/** The bundled worker, next to dist/extension.js (see scripts/build.mjs). */
const WORKER_SCRIPT = path.join(__dirname, 'scan-worker.js');

/**
 * Lets timers and input run between receiving a model (its structured clone is read in the task
 * that delivers the message) and rebuilding the views from it, so the two never block as one.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Keeps the repository model of the open workspace folders up to date: a full scan at start
 * and on folder changes, then updates with the changed files from the file watcher (saves,
 * creates, deletes) and from commands that write files. The model is built in a worker thread
 * (src/core/scan), so the extension host stays responsive while a large repository is scanned.
 */
export class RepositoryService implements vscode.Disposable {
  readonly store = new Store<RepositoryState>({ model: null, scanning: false });
  private readonly worker: ScanWorkerClient;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, 'changed' | 'deleted'>();
  private timer: NodeJS.Timeout | undefined;
  /** Full scans sent and not answered yet. */
  private scansInFlight = 0;
  /** Id of the newest outcome applied to the store: an older one arriving later is dropped. */
  private appliedId = 0;
  private scanRequested = false;
  private readonly noticesLogged = new Set<string>();
  /** Duration of the first full scan, for the activation benchmark. */
  firstScanMs: number | undefined;
  /** The Flux version every cluster is checked against for this session ("check against Flux 2.9"). */
  private checkedAgainst: string | undefined;
  /** The Flux version each connected cluster reports, by cluster name. */
  private reportedFluxVersions: Readonly<Record<string, string>> = {};

  constructor(
    private readonly log: Log,
    workerScript = WORKER_SCRIPT,
  ) {
    this.worker = new ScanWorkerClient(workerScript, {
      info: (message) => log.info(message),
      error: (message) => log.error(message),
    });
    const watcher = vscode.workspace.createFileSystemWatcher(WATCHED);
    this.disposables.push(
      watcher,
      watcher.onDidChange((uri) => this.queue(uri, 'changed')),
      watcher.onDidCreate((uri) => this.queue(uri, 'changed')),
      watcher.onDidDelete((uri) => this.queue(uri, 'deleted')),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rescan()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (
          event.affectsConfiguration(`${SETTINGS_SECTION}.${Setting.ociArtifactFolder}`) ||
          event.affectsConfiguration(`${SETTINGS_SECTION}.${Setting.fluxVersions}`)
        )
          void this.rescan();
      }),
    );
  }

  /** The version every cluster is checked against this session, when one was asked for. */
  get fluxVersionChecked(): string | undefined {
    return this.checkedAgainst;
  }

  /** Checks every cluster against one Flux version (undefined: each cluster's own) and rescans. */
  checkAgainstFlux(version: string | undefined): Promise<RepoModel | null> {
    this.checkedAgainst = version;
    return this.rescan();
  }

  /**
   * The Flux versions the connected clusters report (by cluster name): each cluster's files are
   * then judged by its own Flux unless the fluxVersions setting says otherwise. Rescans on a change.
   */
  setReportedFluxVersions(versions: Readonly<Record<string, string>>): Promise<RepoModel | null> | undefined {
    const sorted = Object.fromEntries(Object.entries(versions).sort(([a], [b]) => a.localeCompare(b)));
    if (JSON.stringify(sorted) === JSON.stringify(this.reportedFluxVersions)) return undefined;
    this.reportedFluxVersions = sorted;
    return this.rescan();
  }

  /** Scans every workspace folder from scratch; resolves with the model (null when the scan failed). */
  async rescan(): Promise<RepoModel | null> {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter(
      (folder) => folder.uri.scheme === 'file',
    );
    const roots = folders.map((folder) => folder.uri.fsPath);
    // One model for every folder: the first folder's value (a folder setting) applies to the scan.
    const ociArtifactFolder = readSetting(Setting.ociArtifactFolder, '', folders[0]?.uri).trim();
    // A plain copy: the configuration object cannot cross the scan worker's structured clone.
    const fluxVersions = Object.fromEntries(
      Object.entries(readSetting<Record<string, unknown>>(Setting.fluxVersions, {}, folders[0]?.uri)).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
    // A full scan reads every file again: the changes waiting for the debounce are in it.
    clearTimeout(this.timer);
    this.pending.clear();
    this.scanRequested = true;
    const started = performance.now();
    this.scansInFlight++;
    if (this.scansInFlight === 1) this.store.set({ model: this.store.value.model, scanning: true });
    let outcome: ScanOutcome;
    try {
      outcome = await this.worker.scan(roots, {
        ociArtifactFolder: ociArtifactFolder || undefined,
        fluxVersions: this.checkedAgainst ? { '*': this.checkedAgainst } : fluxVersions,
        reportedFluxVersions: this.reportedFluxVersions,
      });
      await yieldToEventLoop();
    } finally {
      this.scansInFlight--;
    }
    const elapsed = performance.now() - started;
    const model = this.apply(outcome, (applied, workerMs, viewsMs) => {
      this.firstScanMs ??= elapsed;
      this.log.info(
        `scanned ${roots.length} folder(s) in ${elapsed.toFixed(0)} ms (${workerMs.toFixed(0)} ms of it in the scan worker): ` +
          `${applied.clusters.length} cluster(s), ${applied.kustomizations.size} Flux Kustomization(s), ` +
          `${applied.objects.length} object(s), ${applied.problems.length} problem(s); views updated in ${viewsMs.toFixed(0)} ms`,
      );
      // Said once per session: every refresh scans again and finds the same facts.
      for (const notice of applied.notices) {
        if (this.noticesLogged.has(notice)) continue;
        this.noticesLogged.add(notice);
        this.log.info(notice);
      }
    });
    void vscode.commands.executeCommand('setContext', 'fluxGitops.scanned', true);
    return model;
  }

  /**
   * Takes files (or folders) that were written or deleted into account without a full scan, as
   * the file watcher does but at once: for commands that know what they wrote (New App, Undo).
   */
  async update(changed: readonly string[], deleted: readonly string[] = []): Promise<RepoModel | null> {
    if (!this.scanRequested) return this.rescan();
    const started = performance.now();
    const outcome = await this.worker.update([...changed], [...deleted]);
    await yieldToEventLoop();
    return this.apply(outcome, (_model, workerMs, viewsMs) =>
      this.log.debug(
        `updated ${changed.length + deleted.length} file(s) in ${(performance.now() - started).toFixed(0)} ms ` +
          `(${workerMs.toFixed(0)} ms in the scan worker, views updated in ${viewsMs.toFixed(0)} ms)`,
      ),
    );
  }

  /** Puts a worker's outcome in the store unless a newer one is there already; the model after it. */
  private apply(
    outcome: ScanOutcome,
    report: (model: RepoModel, workerMs: number, viewsMs: number) => void,
  ): RepoModel | null {
    const scanning = this.scansInFlight > 0;
    if (outcome.id <= this.appliedId) {
      if (!scanning && this.store.value.scanning) this.store.set({ ...this.store.value, scanning });
      return this.store.value.model;
    }
    this.appliedId = outcome.id;
    if ('error' in outcome) {
      const kept = this.store.value.model;
      this.log.error(
        `scan failed: ${outcome.error}; ${kept ? 'the views keep the last model' : 'no model to show'}`,
      );
      this.store.set({ model: kept, scanning });
      return null;
    }
    const started = performance.now();
    this.store.set({ model: outcome.model, scanning });
    report(outcome.model, outcome.workerMs, performance.now() - started);
    void vscode.commands.executeCommand(
      'setContext',
      'fluxGitops.hasFluxRepository',
      outcome.model.kustomizations.size > 0,
    );
    return outcome.model;
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
    // Before the first scan there is nothing to update: that scan reads the files anyway.
    if (!this.scanRequested) return;
    const changes = [...this.pending];
    this.pending.clear();
    if (changes.length === 0) return;
    const changed = changes.filter(([, change]) => change === 'changed').map(([file]) => file);
    const deleted = changes.filter(([, change]) => change === 'deleted').map(([file]) => file);
    void this.update(changed, deleted);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.worker.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
