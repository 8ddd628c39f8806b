import * as vscode from 'vscode';
import type { ClusterRef } from '../core/cluster';
import type { RepoNode } from '../core/tree/repoTree';
import type { RepositoryTreeProvider } from '../views/repositoryTree';

/** Selects a cluster object's row in the Flux view (from a CodeLens). */
export function createRevealInTreeCommand(deps: {
  tree: RepositoryTreeProvider;
  view: vscode.TreeView<RepoNode>;
}): (ref?: ClusterRef) => Promise<boolean> {
  return async (ref) => {
    const node = ref ? deps.tree.nodesForRef(ref)[0] : undefined;
    if (!node) {
      void vscode.window.showWarningMessage('Flux GitOps: that object is not in the Flux view.');
      return false;
    }
    await deps.view.reveal(node, { select: true, focus: true, expand: true });
    return true;
  };
}
