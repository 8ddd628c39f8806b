// The one store of cluster state: every watched Flux object of every connected cluster, with its
// derived status, and each cluster's connection health. Views subscribe and refresh only the rows
// whose keys an event lists.
import { Emitter, type Disposable } from '../events';
import { ClusterRef, FluxKind, refKey } from './kinds';
import { deriveStatus, FluxObject, ObjectStatus, unknownStatus } from './status';

export interface StoreEntry {
  key: string;
  ref: ClusterRef;
  /** apiVersion the object was read with. */
  apiVersion?: string;
  object: FluxObject;
  status: ObjectStatus;
}

export type ChangeType = 'added' | 'updated' | 'removed';

export interface StoreChange {
  key: string;
  ref: ClusterRef;
  type: ChangeType;
}

export interface StoreChangeEvent {
  changes: StoreChange[];
}

export type WatchState =
  | 'starting'
  | 'listing'
  | 'watching'
  | 'retrying'
  | 'forbidden'
  /** The server answered 401: the credentials are expired or invalid (retried, they may become valid). */
  | 'unauthorized'
  | 'not-served'
  | 'stopped';

/** How one kind's list+watch is doing. */
export interface KindHealth {
  kind: FluxKind;
  state: WatchState;
  version?: string;
  /** A deprecated API version is in use. */
  deprecated?: boolean;
  /** Namespace the watch is limited to (undefined: all namespaces). */
  namespace?: string;
  message?: string;
  /** Consecutive failures since the last successful list or watch. */
  failures?: number;
}

export type ConnectionState =
  | 'connecting'
  | 'connected'
  | 'degraded'
  | 'error'
  /** The server rejects the context's credentials (401): the user must renew them. */
  | 'credentials rejected'
  | 'disconnected';

/** A cluster connection's health, for the cluster node and the status bar. */
export interface ClusterHealth {
  cluster: string;
  context: string;
  state: ConnectionState;
  /** Why the state is degraded or error (shown once, not repeated). */
  message?: string;
  kinds: KindHealth[];
  /** The Flux version the cluster reports (see FluxApi.fluxVersion), once read. */
  fluxVersion?: string;
}

function sameObject(a: FluxObject, b: FluxObject): boolean {
  const ra = a.metadata.resourceVersion;
  const rb = b.metadata.resourceVersion;
  if (ra !== undefined && rb !== undefined) return ra === rb;
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface EntryFilter {
  cluster?: string;
  kind?: FluxKind;
  namespace?: string;
}

/** Flux objects by cluster + kind + namespace + name, with change events listing exactly the changed keys. */
export class StatusStore {
  private readonly entries = new Map<string, StoreEntry>();
  private readonly health = new Map<string, ClusterHealth>();
  private readonly changeEmitter = new Emitter<StoreChangeEvent>();
  private readonly healthEmitter = new Emitter<ClusterHealth>();
  private pending: StoreChange[] | undefined;

  /** Subscribes to object changes. */
  onDidChange(listener: (event: StoreChangeEvent) => void): Disposable {
    return this.changeEmitter.on(listener);
  }

  /** Subscribes to cluster health changes. */
  onDidChangeHealth(listener: (health: ClusterHealth) => void): Disposable {
    return this.healthEmitter.on(listener);
  }

  /** Runs `fn` and fires one event for all the changes it made. */
  batch(fn: () => void): void {
    if (this.pending) {
      fn();
      return;
    }
    this.pending = [];
    try {
      fn();
    } finally {
      const changes = this.pending;
      this.pending = undefined;
      this.emit(changes);
    }
  }

  private emit(changes: StoreChange[]): void {
    if (changes.length === 0) return;
    if (this.pending) {
      this.pending.push(...changes);
      return;
    }
    // A key changed twice in one batch is listed once, with its net change.
    const byKey = new Map<string, StoreChange>();
    for (const c of changes) {
      const previous = byKey.get(c.key);
      if (previous?.type === 'added' && c.type === 'updated') continue;
      if (previous?.type === 'added' && c.type === 'removed') {
        byKey.delete(c.key);
        continue;
      }
      if (previous?.type === 'removed' && c.type === 'added') {
        byKey.set(c.key, { ...c, type: 'updated' });
        continue;
      }
      byKey.set(c.key, c);
    }
    if (byKey.size > 0) this.changeEmitter.fire({ changes: [...byKey.values()] });
  }

  private upsertQuiet(
    cluster: string,
    kind: FluxKind,
    obj: FluxObject,
    apiVersion?: string,
  ): StoreChange | undefined {
    const ref: ClusterRef = {
      cluster,
      kind,
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name,
    };
    const key = refKey(ref);
    const previous = this.entries.get(key);
    if (previous && sameObject(previous.object, obj)) return undefined;
    const entry: StoreEntry = { key, ref, object: obj, status: deriveStatus(kind, obj) };
    const version = apiVersion ?? obj.apiVersion;
    if (version) entry.apiVersion = version;
    this.entries.set(key, entry);
    return { key, ref, type: previous ? 'updated' : 'added' };
  }

  /** Adds or replaces one object (a watch ADDED/MODIFIED event). */
  upsert(cluster: string, kind: FluxKind, obj: FluxObject, apiVersion?: string): void {
    const change = this.upsertQuiet(cluster, kind, obj, apiVersion);
    if (change) this.emit([change]);
  }

  /** Removes one object (a watch DELETED event). */
  remove(ref: ClusterRef): void {
    const key = refKey(ref);
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.emit([{ key, ref: entry.ref, type: 'removed' }]);
  }

  /**
   * Replaces every object of one kind in one cluster (a full list), limited to `namespace` when the
   * list was; fires one event with the objects added, changed and gone.
   */
  replaceKind(
    cluster: string,
    kind: FluxKind,
    objects: FluxObject[],
    namespace?: string,
    apiVersion?: string,
  ): void {
    const changes: StoreChange[] = [];
    const seen = new Set<string>();
    for (const obj of objects) {
      const change = this.upsertQuiet(cluster, kind, obj, apiVersion);
      seen.add(refKey({ cluster, kind, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name }));
      if (change) changes.push(change);
    }
    for (const [key, entry] of this.entries) {
      const r = entry.ref;
      if (r.cluster !== cluster || r.kind !== kind || seen.has(key)) continue;
      if (namespace !== undefined && r.namespace !== namespace) continue;
      this.entries.delete(key);
      changes.push({ key, ref: r, type: 'removed' });
    }
    this.emit(changes);
  }

  /** Forgets every object of a cluster, or of one kind of it (disconnect, CRD gone). */
  clear(cluster: string, kind?: FluxKind): void {
    const changes: StoreChange[] = [];
    for (const [key, entry] of this.entries) {
      if (entry.ref.cluster !== cluster || (kind !== undefined && entry.ref.kind !== kind)) continue;
      this.entries.delete(key);
      changes.push({ key, ref: entry.ref, type: 'removed' });
    }
    this.emit(changes);
  }

  get(ref: ClusterRef): StoreEntry | undefined {
    return this.entries.get(refKey(ref));
  }

  getByKey(key: string): StoreEntry | undefined {
    return this.entries.get(key);
  }

  /** The derived status; Unknown when the cluster does not have the object. */
  status(ref: ClusterRef): ObjectStatus {
    return this.entries.get(refKey(ref))?.status ?? unknownStatus();
  }

  /** Entries matching the filter, in no particular order. */
  list(filter: EntryFilter = {}): StoreEntry[] {
    const out: StoreEntry[] = [];
    for (const entry of this.entries.values()) {
      const r = entry.ref;
      if (filter.cluster !== undefined && r.cluster !== filter.cluster) continue;
      if (filter.kind !== undefined && r.kind !== filter.kind) continue;
      if (filter.namespace !== undefined && r.namespace !== filter.namespace) continue;
      out.push(entry);
    }
    return out;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Records a cluster's health; fires only when it changed. */
  setHealth(health: ClusterHealth): void {
    const previous = this.health.get(health.cluster);
    if (previous && JSON.stringify(previous) === JSON.stringify(health)) return;
    this.health.set(health.cluster, health);
    this.healthEmitter.fire(health);
  }

  getHealth(cluster: string): ClusterHealth | undefined {
    return this.health.get(cluster);
  }

  /** Forgets a cluster's health (it is no longer bound). */
  deleteHealth(cluster: string): void {
    const previous = this.health.get(cluster);
    if (!previous) return;
    this.health.delete(cluster);
    this.healthEmitter.fire({ ...previous, state: 'disconnected', kinds: [] });
  }

  dispose(): void {
    this.changeEmitter.clear();
    this.healthEmitter.clear();
  }
}
