// Which kubeconfig context a cluster of the repository is bound to: the user's setting first,
// else the current context when its Flux bootstrap points at this very repository.

/**
 * A git URL reduced to `host/path` (lowercase, no user, port, scheme or `.git`), so the ssh, scp-like
 * and https forms of one repository compare equal. Undefined when it is not a recognisable URL.
 */
export function normaliseGitUrl(url: string): string | undefined {
  let s = url.trim();
  if (!s) return undefined;
  let host: string;
  let path: string;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s);
  if (scheme) {
    s = s.slice(scheme[0].length);
    const slash = s.indexOf('/');
    const authority = slash < 0 ? s : s.slice(0, slash);
    path = slash < 0 ? '' : s.slice(slash + 1);
    host = authority.slice(authority.lastIndexOf('@') + 1);
    // Drop a port, but keep IPv6 brackets intact.
    host = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
  } else {
    // scp-like: [user@]host:path (a colon before any slash).
    const m = /^(?:[^@/]+@)?([^:/]+):(?!\/\/)(.*)$/.exec(s);
    if (!m) return undefined;
    host = m[1];
    path = m[2];
  }
  path = path
    .replace(/[?#].*$/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/^\/+/, '')
    .replace(/\/{2,}/g, '/');
  if (!host || !path) return undefined;
  return `${host.toLowerCase()}/${path.toLowerCase()}`;
}

/** True when two git URLs name the same repository. */
export function sameGitRepository(a: string, b: string): boolean {
  const na = normaliseGitUrl(a);
  return na !== undefined && na === normaliseGitUrl(b);
}

/** A Kustomization path as Flux joins it: relative to the artifact root, no `./`, no trailing `/`. */
export function normaliseFluxPath(path: string | undefined): string {
  const parts: string[] = [];
  for (const part of (path ?? '').replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/** What the current context's Flux bootstrap says (GitRepository and Kustomization flux-system/flux-system). */
export interface FluxBootstrapInfo {
  /** spec.url of GitRepository flux-system/flux-system; undefined when absent or unreadable. */
  gitRepositoryUrl?: string;
  /** spec.path of Kustomization flux-system/flux-system. */
  rootKustomizationPath?: string;
}

export interface BindingInput {
  /** The repository's cluster name (its folder name, e.g. superbloom). */
  cluster: string;
  /** The cluster's folder relative to the repository root, e.g. clusters/superbloom. */
  clusterPath: string;
  /** The fluxGitops.clusterContexts setting. */
  mapping: Readonly<Record<string, string>>;
  /** Context names the kubeconfig has. */
  contexts: readonly string[];
  currentContext: string | undefined;
  /** URLs of the workspace's git remotes. */
  remotes: readonly string[];
  /** Read from the current context; undefined when not (yet) read. */
  bootstrap?: FluxBootstrapInfo;
}

export type BindingResult =
  | { kind: 'bound'; context: string; via: 'setting' | 'current-context' }
  | {
      kind: 'unbound';
      reason:
        | 'setting-unknown-context'
        | 'no-current-context'
        | 'no-bootstrap-info'
        | 'no-flux-git-repository'
        | 'remote-mismatch'
        | 'path-mismatch';
      message: string;
    };

/**
 * Binds a repository cluster to a context: the setting's context when it names one, else the current
 * context when its flux-system GitRepository URL matches a git remote and the root Kustomization path
 * is the cluster's folder.
 */
export function resolveBinding(input: BindingInput): BindingResult {
  const mapped = input.mapping[input.cluster];
  if (mapped !== undefined && mapped !== '') {
    if (input.contexts.includes(mapped)) return { kind: 'bound', context: mapped, via: 'setting' };
    return {
      kind: 'unbound',
      reason: 'setting-unknown-context',
      message: `fluxGitops.clusterContexts maps ${input.cluster} to context "${mapped}", which the kubeconfig does not have`,
    };
  }
  const current = input.currentContext;
  if (!current || !input.contexts.includes(current)) {
    return {
      kind: 'unbound',
      reason: 'no-current-context',
      message: 'the kubeconfig has no current context',
    };
  }
  if (!input.bootstrap) {
    return {
      kind: 'unbound',
      reason: 'no-bootstrap-info',
      message: `the Flux bootstrap of context ${current} was not read`,
    };
  }
  const url = input.bootstrap.gitRepositoryUrl;
  if (!url) {
    return {
      kind: 'unbound',
      reason: 'no-flux-git-repository',
      message: `context ${current} has no GitRepository flux-system/flux-system`,
    };
  }
  if (!input.remotes.some((remote) => sameGitRepository(remote, url))) {
    return {
      kind: 'unbound',
      reason: 'remote-mismatch',
      message: `context ${current} syncs ${url}, which is none of this workspace's git remotes`,
    };
  }
  const rootPath = normaliseFluxPath(input.bootstrap.rootKustomizationPath);
  if (rootPath !== normaliseFluxPath(input.clusterPath)) {
    return {
      kind: 'unbound',
      reason: 'path-mismatch',
      message: `context ${current} applies path "${rootPath || '.'}", not ${normaliseFluxPath(input.clusterPath)}`,
    };
  }
  return { kind: 'bound', context: current, via: 'current-context' };
}
