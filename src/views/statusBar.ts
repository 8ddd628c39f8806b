import * as path from 'path';
import * as vscode from 'vscode';
import type { ClusterService } from '../platform/clusterService';
import { CommandId } from '../platform/commandIds';
import type { RepositoryService } from '../platform/repositoryService';

const STATE_ICONS: Record<string, string> = {
  connected: '$(pass-filled)',
  connecting: '$(sync~spin)',
  degraded: '$(warning)',
  error: '$(error)',
  'credentials rejected': '$(key)',
  disconnected: '$(debug-disconnect)',
};

/** The active cluster's context and health: the cluster of the active editor's file, else the first one. */
export function createClusterStatusBar(
  clusters: ClusterService,
  repository: RepositoryService,
): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('fluxGitops.cluster', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Flux cluster';
  item.command = CommandId.selectContext;
  const render = (): void => {
    const model = repository.store.value.model;
    if (!model || model.clusters.length === 0) {
      item.hide();
      return;
    }
    const file = vscode.window.activeTextEditor?.document.uri.fsPath;
    const ofFile = (f: string) =>
      model.clusters.find((c) => f.startsWith(c.folder + path.sep)) ??
      model.clusters.find((c) =>
        model.objects.some(
          (o) => o.file === f && o.appliedBy.some((k) => model.kustomizations.get(k)?.cluster === c.name),
        ),
      );
    const cluster = (file ? ofFile(file) : undefined) ?? model.clusters[0];
    const binding = clusters.bindings.value.get(cluster.name);
    if (binding?.kind !== 'bound') {
      item.text = `$(debug-disconnect) ${cluster.name}`;
      item.tooltip = `Flux cluster ${cluster.name}: not connected${binding ? ` (${binding.message})` : ''}. Click to pick a kubeconfig context.`;
      item.backgroundColor = undefined;
    } else {
      const health = clusters.store.getHealth(cluster.name);
      const state = health?.state ?? 'connecting';
      item.text = `${STATE_ICONS[state] ?? ''} ${cluster.name}: ${binding.context}`;
      item.tooltip = `Flux cluster ${cluster.name} → context ${binding.context}: ${state}${health?.message ? ` (${health.message})` : ''}. Click to change.`;
      item.backgroundColor =
        state === 'error' || state === 'credentials rejected'
          ? new vscode.ThemeColor('statusBarItem.errorBackground')
          : undefined;
    }
    item.show();
  };
  render();
  const subscriptions = [
    repository.store.subscribe(render),
    clusters.bindings.subscribe(render),
    clusters.store.onDidChangeHealth(render),
  ];
  return vscode.Disposable.from(item, vscode.window.onDidChangeActiveTextEditor(render), {
    dispose: () => subscriptions.forEach((s) => s.dispose()),
  });
}
