// Which kubeconfig context a cluster of the repository is bound to: the user's setting first,
// else the current context when its Flux bootstrap points at this very repository.
import { sameGitRepository } from '../git/remotes';

// The URL comparison lives with the other git helpers; re-exported for the cluster API.
export { normaliseGitUrl, sameGitRepository } from '../git/remotes';

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
