import * as vscode from 'vscode';
import { buildGetAllTables, type ClusterRef } from '../core/cluster';
import type { ClusterService } from '../platform/clusterService';

interface StatusNode {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  icon?: vscode.ThemeIcon;
  ref?: ClusterRef;
  children: StatusNode[];
}

const READY_ICONS: Record<string, vscode.ThemeIcon> = {
  True: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  False: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  Unknown: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
};

/** Like `flux get all -A` for every connected cluster: sources, Kustomizations, HelmReleases. */
export class ClusterStatusView implements vscode.TreeDataProvider<StatusNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<StatusNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: { dispose(): void }[];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly clusters: ClusterService) {
    // Bursts of watch events (a relist) redraw once.
    const refresh = (): void => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.changed.fire(undefined), 100);
    };
    this.subscriptions = [
      clusters.store.onDidChange(refresh),
      clusters.store.onDidChangeHealth(refresh),
      clusters.bindings.subscribe(refresh),
    ];
  }

  /** The rows as `flux get all -A` columns, per cluster and kind (for tests and the tree). */
  tables(): { cluster: string; context: string; tables: ReturnType<typeof buildGetAllTables> }[] {
    return this.clusters.connections.map((connection) => ({
      cluster: connection.cluster,
      context: connection.context,
      tables: buildGetAllTables(this.clusters.store.list({ cluster: connection.cluster })),
    }));
  }

  getChildren(element?: StatusNode): StatusNode[] {
    if (element) return element.children;
    return this.tables().map(({ cluster, context, tables }) => {
      const health = this.clusters.store.getHealth(cluster);
      return {
        id: `status:${cluster}`,
        label: cluster,
        description: `${context} · ${health?.state ?? 'connecting'}`,
        tooltip: health?.message,
        icon: new vscode.ThemeIcon('server-environment'),
        children: tables.map((table) => ({
          id: `status:${cluster}:${table.kind}`,
          label: table.kind,
          description: `${table.rows.length}`,
          children: table.rows.map((row) => {
            const [, name] = row.name.split('/');
            return {
              id: `status:${cluster}:${table.kind}:${row.namespace}/${name}`,
              label: row.name,
              description: [
                row.namespace,
                row.revision,
                row.suspended === 'True' ? 'suspended' : undefined,
                row.message,
              ]
                .filter(Boolean)
                .join(' · '),
              tooltip: `${row.namespace}/${row.name}\nrevision: ${row.revision}\nsuspended: ${row.suspended}\nready: ${row.ready}\n${row.message}`,
              icon:
                row.suspended === 'True'
                  ? new vscode.ThemeIcon('debug-pause')
                  : (READY_ICONS[row.ready] ?? READY_ICONS.Unknown),
              ref: { cluster, kind: table.kind, namespace: row.namespace, name },
              children: [],
            };
          }),
        })),
      };
    });
  }

  getTreeItem(node: StatusNode): vscode.TreeItem {
    // Clusters and kinds are always expandable: a cluster's rows arrive after its first list.
    const item = new vscode.TreeItem(
      node.label,
      node.ref ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Expanded,
    );
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.iconPath = node.icon;
    if (node.ref) {
      const live = this.clusters.store.get(node.ref);
      item.contextValue = [
        'fluxref',
        'status-row',
        node.ref.kind.toLowerCase(),
        live?.status.suspended ? 'live-suspended' : 'live-active',
      ].join(' ');
    }
    return item;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }
}
