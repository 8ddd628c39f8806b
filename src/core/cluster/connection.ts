// A connection to one cluster of the repository through one kubeconfig context: discovery, then one
// KindWatcher per served Flux kind, all feeding the shared status store. The manager keeps one
// connection per repository cluster; several can be connected at once.
import type * as K8s from '@kubernetes/client-node';
import { createFluxApi, describeApiError, FluxApi, FluxApiError } from './api';
import { sleepUnlessAborted, Backoff, BackoffOptions } from './backoff';
import { FluxBootstrapInfo } from './binding';
import { FLUX_KINDS, FluxKind, ServedVersion } from './kinds';
import { contextIdentity, contextNamespace, kubeConfigForContext } from './kubeconfig';
import { ClusterHealth, KindHealth, StatusStore } from './store';
import { KindWatcher } from './watch';

export interface ConnectionOptions {
  /** The repository's cluster name; the store key's first part. */
  cluster: string;
  context: string;
  /** The merged kubeconfig; a copy on `context` is made, this one is left alone. */
  kubeConfig: K8s.KubeConfig;
  store: StatusStore;
  /** Kinds to watch (default all seven). */
  kinds?: readonly FluxKind[];
  /** Watch only this namespace. Default: all, falling back to the context's namespace when forbidden. */
  namespace?: string;
  /** Fall back to the context's namespace when listing all namespaces is forbidden. Default true. */
  namespaceFallback?: boolean;
  backoff?: BackoffOptions;
  /** Range of the server-side watch timeout, seconds (see KindWatcherOptions). */
  watchTimeoutSeconds?: [number, number];
  log?: (message: string) => void;
  /** For tests: built from the context's KubeConfig otherwise. */
  api?: FluxApi;
}

/** Sums the kinds' health into the cluster's. */
export function summariseHealth(
  cluster: string,
  context: string,
  kinds: KindHealth[],
  message?: string,
  unauthorized = false,
): ClusterHealth {
  const active = kinds.filter((k) => k.state !== 'not-served');
  let state: ClusterHealth['state'];
  let why = message;
  const rejected = active.find((k) => k.state === 'unauthorized');
  if (kinds.length > 0 && kinds.every((k) => k.state === 'stopped')) state = 'disconnected';
  // Credentials the server rejects come first: nothing else can work until they are renewed.
  else if (kinds.length === 0 && unauthorized) state = 'credentials rejected';
  else if (kinds.length === 0) state = message ? 'error' : 'connecting';
  else if (rejected) {
    state = 'credentials rejected';
    why ??= rejected.message;
  } else if (active.length === 0) {
    state = 'error';
    why ??= 'the Flux CRDs are not installed';
  } else if (active.every((k) => k.state === 'watching')) state = 'connected';
  else if (active.every((k) => k.state === 'starting' || k.state === 'listing')) state = 'connecting';
  else if (active.every((k) => k.state === 'forbidden' || k.state === 'retrying')) {
    state = 'error';
    why ??= active.find((k) => k.message)?.message;
  } else if (active.some((k) => k.state === 'forbidden' || k.state === 'retrying')) {
    state = 'degraded';
    why ??= active.find((k) => k.state === 'forbidden' || k.state === 'retrying')?.message;
  } else state = 'connecting';
  const health: ClusterHealth = { cluster, context, state, kinds };
  if (why) health.message = why;
  return health;
}

/** One cluster, watched through one context, until stop(). */
export class ClusterConnection {
  private readonly controller = new AbortController();
  private readonly watchers = new Map<FluxKind, KindWatcher>();
  private running: Promise<void> | undefined;
  private served: ServedVersion[] = [];
  private failure: string | undefined;
  private failureUnauthorized = false;
  private reportedFluxVersion: string | undefined;

  private constructor(
    private readonly options: ConnectionOptions,
    readonly api: FluxApi,
    readonly kubeConfig: K8s.KubeConfig,
  ) {}

  /** Builds the connection (a private KubeConfig on the context) without starting it. */
  static async create(options: ConnectionOptions): Promise<ClusterConnection> {
    const kc = await kubeConfigForContext(options.kubeConfig, options.context);
    const api = options.api ?? (await createFluxApi(kc));
    return new ClusterConnection(options, api, kc);
  }

  get cluster(): string {
    return this.options.cluster;
  }

  get context(): string {
    return this.options.context;
  }

  /** The kubeconfig entries this connection was made from (see contextIdentity). */
  get identity(): string {
    return contextIdentity(this.kubeConfig, this.options.context);
  }

  /** Served versions found by discovery (empty until then). */
  get servedVersions(): readonly ServedVersion[] {
    return this.served;
  }

  get health(): ClusterHealth {
    const health = summariseHealth(
      this.options.cluster,
      this.options.context,
      [...this.watchers.values()].map((w) => w.health),
      this.failure,
      this.failureUnauthorized,
    );
    if (this.reportedFluxVersion) health.fluxVersion = this.reportedFluxVersion;
    return health;
  }

  /** The Flux version the cluster reports, once discovery has read it. */
  get fluxVersion(): string | undefined {
    return this.reportedFluxVersion;
  }

  /** Starts discovery and the watches; resolves once discovery is done or stop() was called. */
  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  /** Stops every watch and waits until they have ended. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
    await Promise.all([...this.watchers.values()].map((w) => w.stop()));
    this.publish();
  }

  /** Reads GitRepository and Kustomization flux-system/flux-system, for the binding. */
  async readBootstrap(namespace = 'flux-system', name = 'flux-system'): Promise<FluxBootstrapInfo> {
    return readBootstrap(this.api, namespace, name);
  }

  private publish(): void {
    this.options.store.setHealth(this.health);
  }

  private async run(): Promise<void> {
    const { store, cluster, log } = this.options;
    const backoff = new Backoff(this.options.backoff ?? { initialMs: 1000, maxMs: 60_000 });
    this.publish();
    let lastMessage = '';
    while (!this.controller.signal.aborted) {
      try {
        const served = await this.api.discover();
        const wanted = new Set(this.options.kinds ?? FLUX_KINDS);
        this.served = served.filter((s) => wanted.has(s.kind));
        if (this.served.length === 0)
          throw new FluxApiError({ kind: 'not-found', message: 'the Flux CRDs are not installed' });
        break;
      } catch (err) {
        const info = err instanceof FluxApiError ? err.info : describeApiError(err);
        this.failure = `${info.message}`;
        this.failureUnauthorized = info.kind === 'unauthorized';
        if (info.message !== lastMessage) log?.(`${cluster}: discovery failed: ${info.message}`);
        lastMessage = info.message;
        this.publish();
        await sleepUnlessAborted(backoff.next(), this.controller.signal);
      }
    }
    if (this.controller.signal.aborted) return;
    this.failure = undefined;
    this.failureUnauthorized = false;
    this.reportedFluxVersion = await this.api.fluxVersion?.();
    if (this.reportedFluxVersion) log?.(`${cluster}: runs Flux ${this.reportedFluxVersion}`);
    if (this.controller.signal.aborted) return;
    for (const s of this.served) {
      if (s.deprecated) log?.(`${cluster}: ${s.kind} is only served at deprecated version ${s.version}`);
      const watcher = new KindWatcher({
        api: this.api,
        store,
        cluster,
        kind: s.kind,
        namespace: this.options.namespace,
        fallbackNamespace:
          this.options.namespace === undefined && this.options.namespaceFallback !== false
            ? contextNamespace(this.kubeConfig, this.options.context)
            : undefined,
        backoff: this.options.backoff,
        watchTimeoutSeconds: this.options.watchTimeoutSeconds,
        onHealth: () => this.publish(),
        log: (m) => log?.(`${cluster}: ${m}`),
      });
      this.watchers.set(s.kind, watcher);
    }
    for (const w of this.watchers.values()) w.start();
    this.publish();
  }
}

/** Reads the Flux bootstrap objects of a cluster; missing or unreadable ones are left undefined. */
export async function readBootstrap(
  api: FluxApi,
  namespace = 'flux-system',
  name = 'flux-system',
): Promise<FluxBootstrapInfo> {
  const info: FluxBootstrapInfo = {};
  const [git, ks] = await Promise.allSettled([
    api.get({ kind: 'GitRepository', namespace, name }),
    api.get({ kind: 'Kustomization', namespace, name }),
  ]);
  if (git.status === 'fulfilled' && typeof git.value.spec?.url === 'string')
    info.gitRepositoryUrl = git.value.spec.url;
  if (ks.status === 'fulfilled' && typeof ks.value.spec?.path === 'string')
    info.rootKustomizationPath = ks.value.spec.path;
  return info;
}

/**
 * Reads the Flux bootstrap of a context without connecting (for binding the current context):
 * undefined fields when the objects are missing or unreadable.
 */
export async function readBootstrapOfContext(
  kubeConfig: K8s.KubeConfig,
  context: string,
): Promise<FluxBootstrapInfo> {
  const kc = await kubeConfigForContext(kubeConfig, context);
  return readBootstrap(await createFluxApi(kc));
}

/** Every connected cluster: connect, disconnect, look up; stops them all on dispose. */
export class ConnectionManager {
  private readonly connections = new Map<string, ClusterConnection>();
  private readonly pending = new Map<string, Promise<ClusterConnection>>();

  constructor(
    readonly store: StatusStore,
    private readonly log?: (message: string) => void,
  ) {}

  /** Connects (or reconnects, if the context changed) a repository cluster to a context. */
  async connect(
    cluster: string,
    context: string,
    kubeConfig: K8s.KubeConfig,
    options: Partial<
      Pick<
        ConnectionOptions,
        'kinds' | 'namespace' | 'namespaceFallback' | 'backoff' | 'api' | 'watchTimeoutSeconds'
      >
    > = {},
  ): Promise<ClusterConnection> {
    // Calls for one cluster run one after the other, so two quick connects cannot both win.
    const previous = this.pending.get(cluster) ?? Promise.resolve(undefined);
    const next = previous
      .catch(() => undefined)
      .then(() => this.connectNow(cluster, context, kubeConfig, options));
    this.pending.set(cluster, next);
    try {
      return await next;
    } finally {
      if (this.pending.get(cluster) === next) this.pending.delete(cluster);
    }
  }

  private async connectNow(
    cluster: string,
    context: string,
    kubeConfig: K8s.KubeConfig,
    options: Partial<
      Pick<
        ConnectionOptions,
        'kinds' | 'namespace' | 'namespaceFallback' | 'backoff' | 'api' | 'watchTimeoutSeconds'
      >
    >,
  ): Promise<ClusterConnection> {
    const existing = this.connections.get(cluster);
    // The same context with the same server, credentials and namespace: nothing to do. A context
    // whose entries were edited in the kubeconfig (another server, renewed credentials) reconnects.
    if (
      existing &&
      existing.context === context &&
      existing.identity === contextIdentity(kubeConfig, context)
    )
      return existing;
    if (existing) await this.disconnect(cluster);
    const connection = await ClusterConnection.create({
      ...options,
      cluster,
      context,
      kubeConfig,
      store: this.store,
      log: this.log,
    });
    this.connections.set(cluster, connection);
    void connection.start();
    return connection;
  }

  /** Stops the cluster's watches and removes its objects and health from the store. */
  async disconnect(cluster: string): Promise<void> {
    const connection = this.connections.get(cluster);
    if (!connection) return;
    this.connections.delete(cluster);
    await connection.stop();
    this.store.clear(cluster);
    this.store.deleteHealth(cluster);
  }

  get(cluster: string): ClusterConnection | undefined {
    return this.connections.get(cluster);
  }

  all(): ClusterConnection[] {
    return [...this.connections.values()];
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.connections.keys()].map((c) => this.disconnect(c)));
  }
}
