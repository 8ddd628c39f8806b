import {
  createCheckAgainstFluxCommand,
  createMigrateClusterCommand,
  createMigrationCodeActions,
} from './commands/migrate';
import * as vscode from 'vscode';
import { createLog, describeError, type Log } from './platform/log';
import { onListenerError } from './core/events';
import { ProblemQuickFixes } from './views/quickFixes';
import { CommandId } from './platform/commandIds';
import { createShowLogCommand } from './commands/showLog';
import { createNewAppCommand } from './commands/newApp';
import { createOpenObjectCommand } from './commands/openObject';
import { createRefreshCommand } from './commands/refresh';
import { createCheckRepositoryCommand } from './commands/checkRepository';
import { RepositoryService } from './platform/repositoryService';
import { RepositoryTreeProvider } from './views/repositoryTree';
import { createProblemsView } from './views/problems';
import type { RepoNode } from './core/tree/repoTree';
import type { StatusStore } from './core/cluster';
import type { Bindings } from './platform/clusterService';
import { createYamlLanguageClient } from './language/client';
import { DecryptedFiles } from './platform/decryptedFiles';
import { SecretEditorProvider } from './platform/secretEditor';
import { createSopsHover, SopsFileDecorations } from './views/sopsDecorations';
import { createDecryptCommand, createEditDecryptedCommand, createEncryptCommand } from './commands/sops';
import { ClusterService } from './platform/clusterService';
import {
  createReconcileAppliedByCommand,
  createReconcileCommand,
  createResumeCommand,
  createSuspendCommand,
} from './commands/fluxActions';
import { createSelectContextCommand } from './commands/selectContext';
import { createClusterStatusBar } from './views/statusBar';
import { ClusterStatusView } from './views/clusterStatusView';
import { FluxCodeLensProvider } from './views/codeLens';
import { createRevealInTreeCommand } from './commands/revealInTree';
import { ScanIndicator, type ScanIndication } from './views/scanIndicator';
import { createDiffWithClusterCommand, createFluxBuildCommand } from './commands/clusterDiff';
import { ReadOnlyDocuments } from './platform/readOnlyDocuments';

/** What activate() returns: used by the integration tests to look inside. */
export interface ExtensionApi {
  readonly registeredCommands: readonly string[];
  readonly activatedAt: number;
  /** Time spent in activate(), in ms. */
  readonly activationMs: number;
  /** Time of the first full scan, in ms, once it finished. */
  readonly firstScanMs: number | undefined;
  /** The top-level nodes of the repository tree as the view shows them. */
  repositoryTree(): readonly RepoNode[];
  /** Rescans the workspace (in the scan worker); resolves when the views have the new model. */
  rescan(): Promise<void>;
  /** Number of SOPS files whose decrypted content is held in memory by "Edit Decrypted". */
  readonly decryptedInMemory: number;
  /** The decrypted editor's text of a file, as the extension holds it (undefined: not open). */
  decryptedText(file: vscode.Uri): string | undefined;
  /** Replaces the decrypted editor's text through its webview, as typing would. */
  replaceDecryptedText(file: vscode.Uri, text: string): Promise<void>;
  /** The live status store of connected clusters. */
  readonly clusterStore: StatusStore | undefined;
  clusterBindings(): Bindings;
  /** Re-reads the kubeconfig and reconnects; resolves when done. */
  syncClusters(): Promise<void>;
  /** What the "flux get all" view shows. */
  statusTables(): ReturnType<ClusterStatusView['tables']>;
  /** The tree item the view renders for a node (live status included). */
  treeItem(node: RepoNode): vscode.TreeItem | undefined;
  /** The children the view shows (with the cluster-only group). */
  treeChildren(node?: RepoNode): RepoNode[];
  /** What the repository view says about scans: its message, its progress bar, what it showed so far. */
  scanIndication(): { message: string | undefined; progress: boolean; history: readonly ScanIndication[] };
}

/**
 * The composition root. It builds every service, view and command once, and owns every
 * disposable; dispose() releases them in reverse order of creation.
 */
export class Container implements vscode.Disposable {
  readonly log: Log;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly commandIds: string[] = [];
  private readonly activatedAt = Date.now();
  activationMs = 0;
  private repository: RepositoryService | undefined;
  private tree: RepositoryTreeProvider | undefined;
  private decryptedEditor: SecretEditorProvider | undefined;
  private clusters: ClusterService | undefined;
  private statusView: ClusterStatusView | undefined;
  private scanIndicator: ScanIndicator | undefined;

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = this.own(createLog());
    onListenerError((error) =>
      this.log.error(`a view or service failed on a change: ${describeError(error)}`),
    );
  }

  get api(): ExtensionApi {
    // Getters, so the tests read live values from the object activate() returned.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const container = this;
    return {
      get registeredCommands() {
        return [...container.commandIds];
      },
      activatedAt: container.activatedAt,
      get activationMs() {
        return container.activationMs;
      },
      get firstScanMs() {
        return container.repository?.firstScanMs;
      },
      repositoryTree: () => container.tree?.rootNodes ?? [],
      rescan: async () => void (await container.repository?.rescan()),
      get decryptedInMemory() {
        return container.decryptedEditor?.openCount ?? 0;
      },
      decryptedText: (file: vscode.Uri) => container.decryptedEditor?.textOf(file),
      replaceDecryptedText: async (file: vscode.Uri, text: string) => {
        if (!container.decryptedEditor) throw new Error('SOPS is not enabled');
        await container.decryptedEditor.replaceText(file, text);
      },
      get clusterStore() {
        return container.clusters?.store;
      },
      clusterBindings: () => container.clusters?.bindings.value ?? new Map(),
      syncClusters: () => container.clusters?.sync() ?? Promise.resolve(),
      statusTables: () => container.statusView?.tables() ?? [],
      treeItem: (node: RepoNode) => container.tree?.getTreeItem(node),
      treeChildren: (node?: RepoNode) => container.tree?.getChildren(node) ?? [],
      scanIndication: () => ({
        message: container.scanIndicator?.message,
        progress: container.scanIndicator?.progressShown ?? false,
        history: [...(container.scanIndicator?.history ?? [])],
      }),
    };
  }

  /** Takes ownership of a disposable; returns it for chaining. */
  own<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  registerCommand(id: string, handler: (...args: never[]) => unknown): void {
    this.own(vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown));
    this.commandIds.push(id);
  }

  async start(): Promise<void> {
    const log = this.log;
    const repository = (this.repository = this.own(new RepositoryService(log)));
    const clusters = (this.clusters = this.own(new ClusterService(log, repository)));
    this.tree = this.own(
      new RepositoryTreeProvider(repository.store, { store: clusters.store, bindings: clusters.bindings }),
    );
    const treeView = this.own(
      vscode.window.createTreeView('fluxGitops.repository', {
        treeDataProvider: this.tree,
        showCollapseAll: true,
      }),
    );
    this.scanIndicator = this.own(new ScanIndicator(repository.store, treeView, 'fluxGitops.repository'));
    this.own(new FluxCodeLensProvider(repository, clusters));
    this.own(createProblemsView(repository.store));
    this.own(new ProblemQuickFixes(repository.store));
    this.statusView = this.own(new ClusterStatusView(clusters));
    this.own(vscode.window.createTreeView('fluxGitops.clusterStatus', { treeDataProvider: this.statusView }));
    this.own(createClusterStatusBar(clusters, repository));
    this.own(createYamlLanguageClient({ context: this.context, log }));

    this.registerCommand(CommandId.showLog, createShowLogCommand({ log }));
    this.registerCommand(CommandId.refresh, createRefreshCommand({ repository }));
    this.registerCommand(
      CommandId.openObject,
      createOpenObjectCommand({ selected: () => treeView.selection[0]?.location }),
    );
    this.registerCommand(
      CommandId.revealInTree,
      createRevealInTreeCommand({ tree: this.tree, view: treeView }),
    );
    this.registerCommand(CommandId.checkRepository, createCheckRepositoryCommand({ repository, log }));
    this.own(
      vscode.languages.registerCodeActionsProvider(
        { scheme: 'file', language: 'yaml' },
        createMigrationCodeActions({ repository }),
        { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
      ),
    );
    this.registerCommand(CommandId.migrateCluster, createMigrateClusterCommand({ repository, log }));
    this.registerCommand(CommandId.checkAgainstFlux, createCheckAgainstFluxCommand({ repository }));
    const decryptedFiles = this.own(new DecryptedFiles(this.context.workspaceState));
    const secretEditor = (this.decryptedEditor = this.own(
      new SecretEditorProvider({
        log,
        globalStorage: this.context.globalStorageUri,
        extensionUri: this.context.extensionUri,
      }),
    ));
    secretEditor.reportLostEdits();
    this.own(new SopsFileDecorations(repository.store));
    this.own(createSopsHover());
    const sopsDeps = { log, decryptedFiles, secretEditor };
    this.registerCommand(CommandId.sopsEncrypt, createEncryptCommand(sopsDeps));
    this.registerCommand(CommandId.sopsDecrypt, createDecryptCommand(sopsDeps));
    this.registerCommand(CommandId.sopsEditDecrypted, createEditDecryptedCommand(sopsDeps));
    void vscode.commands.executeCommand('setContext', 'fluxGitops.feature.sops', true);

    const actionDeps = { log, clusters, repository };
    this.registerCommand(CommandId.reconcile, createReconcileCommand(actionDeps, {}));
    this.registerCommand(
      CommandId.reconcileWithSource,
      createReconcileCommand(actionDeps, { withSource: true }),
    );
    this.registerCommand(
      CommandId.reconcileForce,
      createReconcileCommand(actionDeps, { withSource: true, force: true }),
    );
    this.registerCommand(
      CommandId.reconcileReset,
      createReconcileCommand(actionDeps, { withSource: true, reset: true }),
    );
    this.registerCommand(CommandId.reconcileAppliedBy, createReconcileAppliedByCommand(actionDeps));
    this.registerCommand(CommandId.suspend, createSuspendCommand(actionDeps));
    this.registerCommand(CommandId.resume, createResumeCommand(actionDeps));
    this.registerCommand(CommandId.selectContext, createSelectContextCommand({ clusters, repository }));
    const documents = this.own(new ReadOnlyDocuments());
    const diffDeps = { log, clusters, repository, documents };
    this.registerCommand(CommandId.diffWithCluster, createDiffWithClusterCommand(diffDeps));
    this.registerCommand(CommandId.fluxBuild, createFluxBuildCommand(diffDeps));
    void vscode.commands.executeCommand('setContext', 'fluxGitops.feature.cluster', true);
    this.registerCommand(CommandId.newApp, createNewAppCommand({ log, repository }));
    void vscode.commands.executeCommand('setContext', 'fluxGitops.feature.scaffold', true);
    // The first scan runs after activate() returns, so activation stays fast.
    const firstScan = setTimeout(() => void repository.rescan(), 0);
    this.own({ dispose: () => clearTimeout(firstScan) });
    await Promise.resolve();
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0).reverse()) {
      try {
        disposable.dispose();
      } catch (error) {
        console.error('Flux GitOps: dispose failed', error);
      }
    }
  }
}
