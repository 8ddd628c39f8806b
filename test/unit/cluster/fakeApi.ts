// An in-memory FluxApi for unit tests: objects by ref, recorded patches, scripted watch sessions.
import { FluxApi, FluxApiError, FluxList, WatchEventType, WatchParams } from '../../../src/core/cluster/api';
import { FluxKind, FluxRef, ServedVersion } from '../../../src/core/cluster/kinds';
import { FluxObject } from '../../../src/core/cluster/status';

export interface WatchSession {
  kind: FluxKind;
  namespace: string | undefined;
  params: WatchParams;
  emit(type: WatchEventType, object: FluxObject): void;
  end(err?: unknown): void;
  aborted: boolean;
}

function key(ref: FluxRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

export class FakeApi implements FluxApi {
  readonly objects = new Map<string, FluxObject>();
  readonly patches: { ref: FluxRef; patch: Record<string, unknown> }[] = [];
  readonly lists: { kind: FluxKind; namespace?: string }[] = [];
  readonly sessions: WatchSession[] = [];
  listResult: (kind: FluxKind, namespace?: string) => FluxList | Promise<FluxList> = (kind, namespace) => ({
    items: [...this.objects.values()].filter(
      (o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace),
    ),
    resourceVersion: String(100 + this.lists.length),
    apiVersion: 'x/v1',
  });
  patchError: FluxApiError | undefined;
  private waiters: ((s: WatchSession) => void)[] = [];

  add(kind: FluxKind, obj: FluxObject): void {
    obj.kind = kind;
    this.objects.set(key({ kind, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name }), obj);
  }

  served: ServedVersion[] = [];

  discover(): Promise<ServedVersion[]> {
    return Promise.resolve(this.served);
  }

  versionOf(): string {
    return 'v1';
  }

  async list(kind: FluxKind, namespace?: string): Promise<FluxList> {
    this.lists.push(namespace === undefined ? { kind } : { kind, namespace });
    return this.listResult(kind, namespace);
  }

  watch(
    kind: FluxKind,
    namespace: string | undefined,
    params: WatchParams,
    onEvent: (type: WatchEventType, object: FluxObject) => void,
    onDone: (err: unknown) => void,
  ): Promise<() => void> {
    let ended = false;
    const session: WatchSession = {
      kind,
      namespace,
      params,
      aborted: false,
      emit: (type, object) => {
        if (!ended) onEvent(type, object);
      },
      end: (err) => {
        if (ended) return;
        ended = true;
        onDone(err ?? null);
      },
    };
    this.sessions.push(session);
    for (const w of this.waiters.splice(0)) w(session);
    return Promise.resolve(() => {
      session.aborted = true;
      session.end();
    });
  }

  /** Resolves with the next watch session started (or the n-th, counting from 1). */
  nextSession(n = this.sessions.length + 1): Promise<WatchSession> {
    if (this.sessions.length >= n) return Promise.resolve(this.sessions[n - 1]);
    return new Promise((resolve) => {
      const check = () => {
        if (this.sessions.length >= n) resolve(this.sessions[n - 1]);
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  async get(ref: FluxRef): Promise<FluxObject> {
    const obj = this.objects.get(key(ref));
    if (!obj) throw new FluxApiError({ kind: 'not-found', status: 404, message: `${ref.name} not found` });
    return structuredClone(obj);
  }

  async mergePatch(ref: FluxRef, patch: Record<string, unknown>): Promise<FluxObject> {
    if (this.patchError) throw this.patchError;
    this.patches.push({ ref, patch });
    return this.get(ref);
  }
}
