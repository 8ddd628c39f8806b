// One list+watch of one Flux kind in one cluster, feeding the status store: list, then watch from
// the list's resourceVersion with bookmarks; resume from the last version when the server ends the
// watch, relist on 410 Gone, back off and relist after errors. No polling.
import { ApiErrorInfo, describeApiError, FluxApi, FluxApiError, WatchEventType } from './api';
import { sleepUnlessAborted, Backoff, BackoffOptions } from './backoff';
import { FLUX_KIND_INFO, FluxKind } from './kinds';
import { FluxObject } from './status';
import { KindHealth, StatusStore } from './store';

export interface KindWatcherOptions {
  api: FluxApi;
  store: StatusStore;
  cluster: string;
  kind: FluxKind;
  /** Watch one namespace only; default all namespaces. */
  namespace?: string;
  /** When listing all namespaces is forbidden, watch this namespace instead (the context's). */
  fallbackNamespace?: string;
  backoff?: BackoffOptions;
  /** Range of the server-side watch timeout, seconds. Default [240, 480]. */
  watchTimeoutSeconds?: [number, number];
  onHealth?: (health: KindHealth) => void;
  log?: (message: string) => void;
}

type WatchEnd = { kind: 'closed'; events: number } | { kind: 'gone' } | { kind: 'error'; info: ApiErrorInfo };

/** Keeps one kind of one cluster in the store until stop(). */
export class KindWatcher {
  private readonly controller = new AbortController();
  private readonly backoff: Backoff;
  private namespace: string | undefined;
  private resourceVersion = '';
  private endWatch: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private current: KindHealth;
  private lastLogged = '';

  constructor(private readonly options: KindWatcherOptions) {
    this.backoff = new Backoff(options.backoff);
    this.namespace = options.namespace;
    this.current = { kind: options.kind, state: 'starting', version: options.api.versionOf(options.kind) };
  }

  get health(): KindHealth {
    return this.current;
  }

  /** Starts listing and watching (once). */
  start(): void {
    this.loop ??= this.run().catch((err: unknown) => {
      this.setHealth({ state: 'stopped', message: `watch loop failed: ${String(err)}` });
    });
  }

  /** Ends the watch and waits until nothing of it is left running. */
  async stop(): Promise<void> {
    this.controller.abort();
    this.endWatch?.();
    await this.loop;
    this.setHealth({ state: 'stopped' });
  }

  private get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  private setHealth(update: Omit<KindHealth, 'kind' | 'version'>): void {
    const next: KindHealth = {
      kind: this.options.kind,
      version: this.options.api.versionOf(this.options.kind),
      ...update,
    };
    if (this.namespace !== undefined && next.namespace === undefined) next.namespace = this.namespace;
    this.current = next;
    this.options.onHealth?.(next);
  }

  private log(message: string): void {
    // The same failure repeating on every retry is logged once.
    if (message === this.lastLogged) return;
    this.lastLogged = message;
    this.options.log?.(message);
  }

  private async run(): Promise<void> {
    const { kind } = this.options;
    while (!this.stopped) {
      try {
        this.setHealth({ state: 'listing', failures: this.backoff.failures });
        await this.relist();
        this.backoff.reset();
        this.lastLogged = '';
        let quickCloses = 0;
        while (!this.stopped) {
          const started = Date.now();
          // 'watching' once the server has answered the watch request, not when it is sent: a
          // kube-apiserver that is still starting holds or fails watches, and 'connected' must not
          // be claimed before events can flow.
          const end = await this.watchOnce(() => this.setHealth({ state: 'watching' }));
          if (this.stopped) return;
          if (end.kind === 'gone') {
            this.log(`${kind}: watch expired (410 Gone), listing again`);
            break;
          }
          if (end.kind === 'error') throw new FluxApiError(end.info);
          // A server that ends watches at once, again and again, is treated as failing.
          quickCloses = end.events === 0 && Date.now() - started < 1000 ? quickCloses + 1 : 0;
          if (quickCloses >= 3)
            throw new FluxApiError({ kind: 'other', message: 'the server keeps closing the watch' });
        }
      } catch (err) {
        if (this.stopped) return;
        const info = err instanceof FluxApiError ? err.info : describeApiError(err);
        if (info.kind === 'forbidden' && this.namespace === undefined && this.options.fallbackNamespace) {
          this.namespace = this.options.fallbackNamespace;
          this.log(`${kind}: listing all namespaces is forbidden, watching namespace ${this.namespace} only`);
          continue;
        }
        const state =
          info.kind === 'forbidden'
            ? 'forbidden'
            : info.kind === 'unauthorized'
              ? 'unauthorized'
              : info.kind === 'not-found'
                ? 'not-served'
                : 'retrying';
        const delay = this.backoff.next();
        this.setHealth({ state, message: info.message, failures: this.backoff.failures });
        this.log(`${kind}: ${info.message}; retrying in ${Math.round(delay / 100) / 10} s`);
        await sleepUnlessAborted(delay, this.controller.signal);
      }
    }
  }

  private async relist(): Promise<void> {
    const { api, store, cluster, kind } = this.options;
    const list = await api.list(kind, this.namespace);
    if (this.stopped) return;
    store.replaceKind(cluster, kind, list.items, this.namespace, list.apiVersion);
    this.resourceVersion = list.resourceVersion;
  }

  private watchOnce(onStarted: () => void): Promise<WatchEnd> {
    const { api, store, cluster, kind } = this.options;
    const [lo, hi] = this.options.watchTimeoutSeconds ?? [240, 480];
    const timeoutSeconds = Math.round(lo + Math.random() * Math.max(0, hi - lo));
    return new Promise<WatchEnd>((resolve) => {
      let events = 0;
      let gone = false;
      let failure: ApiErrorInfo | undefined;
      let settled = false;
      const finish = (end: WatchEnd) => {
        if (settled) return;
        settled = true;
        this.endWatch = undefined;
        resolve(end);
      };
      const onEvent = (type: WatchEventType, object: FluxObject) => {
        if (this.stopped || settled) return;
        events++;
        const rv = object?.metadata?.resourceVersion;
        switch (type) {
          case 'ADDED':
          case 'MODIFIED':
            store.upsert(cluster, kind, object, `${FLUX_KIND_INFO[kind].group}/${api.versionOf(kind)}`);
            break;
          case 'DELETED':
            store.remove({
              cluster,
              kind,
              namespace: object.metadata.namespace ?? '',
              name: object.metadata.name,
            });
            break;
          case 'BOOKMARK':
            break;
          case 'ERROR': {
            const status = object as unknown as { code?: number; message?: string; reason?: string };
            if (status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone') gone = true;
            else failure = describeApiError({ code: status.code ?? 500, body: status });
            return;
          }
        }
        if (rv) this.resourceVersion = rv;
      };
      const onDone = (err: unknown) => {
        if (gone) return finish({ kind: 'gone' });
        if (failure) return finish({ kind: 'error', info: failure });
        if (err) {
          const info = describeApiError(err);
          return finish(info.kind === 'gone' ? { kind: 'gone' } : { kind: 'error', info });
        }
        finish({ kind: 'closed', events });
      };
      api
        .watch(
          kind,
          this.namespace,
          { resourceVersion: this.resourceVersion, timeoutSeconds },
          onEvent,
          onDone,
        )
        .then((end) => {
          if (settled) return;
          this.endWatch = () => {
            end();
            finish({ kind: 'closed', events });
          };
          if (this.stopped) this.endWatch();
          else onStarted();
        })
        .catch((err: unknown) => finish({ kind: 'error', info: describeApiError(err) }));
    });
  }
}
