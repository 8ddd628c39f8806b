import * as vscode from 'vscode';
import type { Store } from '../core/store';
import { buildRepoTree, type RepoNode } from '../core/tree/repoTree';
import type { RepositoryState } from '../platform/repositoryService';
import { CommandId } from '../platform/commandIds';

/** Renders the repository store as the Flux tree. Nodes carry stable ids, so a refresh keeps expansion and selection. */
export class RepositoryTreeProvider implements vscode.TreeDataProvider<RepoNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RepoNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: RepoNode[] = [];
  private readonly parents = new Map<string, RepoNode>();
  private readonly byId = new Map<string, RepoNode>();
  private readonly subscription: { dispose(): void };

  constructor(store: Store<RepositoryState>) {
    this.rebuild(store.value);
    this.subscription = store.subscribe((state) => {
      this.rebuild(state);
      this.changed.fire(undefined);
    });
  }

  private rebuild(state: RepositoryState): void {
    this.roots = state.model ? buildRepoTree(state.model) : [];
    this.parents.clear();
    this.byId.clear();
    const index = (node: RepoNode, parent: RepoNode | undefined): void => {
      this.byId.set(node.id, node);
      if (parent) this.parents.set(node.id, parent);
      for (const child of node.children) index(child, node);
    };
    for (const root of this.roots) index(root, undefined);
  }

  /** The current top-level nodes (used by tests and by reveal). */
  get rootNodes(): readonly RepoNode[] {
    return this.roots;
  }

  findNode(id: string): RepoNode | undefined {
    return this.byId.get(id);
  }

  getChildren(element?: RepoNode): RepoNode[] {
    return element ? element.children : this.roots;
  }

  getParent(element: RepoNode): RepoNode | undefined {
    return this.parents.get(element.id);
  }

  getTreeItem(node: RepoNode): vscode.TreeItem {
    const collapsible =
      node.children.length === 0
        ? vscode.TreeItemCollapsibleState.None
        : node.kind === 'cluster' || node.kind === 'kustomization'
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, collapsible);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = new vscode.MarkdownString(node.tooltip.split('\n').join('  \n'));
    const warning = node.tags.includes('sops-plaintext') || node.kind === 'orphans';
    item.iconPath = new vscode.ThemeIcon(
      node.icon,
      warning ? new vscode.ThemeColor('list.warningForeground') : undefined,
    );
    item.contextValue = [node.kind, ...node.tags].join(' ');
    if (node.location) {
      item.resourceUri = node.kind === 'file' ? vscode.Uri.file(node.location.file) : undefined;
      item.command = {
        command: CommandId.openObject,
        title: 'Open Manifest',
        arguments: [node.location.file, node.location.line],
      };
    }
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
