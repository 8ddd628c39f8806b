import * as vscode from 'vscode';
import { refKey, type ClusterRef, type StatusState, type StatusStore } from '../core/cluster';
import type { Store } from '../core/store';
import { iconForKind } from '../core/tree/kinds';
import { buildRepoTree, type RepoNode } from '../core/tree/repoTree';
import { presentRollup, presentStatus, type StatusPresentation } from '../core/tree/statusPresentation';
import type { Bindings } from '../platform/clusterService';
import { CommandId } from '../platform/commandIds';
import type { RepositoryState } from '../platform/repositoryService';
import type { RepoModel } from '../core/repo/model';

/** The live side of the tree: the cluster status store and which context each cluster is bound to. */
export interface LiveStatus {
  store: StatusStore;
  bindings: Store<Bindings>;
}

/**
 * Renders the repository store as the Flux tree, with the live status of every Flux object of a
 * connected cluster. Nodes carry stable ids, so a refresh keeps expansion and selection; a status
 * change refreshes only the rows of the objects that changed (and the folders that roll them up).
 */
export class RepositoryTreeProvider implements vscode.TreeDataProvider<RepoNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RepoNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: RepoNode[] = [];
  private model: RepoModel | null = null;
  private readonly parents = new Map<string, RepoNode>();
  private readonly byId = new Map<string, RepoNode>();
  /** Nodes that stand for each cluster object (one object can show in several places). */
  private readonly byRef = new Map<string, RepoNode[]>();
  private readonly clusterOnly = new Map<string, RepoNode>();
  private readonly subscriptions: { dispose(): void }[] = [];

  constructor(
    store: Store<RepositoryState>,
    private readonly live?: LiveStatus,
  ) {
    this.rebuild(store.value);
    this.subscriptions.push(
      store.subscribe((state) => {
        // A scan starting or ending alone (same model) changes no row.
        if (state.model === this.model) return;
        // A model that shows the same (a re-encrypted secret saved, a scan of unchanged files)
        // keeps the rows VS Code has: re-rendering them all would lose a click landing meanwhile.
        const before = this.shown;
        this.rebuild(state);
        if (this.shown !== before) this.changed.fire(undefined);
      }),
    );
    if (live) {
      this.subscriptions.push(
        live.store.onDidChange((event) => this.refreshRefs(event.changes.map((change) => change.ref))),
        // Health shows on the cluster row only.
        live.store.onDidChangeHealth((health) => {
          const cluster = this.roots.find((root) => root.kind === 'cluster' && root.label === health.cluster);
          if (cluster) this.changed.fire(cluster);
        }),
        live.bindings.subscribe(() => this.changed.fire(undefined)),
      );
    }
  }

  /** What the rows show, as one string (see treeSignature). */
  private shown = '';

  private rebuild(state: RepositoryState): void {
    this.model = state.model;
    const roots = state.model ? buildRepoTree(state.model) : [];
    const shown = treeSignature(roots);
    // Nothing shown changed: VS Code keeps holding the rows it has, so the view keeps them too.
    if (shown === this.shown && this.roots.length > 0) return;
    this.shown = shown;
    this.roots = roots;
    this.parents.clear();
    this.byId.clear();
    this.byRef.clear();
    const index = (node: RepoNode, parent: RepoNode | undefined): void => {
      this.byId.set(node.id, node);
      if (parent) this.parents.set(node.id, parent);
      if (node.ref) {
        const key = refKey(node.ref);
        this.byRef.set(key, [...(this.byRef.get(key) ?? []), node]);
      }
      for (const child of node.children) index(child, node);
    };
    for (const root of this.roots) index(root, undefined);
  }

  /** Refreshes the rows of the changed objects and their ancestors; a new cluster-only object refreshes its cluster. */
  private refreshRefs(refs: ClusterRef[]): void {
    const dirty = new Map<string, RepoNode>();
    // Clusters that gained or lost a cluster-only object: their children change, whatever they look like.
    const regrown = new Set<string>();
    for (const ref of refs) {
      const nodes = this.byRef.get(refKey(ref));
      if (!nodes) {
        const cluster = this.roots.find((root) => root.kind === 'cluster' && root.label === ref.cluster);
        if (!cluster) continue;
        const shown = this.clusterOnly.get(`${cluster.id}|cluster-only|${refKey(ref)}`);
        if (shown && this.live?.store.get(ref)) {
          dirty.set(shown.id, shown);
        } else {
          dirty.set(cluster.id, cluster);
          regrown.add(cluster.id);
        }
        continue;
      }
      for (let node: RepoNode | undefined = nodes[0]; node; node = this.parents.get(node.id))
        dirty.set(node.id, node);
      for (const node of nodes.slice(1)) {
        for (let n: RepoNode | undefined = node; n; n = this.parents.get(n.id)) dirty.set(n.id, n);
      }
    }
    // Only rows whose look changed: a watch event often changes nothing shown (resourceVersion
    // only), and every refresh re-renders the row's whole subtree, under the user's pointer (a
    // click that lands during a refresh is lost). A cluster row is refreshed only when its
    // cluster-only children changed: refreshing it re-renders the whole cluster.
    for (const node of dirty.values()) {
      if (regrown.has(node.id) || this.lookChanged(node)) this.changed.fire(node);
    }
  }

  private readonly looks = new Map<string, string>();

  /** The live status a row shows (nothing for rows without a cluster object). */
  private statusFor(node: RepoNode): StatusPresentation | undefined {
    return node.ref ? this.statusOf(node) : node.kind === 'folder' ? this.rollup(node) : undefined;
  }

  /** What of a row depends on the cluster, as one comparable string. */
  private lookOf(node: RepoNode, status: StatusPresentation | undefined): string {
    const live = node.ref ? this.live?.store.get(node.ref) : undefined;
    return `${status?.icon}|${status?.description}|${status?.tooltip}|${live?.status.suspended}`;
  }

  /** Whether the status part of a row differs from what was last rendered. */
  private lookChanged(node: RepoNode): boolean {
    return this.looks.get(node.id) !== this.lookOf(node, this.statusFor(node));
  }

  /** The current top-level nodes (used by tests and by reveal). */
  get rootNodes(): readonly RepoNode[] {
    return this.roots;
  }

  /** The rows that stand for a cluster object (object rows first). */
  nodesForRef(ref: ClusterRef): RepoNode[] {
    const nodes = this.byRef.get(refKey(ref)) ?? [];
    return [...nodes].sort((a, b) => Number(b.kind === 'object') - Number(a.kind === 'object'));
  }

  findNode(id: string): RepoNode | undefined {
    return this.byId.get(id) ?? this.clusterOnly.get(id);
  }

  /** The live status of a node's object, when its cluster is connected. */
  statusOf(node: RepoNode): StatusPresentation | undefined {
    if (!this.live || !node.ref) return undefined;
    const binding = this.live.bindings.value.get(node.ref.cluster);
    if (binding?.kind !== 'bound') return undefined;
    const title = `${node.ref.kind} ${node.ref.namespace}/${node.ref.name}`;
    return presentStatus(this.live.store.status(node.ref), title, binding.context);
  }

  private rollup(node: RepoNode): StatusPresentation | undefined {
    const states: StatusState[] = [];
    const visit = (n: RepoNode): void => {
      const status = n.ref ? this.statusOf(n) : undefined;
      if (status) states.push(status.state);
      for (const child of n.children) visit(child);
    };
    for (const child of node.children) visit(child);
    return presentRollup(states);
  }

  getChildren(element?: RepoNode): RepoNode[] {
    if (!element) return this.roots;
    if (element.kind === 'cluster') {
      const extra = this.clusterOnlyNode(element);
      return extra ? [...element.children, extra] : element.children;
    }
    return element.children;
  }

  /** "In cluster only": Flux objects the connected cluster has that no file of the repository defines. */
  private clusterOnlyNode(cluster: RepoNode): RepoNode | undefined {
    if (!this.live) return undefined;
    const binding = this.live.bindings.value.get(cluster.label);
    if (binding?.kind !== 'bound') return undefined;
    const entries = this.live.store
      .list({ cluster: cluster.label })
      .filter((entry) => !this.byRef.has(entry.key))
      .sort((a, b) =>
        `${a.ref.kind}/${a.ref.namespace}/${a.ref.name}`.localeCompare(
          `${b.ref.kind}/${b.ref.namespace}/${b.ref.name}`,
        ),
      );
    if (entries.length === 0) return undefined;
    const id = `${cluster.id}|cluster-only`;
    const node: RepoNode = {
      id,
      kind: 'orphans',
      label: 'In cluster, not in repository',
      description: `${entries.length} Flux object${entries.length === 1 ? '' : 's'}`,
      tooltip:
        'Flux objects the cluster has that no file of this repository defines (created by hand, another repository, or a removed file Flux did not prune).',
      icon: 'cloud',
      tags: ['cluster-only'],
      children: entries.map((entry) => ({
        id: `${id}|${entry.key}`,
        kind: 'object',
        label: `${entry.ref.kind} ${entry.ref.name}`,
        description: entry.ref.namespace,
        tooltip: `${entry.ref.kind} ${entry.ref.namespace}/${entry.ref.name}`,
        icon: iconForKind(entry.ref.kind),
        tags: ['flux', 'cluster-only', entry.ref.kind.toLowerCase()],
        ref: entry.ref,
        children: [],
      })),
    };
    this.clusterOnly.clear();
    this.clusterOnly.set(node.id, node);
    for (const child of node.children) {
      this.clusterOnly.set(child.id, child);
      this.parents.set(child.id, node);
    }
    this.parents.set(node.id, cluster);
    return node;
  }

  getParent(element: RepoNode): RepoNode | undefined {
    return this.parents.get(element.id);
  }

  getTreeItem(node: RepoNode): vscode.TreeItem {
    const collapsible =
      node.children.length === 0 && node.kind !== 'cluster'
        ? vscode.TreeItemCollapsibleState.None
        : node.kind === 'cluster' || node.kind === 'kustomization'
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, collapsible);
    item.id = node.id;
    const warning = node.tags.includes('sops-plaintext') || node.kind === 'orphans';
    let icon = new vscode.ThemeIcon(
      node.icon,
      warning ? new vscode.ThemeColor('list.warningForeground') : undefined,
    );
    let description = node.description;
    let tooltip = node.tooltip.split('\n').join('  \n');
    const contextWords = [node.kind, ...node.tags];

    const status = this.statusFor(node);
    this.looks.set(node.id, this.lookOf(node, status));
    if (status) {
      icon = new vscode.ThemeIcon(status.icon, new vscode.ThemeColor(status.color));
      description = [status.description, description].filter(Boolean).join(' · ') || undefined;
      tooltip = `${status.tooltip}\n\n---\n\n${tooltip}`;
    }
    if (node.ref) {
      contextWords.push('fluxref');
      const live = this.live?.store.get(node.ref);
      if (live) contextWords.push(live.status.suspended ? 'live-suspended' : 'live-active');
    }
    if (node.kind === 'cluster') {
      const health = this.live?.store.getHealth(node.label);
      const binding = this.live?.bindings.value.get(node.label);
      if (binding?.kind === 'bound') {
        description = [`${binding.context}${health ? ` · ${health.state}` : ''}`, description].join(' · ');
        tooltip += `  \ncontext: ${binding.context} (${binding.via === 'setting' ? 'from the fluxGitops.clusterContexts setting' : 'the current context'})`;
        if (health?.message) tooltip += `  \n${health.message}`;
        // Listing all namespaces was forbidden: say what this context can see.
        const limited = [...new Set(health?.kinds.map((k) => k.namespace).filter(Boolean))];
        if (limited.length > 0) {
          tooltip += `  \nwatching only namespace ${limited.join(', ')}: this context may not list all namespaces`;
          description += ` · ns ${limited.join(', ')} only`;
        }
        icon = new vscode.ThemeIcon(
          'server-environment',
          new vscode.ThemeColor(
            health?.state === 'connected'
              ? 'testing.iconPassed'
              : health?.state === 'error' || health?.state === 'credentials rejected'
                ? 'testing.iconFailed'
                : 'list.warningForeground',
          ),
        );
        contextWords.push('connected');
      } else if (binding) {
        tooltip += `  \nnot connected: ${binding.message}`;
        contextWords.push('disconnected');
      }
    }
    item.iconPath = icon;
    item.description = description;
    item.tooltip = new vscode.MarkdownString(tooltip);
    item.contextValue = contextWords.join(' ');
    if (node.location) {
      item.resourceUri = node.kind === 'file' ? vscode.Uri.file(node.location.file) : undefined;
      // No arguments: the command opens the selected row (see createOpenObjectCommand).
      item.command = { command: CommandId.openObject, title: 'Open Manifest' };
    }
    return item;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }
}

/** Everything a row shows or acts on, for the whole tree: equal strings, equal trees. */
function treeSignature(nodes: readonly RepoNode[]): string {
  const parts: string[] = [];
  const visit = (n: RepoNode): void => {
    parts.push(
      [
        n.id,
        n.label,
        n.description ?? '',
        n.tooltip,
        n.icon,
        n.location ? `${n.location.file}:${n.location.line}` : '',
        n.tags.join(' '),
        n.ref ? `${n.ref.cluster}/${n.ref.kind}/${n.ref.namespace}/${n.ref.name}` : '',
        n.children.length,
      ].join('\u0000'),
    );
    for (const child of n.children) visit(child);
  };
  for (const node of nodes) visit(node);
  return parts.join('\u0001');
}
