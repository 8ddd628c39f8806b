// A `flux get all -A`-like view of one cluster: one table per kind in flux's order, the same columns
// and the same "waiting to be reconciled" for objects without a Ready condition.
import { FLUX_KIND_INFO, FLUX_KINDS_GET_ORDER, FluxKind } from './kinds';
import { ObjectStatus } from './status';

export interface TableRow {
  namespace: string;
  /** kind/name, lowercased kind, as `flux get` prints it. */
  name: string;
  revision: string;
  suspended: 'True' | 'False';
  ready: string;
  message: string;
}

export interface KindTable {
  kind: FluxKind;
  columns: string[];
  rows: TableRow[];
}

export interface TableSource {
  ref: { kind: FluxKind; namespace: string; name: string };
  status: ObjectStatus;
}

export interface TableOptions {
  /** Include the NAMESPACE column (as `-A`). Default true. */
  allNamespaces?: boolean;
  /** Keep kinds with no objects (flux leaves them out). Default false. */
  includeEmpty?: boolean;
}

/** Builds the tables `flux get all -A` would print for these objects. */
export function buildGetAllTables(items: Iterable<TableSource>, options: TableOptions = {}): KindTable[] {
  const allNamespaces = options.allNamespaces ?? true;
  const byKind = new Map<FluxKind, TableRow[]>();
  for (const item of items) {
    const rows = byKind.get(item.ref.kind) ?? [];
    byKind.set(item.ref.kind, rows);
    const s = item.status;
    rows.push({
      namespace: item.ref.namespace,
      name: `${FLUX_KIND_INFO[item.ref.kind].label}/${item.ref.name}`,
      revision: s.shortRevision ?? '',
      suspended: s.suspended ? 'True' : 'False',
      ready: s.state === 'Unknown' ? 'Unknown' : s.ready,
      message: s.message,
    });
  }
  const columns = [
    ...(allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    'REVISION',
    'SUSPENDED',
    'READY',
    'MESSAGE',
  ];
  const tables: KindTable[] = [];
  for (const kind of FLUX_KINDS_GET_ORDER) {
    const rows = byKind.get(kind) ?? [];
    if (rows.length === 0 && !options.includeEmpty) continue;
    rows.sort((a, b) =>
      a.namespace === b.namespace ? a.name.localeCompare(b.name) : a.namespace.localeCompare(b.namespace),
    );
    tables.push({ kind, columns, rows });
  }
  return tables;
}

/** The cells of a row in the table's column order. */
export function rowCells(table: KindTable, row: TableRow): string[] {
  const cells = [row.name, row.revision, row.suspended, row.ready, row.message];
  return table.columns[0] === 'NAMESPACE' ? [row.namespace, ...cells] : cells;
}

/** Renders the tables as aligned plain text, one blank line between tables. */
export function renderTables(tables: KindTable[]): string {
  return tables
    .map((table) => {
      const lines = [table.columns, ...table.rows.map((row) => rowCells(table, row))];
      const widths = table.columns.map((_, i) => Math.max(...lines.map((cells) => cells[i].length)));
      return lines
        .map((cells) =>
          cells
            .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
            .join('   ')
            .trimEnd(),
        )
        .join('\n');
    })
    .join('\n\n');
}
