import * as vscode from 'vscode';
import { refKey } from '../core/cluster';
import { LensIndex, type LensAction } from '../core/codelens/lenses';
import type { ClusterService } from '../platform/clusterService';
import { CommandId } from '../platform/commandIds';
import type { RepositoryService, RepositoryState } from '../platform/repositoryService';
import { readSetting, Setting, SETTINGS_SECTION } from '../platform/settings';

const COMMANDS: Record<LensAction, string> = {
  status: CommandId.revealInTree,
  connect: CommandId.selectContext,
  reconcile: CommandId.reconcile,
  reconcileWithSource: CommandId.reconcileWithSource,
  suspend: CommandId.suspend,
  resume: CommandId.resume,
  reveal: CommandId.revealInTree,
  diff: CommandId.diffWithCluster,
};

/** Status and action lenses above HelmReleases, Kustomizations and sources, live from the status store. */
export class FluxCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private index: LensIndex | undefined;
  private model: RepositoryState['model'] | undefined;
  private readonly subscriptions: { dispose(): void }[];

  constructor(
    private readonly repository: RepositoryService,
    private readonly clusters: ClusterService,
  ) {
    this.rebuild();
    this.subscriptions = [
      repository.store.subscribe((state) => {
        if (state.model === this.model) return; // a scan starting or ending alone
        this.rebuild();
        this.changed.fire();
      }),
      clusters.bindings.subscribe(() => this.changed.fire()),
      // Only a change to an object of an open editor redraws lenses.
      clusters.store.onDidChange((event) => {
        const visible = new Set<string>();
        for (const editor of vscode.window.visibleTextEditors) {
          for (const ref of this.index?.refsIn(editor.document.uri.fsPath) ?? []) visible.add(refKey(ref));
        }
        if (event.changes.some((change) => visible.has(change.key))) this.changed.fire();
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${SETTINGS_SECTION}.${Setting.codeLens}`)) this.changed.fire();
      }),
      vscode.languages.registerCodeLensProvider({ scheme: 'file', language: 'yaml' }, this),
    ];
  }

  private rebuild(): void {
    const model = (this.model = this.repository.store.value.model);
    this.index = model ? new LensIndex(model) : undefined;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.index || !readSetting<boolean>(Setting.codeLens, true, document.uri)) return [];
    const bindings = this.clusters.bindings.value;
    const store = this.clusters.store;
    const specs = this.index.lenses(document.uri.fsPath, {
      contextOf: (cluster) => {
        const binding = bindings.get(cluster);
        return binding?.kind === 'bound' ? binding.context : undefined;
      },
      statusOf: (ref) => store.get(ref)?.status,
      releaseOf: (ref) => {
        const history = store.get(ref)?.object.status?.history;
        const latest = Array.isArray(history)
          ? (history[0] as { chartName?: unknown; version?: unknown })
          : undefined;
        if (!latest) return undefined;
        return {
          chart: typeof latest.chartName === 'string' ? latest.chartName : undefined,
          revision: typeof latest.version === 'number' ? latest.version : undefined,
        };
      },
    });
    return specs
      .filter((spec) => spec.line < document.lineCount)
      .map((spec) => {
        const range = new vscode.Range(spec.line, 0, spec.line, 0);
        const args = spec.action === 'connect' ? [spec.ref.cluster] : [spec.ref];
        return new vscode.CodeLens(range, {
          title: spec.title,
          command: COMMANDS[spec.action],
          arguments: args,
        });
      });
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }
}
