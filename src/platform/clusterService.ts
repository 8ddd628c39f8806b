import * as path from 'path';
import * as vscode from 'vscode';
import {
  ConnectionManager,
  kubeconfigFiles,
  loadKubeconfig,
  watchKubeconfigFiles,
  readBootstrapOfContext,
  resolveBinding,
  StatusStore,
  type BindingResult,
  type ClusterConnection,
  type LoadedKubeconfig,
} from '../core/cluster';
import { checkoutOf, type Checkout, type Cluster } from '../core/repo/model';
import { Store } from '../core/store';
import { describeError, type Log } from './log';
import type { RepositoryService } from './repositoryService';
import { readSetting, Setting, SETTINGS_SECTION } from './settings';

/** Which context each repository cluster is bound to, or why it is not. */
export type Bindings = ReadonlyMap<string, BindingResult>;

/**
 * Connects every cluster of the repository to its kubeconfig context and keeps one list+watch
 * per Flux kind running (in the core's ConnectionManager), all feeding one status store.
 * Nothing connects in an untrusted workspace: a kubeconfig's exec plugin is a binary.
 */
export class ClusterService implements vscode.Disposable {
  readonly store = new StatusStore();
  readonly bindings = new Store<Bindings>(new Map());
  private readonly manager: ConnectionManager;
  private readonly disposables: vscode.Disposable[] = [];
  private clusterSignature = '';
  private syncing: Promise<void> = Promise.resolve();
  private kubeconfig: LoadedKubeconfig | undefined;
  /** Follows the kubeconfig files: an edit (context switched, server or credentials changed) syncs again. */
  private kubeconfigWatch: { files: string; dispose(): void } | undefined;

  constructor(
    private readonly log: Log,
    private readonly repository: RepositoryService,
  ) {
    this.manager = new ConnectionManager(this.store, (message) => log.info(`cluster: ${message}`));
    const subscription = repository.store.subscribe((state) => {
      const signature = JSON.stringify((state.model?.clusters ?? []).map((c) => [c.name, c.folder]));
      if (signature !== this.clusterSignature) {
        this.clusterSignature = signature;
        void this.sync();
      }
    });
    // Each connected cluster's own Flux version judges its files (schemas, migrations) and is
    // shown on its row; a cluster that disconnects falls back to what the repository declares.
    const reported = new Map<string, string>();
    const health = this.store.onDidChangeHealth(({ cluster, state, fluxVersion }) => {
      if (state !== 'disconnected' && fluxVersion) reported.set(cluster, fluxVersion);
      else reported.delete(cluster);
      void repository.setReportedFluxVersions(Object.fromEntries(reported));
    });
    this.disposables.push(
      { dispose: () => subscription.dispose() },
      { dispose: () => health.dispose() },
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (
          event.affectsConfiguration(`${SETTINGS_SECTION}.${Setting.kubeconfig}`) ||
          event.affectsConfiguration(`${SETTINGS_SECTION}.${Setting.clusterContexts}`)
        ) {
          void this.sync();
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.sync()),
    );
  }

  private readonly lastLogged = new Map<string, string>();

  /** Logs a state message when it differs from the last one for `topic` (syncs repeat, logs should not). */
  private logOnce(topic: string, message: string): void {
    if (this.lastLogged.get(topic) === message) return;
    this.lastLogged.set(topic, message);
    this.log.info(message);
  }

  /** The contexts the kubeconfig offers, and the current one (as last loaded). */
  get contexts(): { names: readonly string[]; current: string | undefined } {
    return { names: this.kubeconfig?.contexts ?? [], current: this.kubeconfig?.currentContext };
  }

  connection(cluster: string): ClusterConnection | undefined {
    return this.manager.get(cluster);
  }

  get connections(): ClusterConnection[] {
    return this.manager.all();
  }

  /** Re-reads the kubeconfig and binds, connects or disconnects every cluster. Runs one at a time. */
  sync(): Promise<void> {
    this.syncing = this.syncing
      .then(() => this.syncNow())
      .catch((error) => this.log.error(`cluster sync failed: ${describeError(error)}`));
    return this.syncing;
  }

  private async syncNow(): Promise<void> {
    const model = this.repository.store.value.model;
    const clusters = model?.clusters ?? [];
    const bindings = new Map<string, BindingResult>();
    if (!vscode.workspace.isTrusted) {
      for (const cluster of clusters) {
        bindings.set(cluster.name, {
          kind: 'unbound',
          reason: 'no-current-context',
          message: 'the workspace is not trusted',
        });
      }
      await this.disconnectAllBut(new Set());
      this.setBindings(bindings);
      return;
    }
    const source = { path: readSetting<string>(Setting.kubeconfig, '') };
    this.followKubeconfig(kubeconfigFiles(source));
    const loaded = await loadKubeconfig(source);
    if (loaded.kind !== 'loaded') {
      this.kubeconfig = undefined;
      for (const cluster of clusters)
        bindings.set(cluster.name, {
          kind: 'unbound',
          reason: 'no-current-context',
          message: loaded.message,
        });
      this.logOnce('kubeconfig', `kubeconfig: ${loaded.message}`);
      await this.disconnectAllBut(new Set());
      this.setBindings(bindings);
      return;
    }
    this.kubeconfig = loaded;
    const mapping = readSetting<Record<string, string>>(Setting.clusterContexts, {});
    let bootstrap: Awaited<ReturnType<typeof readBootstrapOfContext>> | undefined;
    const needsBootstrap = clusters.some((c) => !mapping[c.name]) && loaded.currentContext;
    if (needsBootstrap && loaded.currentContext) {
      bootstrap = await readBootstrapOfContext(loaded.kubeConfig, loaded.currentContext).catch((error) => {
        this.log.info(
          `could not read the Flux bootstrap of ${loaded.currentContext}: ${describeError(error)}`,
        );
        return undefined;
      });
    }
    const keep = new Set<string>();
    for (const cluster of clusters) {
      const binding = resolveBinding({
        cluster: cluster.name,
        clusterPath: clusterPath(cluster, model ? checkoutOf(model, cluster.folder) : undefined),
        mapping,
        contexts: loaded.contexts,
        currentContext: loaded.currentContext,
        remotes: (model && checkoutOf(model, cluster.folder)?.remotes) ?? [],
        bootstrap,
      });
      bindings.set(cluster.name, binding);
      if (binding.kind === 'bound') {
        keep.add(cluster.name);
        try {
          await this.manager.connect(cluster.name, binding.context, loaded.kubeConfig);
          this.logOnce(
            cluster.name,
            `cluster ${cluster.name}: watching context ${binding.context} (${binding.via})`,
          );
        } catch (error) {
          bindings.set(cluster.name, {
            kind: 'unbound',
            reason: 'no-current-context',
            message: describeError(error),
          });
          keep.delete(cluster.name);
        }
      } else {
        this.logOnce(cluster.name, `cluster ${cluster.name}: not connected: ${binding.message}`);
      }
    }
    await this.disconnectAllBut(keep);
    this.setBindings(bindings);
  }

  /** Watches the kubeconfig files this sync read (again only when the list changed). */
  private followKubeconfig(files: string[]): void {
    const key = JSON.stringify(files);
    if (this.kubeconfigWatch?.files === key) return;
    this.kubeconfigWatch?.dispose();
    this.kubeconfigWatch = {
      files: key,
      ...watchKubeconfigFiles(files, () => {
        this.log.info('kubeconfig changed: connecting again where it matters');
        void this.sync();
      }),
    };
  }

  /**
   * Publishes the bindings only when they changed: every scan syncs, and each publication
   * re-renders the whole tree (a click that lands during a re-render is lost).
   */
  private setBindings(bindings: Map<string, BindingResult>): void {
    const signature = (b: ReadonlyMap<string, BindingResult>): string => JSON.stringify([...b]);
    if (signature(bindings) !== signature(this.bindings.value)) this.bindings.set(bindings);
  }

  private async disconnectAllBut(keep: Set<string>): Promise<void> {
    for (const connection of this.manager.all()) {
      if (!keep.has(connection.cluster)) await this.manager.disconnect(connection.cluster);
    }
  }

  /** Binds a repository cluster to a context in the workspace settings (empty: automatic), then reconnects. */
  async bindContext(cluster: string, context: string | undefined): Promise<void> {
    const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const mapping = { ...configuration.get<Record<string, string>>(Setting.clusterContexts, {}) };
    if (context) mapping[cluster] = context;
    else delete mapping[cluster];
    await configuration.update(Setting.clusterContexts, mapping, vscode.ConfigurationTarget.Workspace);
    await this.sync();
  }

  dispose(): void {
    this.kubeconfigWatch?.dispose();
    this.kubeconfigWatch = undefined;
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    void this.manager.dispose();
  }
}

/** The cluster's folder relative to its repository (as Flux's spec.path), e.g. clusters/superbloom. */
function clusterPath(cluster: Cluster, checkout: Checkout | undefined): string {
  const root =
    checkout?.folder ?? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(cluster.folder))?.uri.fsPath;
  return root ? path.relative(root, cluster.folder).split(path.sep).join('/') : cluster.folder;
}
