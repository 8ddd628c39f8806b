import * as vscode from 'vscode';
import type { ClusterService } from '../platform/clusterService';
import type { RepositoryService } from '../platform/repositoryService';

const AUTOMATIC = '$(sync) Automatic: the current context, when it syncs this repository';

/** Binds a repository cluster to a kubeconfig context (workspace setting). Arguments make it non-interactive. */
export function createSelectContextCommand(deps: {
  clusters: ClusterService;
  repository: RepositoryService;
}): (cluster?: string, context?: string) => Promise<string | undefined> {
  return async (clusterArg, contextArg) => {
    const clusters = deps.repository.store.value.model?.clusters.map((c) => c.name) ?? [];
    if (clusters.length === 0) {
      void vscode.window.showWarningMessage('Flux GitOps: no cluster found in this workspace.');
      return undefined;
    }
    const cluster =
      typeof clusterArg === 'string' && clusters.includes(clusterArg)
        ? clusterArg
        : clusters.length === 1
          ? clusters[0]
          : await vscode.window.showQuickPick(clusters, { placeHolder: 'Which cluster of the repository?' });
    if (!cluster) return undefined;
    if (typeof contextArg === 'string') {
      await deps.clusters.bindContext(cluster, contextArg || undefined);
      return contextArg;
    }
    await deps.clusters.sync();
    const { names, current } = deps.clusters.contexts;
    if (names.length === 0) {
      void vscode.window.showWarningMessage(
        'Flux GitOps: the kubeconfig has no contexts (set fluxGitops.kubeconfig, KUBECONFIG, or create ~/.kube/config).',
      );
      return undefined;
    }
    const bound = deps.clusters.bindings.value.get(cluster);
    const picked = await vscode.window.showQuickPick(
      [
        { label: AUTOMATIC, context: '' },
        ...names.map((name) => ({
          label: name,
          description: [
            name === current ? 'current context' : undefined,
            bound?.kind === 'bound' && bound.context === name ? 'bound' : undefined,
          ]
            .filter(Boolean)
            .join(' · '),
          context: name,
        })),
      ],
      { placeHolder: `Kubeconfig context for cluster ${cluster}` },
    );
    if (!picked) return undefined;
    await deps.clusters.bindContext(cluster, picked.context || undefined);
    return picked.context;
  };
}
