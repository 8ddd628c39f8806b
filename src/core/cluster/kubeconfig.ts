// Kubeconfig as kubectl reads it: an explicit file, else every file of KUBECONFIG merged (the first
// file to set a name or the current-context wins), else ~/.kube/config. The user's files are never
// written: each connection gets its own in-memory copy switched to its context.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import type * as K8s from '@kubernetes/client-node';

export type ClientNode = typeof K8s;

let clientNode: Promise<ClientNode> | undefined;

/**
 * Loads @kubernetes/client-node on first use (an ES module: through `import()`, which the CommonJS
 * output and the esbuild bundle both turn into a working require), so activation does not pay for it.
 */
export function loadClientNode(): Promise<ClientNode> {
  clientNode ??= import('@kubernetes/client-node');
  return clientNode;
}

export interface KubeconfigSource {
  /** The fluxGitops.kubeconfig setting; empty or undefined: KUBECONFIG, else ~/.kube/config. */
  path?: string;
  env?: Readonly<Record<string, string | undefined>>;
  homeDir?: string;
}

/** The files kubectl would read for this source, in merge order (missing ones included). */
export function kubeconfigFiles(source: KubeconfigSource = {}): string[] {
  const home = source.homeDir ?? homedir();
  const expand = (p: string) => (p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p);
  const explicit = source.path?.trim();
  if (explicit) return [resolve(expand(explicit))];
  const env = source.env ?? process.env;
  const list = (env.KUBECONFIG ?? '')
    .split(delimiter)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => (isAbsolute(expand(p)) ? expand(p) : resolve(expand(p))));
  if (list.length > 0) return [...new Set(list)];
  return [join(home, '.kube', 'config')];
}

export interface LoadedKubeconfig {
  kind: 'loaded';
  kubeConfig: K8s.KubeConfig;
  /** Files actually read. */
  files: string[];
  contexts: string[];
  currentContext?: string;
}

export type KubeconfigResult =
  | LoadedKubeconfig
  | { kind: 'not-found'; files: string[]; message: string }
  | { kind: 'invalid'; file: string; message: string };

interface Named {
  name: string;
}

function mergeFirstWins<T extends Named>(lists: (readonly T[] | undefined)[]): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const list of lists) {
    for (const item of list ?? []) {
      if (seen.has(item.name)) continue;
      seen.add(item.name);
      out.push(item);
    }
  }
  return out;
}

/** Reads and merges the kubeconfig files of `source`; never throws. */
export async function loadKubeconfig(source: KubeconfigSource = {}): Promise<KubeconfigResult> {
  const files = kubeconfigFiles(source);
  const explicit = !!source.path?.trim();
  const present = files.filter((f) => existsSync(f));
  if (present.length === 0 || (explicit && present.length !== files.length)) {
    return {
      kind: 'not-found',
      files,
      message: `no kubeconfig: ${files.join(', ')} ${files.length === 1 ? 'does' : 'do'} not exist`,
    };
  }
  const k8s = await loadClientNode();
  const parts: K8s.KubeConfig[] = [];
  for (const file of present) {
    const kc = new k8s.KubeConfig();
    try {
      kc.loadFromFile(file);
    } catch (err) {
      return { kind: 'invalid', file, message: `cannot read kubeconfig ${file}: ${errorText(err)}` };
    }
    parts.push(kc);
  }
  const merged = new k8s.KubeConfig();
  const currentContext = parts.map((p) => p.getCurrentContext()).find((c) => !!c);
  merged.loadFromOptions({
    clusters: mergeFirstWins(parts.map((p) => p.clusters)),
    users: mergeFirstWins(parts.map((p) => p.users)),
    contexts: mergeFirstWins(parts.map((p) => p.contexts)),
    currentContext: currentContext ?? '',
  });
  const result: LoadedKubeconfig = {
    kind: 'loaded',
    kubeConfig: merged,
    files: present,
    contexts: merged.contexts.map((c) => c.name),
  };
  if (currentContext) result.currentContext = currentContext;
  return result;
}

/**
 * A copy of `base` whose current context is `context`, for one connection; `base` and the files
 * are left as they are. Throws when the context, its cluster or its user is missing.
 */
export async function kubeConfigForContext(base: K8s.KubeConfig, context: string): Promise<K8s.KubeConfig> {
  const k8s = await loadClientNode();
  const ctx = base.getContextObject(context);
  if (!ctx) throw new Error(`kubeconfig has no context "${context}"`);
  if (!base.getCluster(ctx.cluster))
    throw new Error(
      `context "${context}" names cluster "${ctx.cluster}", which the kubeconfig does not have`,
    );
  const copy = new k8s.KubeConfig();
  copy.loadFromOptions({
    clusters: [...base.clusters],
    users: [...base.users],
    contexts: [...base.contexts],
    currentContext: context,
  });
  return copy;
}

/**
 * What a connection on `context` depends on in the kubeconfig: the context, its cluster (server,
 * CA…) and its user (token, certificate, exec plugin). Two equal identities connect the same way;
 * a kubeconfig edited under a running connection is followed when its identity changes.
 */
export function contextIdentity(kc: K8s.KubeConfig, context: string): string {
  const ctx = kc.getContextObject(context);
  return JSON.stringify({
    context: ctx ?? null,
    cluster: (ctx && kc.getCluster(ctx.cluster)) ?? null,
    user: (ctx && kc.getUser(ctx.user)) ?? null,
  });
}

/** The default namespace of a context, as kubectl uses it. */
export function contextNamespace(kc: K8s.KubeConfig, context: string): string | undefined {
  return kc.getContextObject(context)?.namespace || undefined;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Calls `onChange` (once per burst of events) when one of the kubeconfig files is written,
 * replaced, created or removed. Watches the files' folders, not the files: editors and
 * `kubectl config` replace a file by renaming a new one over it, which a watch on the file misses.
 */
export function watchKubeconfigFiles(
  files: readonly string[],
  onChange: () => void,
  quietMs = 150,
): { dispose(): void } {
  const byFolder = new Map<string, Set<string>>();
  for (const file of files) {
    const folder = dirname(file);
    if (!byFolder.has(folder)) byFolder.set(folder, new Set());
    byFolder.get(folder)!.add(basename(file));
  }
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    // A burst (write, then rename, then chmod) becomes one reload.
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, quietMs);
  };
  const watchers: FSWatcher[] = [];
  for (const [folder, names] of byFolder) {
    try {
      const watcher = watch(folder, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name.toString())) changed();
      });
      // A folder that goes away ends its watch; the next sync watches again.
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    } catch {
      // A folder that does not exist (yet): nothing to follow until the next sync.
    }
  }
  return {
    dispose: () => {
      if (timer) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
