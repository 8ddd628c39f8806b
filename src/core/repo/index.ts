/**
 * The repository model: which Flux Kustomizations a Git repository holds, what each applies,
 * how they form clusters, and what is wrong with it. {@link RepoIndex} keeps parsed files
 * between scans so that one changed file costs one parse plus a cheap graph rebuild.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FsCache, DEFAULT_MAX_FILE_SIZE, isWithin, relSlash } from './fsCache';
import {
  KUSTOMIZATION_FILES,
  isKustomizeConfig,
  type DocSummary,
  type FluxKsSpec,
  type ParsedFile,
  type RefAt,
} from './manifest';
import {
  kustomizationKey,
  type Cluster,
  type FluxKustomization,
  type KustomizationEntry,
  type ManifestObject,
  type OrphanUnit,
  type Problem,
  type RepoModel,
  type SourceLocation,
} from './model';
import { matchingSopsRule, parseSopsConfig, type SopsCreationRule } from './sopsRules';
import { findGitRoot, normaliseGitUrl, readGitRemotes } from '../git/remotes';

export * from './model';
export { objectsByFile, problemsByFile, clusterKustomizations } from './query';

export interface ScanOptions {
  /** Resolve every spec.path against this folder instead of the nearest Git repository root. */
  repoRoot?: string;
  /** Files above this many bytes are skipped with a warning (default 5 MB). */
  maxFileSize?: number;
}

interface Applied {
  file: string;
  /** kustomization.yaml `namespace:` in force for this file (outermost wins). */
  ns: string | null;
  prefix: string;
  suffix: string;
  /** The top-level entry of the Flux Kustomization's path this file comes from. */
  top: string;
}

interface Draft {
  file: string;
  doc: DocSummary;
  spec: FluxKsSpec;
  base: string;
  resolvedPath: string;
  external: boolean;
  applied: Applied[];
  /** Where the path's own kustomization.yaml lists its resources (for entries order). */
  topOrder: string[];
  namespace: string;
  key: string;
  parent: Draft | null;
  clusters: string[];
}

interface State {
  discovered: string[];
  parsedFiles: Set<string>;
  drafts: Draft[];
  appliers: Map<string, Array<{ d: Draft; a: Applied }>>;
  orphanFiles: Set<string>;
  /** Problems of the graph: walking, expansion, paths, cycles, orphans, Kustomization refs. */
  structProblems: Problem[];
  draftProblems: Map<Draft, Problem[]>;
  fileProblems: Map<string, Problem[]>;
  objectsByFile: Map<string, ManifestObject[]>;
  /** `kind/namespace/name` of every object in the repository, for reference checks. */
  known: Set<string>;
  model: RepoModel;
}

interface ExpandCtx {
  bound: string;
  stack: string[];
  problems: Problem[];
  remote: Array<SourceLocation & { url: string }>;
  inputs: Set<string>;
  visited: Map<string, string | null>;
  broken: Set<string>;
}

const YAML_RE = /\.ya?ml$/i;
const REMOTE_RE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)|\?ref=/i;

// Kinds the namespace transformer leaves alone; their effective namespace is ''.
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'CSIDriver',
  'CSINode',
  'Node',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'VolumeSnapshotClass',
  'ClusterIssuer',
  'ClusterSecretStore',
  'ClusterPolicy',
]);

/** spec.path relative to the source root: Flux strips a leading ./ and joins it securely. */
function specRel(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
}

function group(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

function problem(
  severity: Problem['severity'],
  code: string,
  file: string,
  line: number,
  message: string,
): Problem {
  return { severity, code, file, line, message };
}

/** A folder that links back to one of its parents: reported, not followed. */
function symlinkLoop(folder: string, name: string): Problem {
  return problem(
    'warning',
    'symlink-loop',
    folder,
    1,
    `Folder ${name} links back to one of its parents; not followed.`,
  );
}

/** A git URL in a comparable form (host/path), or as written when it is not a recognisable URL. */
function gitKey(url: string): string {
  return normaliseGitUrl(url) ?? url.trim();
}

/** An incrementally updated model of the Flux repositories under some folders. */
export class RepoIndex {
  private readonly cache: FsCache;
  private readonly roots: string[];
  private gitRoots = new Map<string, string | null>();
  private sopsConfigs = new Map<string, { file: string; rules: SopsCreationRule[] } | null>();
  private current: RepoModel | null = null;
  private state: State | null = null;
  private bases = new Map<string, string>();

  constructor(
    roots: string[],
    private readonly options: ScanOptions = {},
  ) {
    this.roots = roots.map((r) => path.resolve(r));
    this.cache = new FsCache(options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE);
  }

  /** The last model built, scanning first if needed. */
  get model(): RepoModel {
    return this.current ?? this.scan();
  }

  /** Forgets everything and scans the roots again. */
  scan(): RepoModel {
    return this.guard(() => {
      this.cache.clear();
      this.gitRoots.clear();
      this.sopsConfigs.clear();
      const tops = new Set<string>();
      for (const r of this.roots) {
        const g = this.options.repoRoot ? path.resolve(this.options.repoRoot) : (findGitRoot(r) ?? null);
        this.gitRoots.set(r, g);
        tops.add(r);
        if (g) tops.add(g);
      }
      this.cache.setTops([...tops]);
      return this.rebuild();
    });
  }

  /** Takes a created or changed file (or folder) into account and returns the new model. */
  updateFile(p: string): RepoModel {
    if (!this.current) return this.scan();
    const abs = path.resolve(p);
    if (abs.split(path.sep).includes('.git')) return this.current;
    // A watcher may report a change for a file that is already gone.
    if (!fs.existsSync(abs)) return this.removeFile(abs);
    return this.guard(() => {
      const known = this.cache.knows(abs);
      const before = known ? (this.cache.cached(abs)?.parsed ?? null) : null;
      this.cache.invalidate(abs, !known);
      if (path.basename(abs) === '.sops.yaml') {
        this.sopsConfigs.clear();
        return this.rebuild();
      }
      return (known && this.tryContentUpdate(abs, before)) || this.rebuild();
    });
  }

  /** Takes a deleted file (or folder) into account and returns the new model. */
  removeFile(p: string): RepoModel {
    if (!this.current) return this.scan();
    const abs = path.resolve(p);
    if (abs.split(path.sep).includes('.git')) return this.current;
    return this.guard(() => {
      this.cache.invalidate(abs, true);
      if (path.basename(abs) === '.sops.yaml') this.sopsConfigs.clear();
      return this.rebuild();
    });
  }

  /**
   * Bad input must never take the extension down: an unexpected exception becomes a problem
   * on the last good model, and the next call starts from a clean cache.
   */
  private guard(build: () => RepoModel): RepoModel {
    try {
      return build();
    } catch (e) {
      this.cache.clear();
      this.state = null;
      const base: RepoModel = this.current ?? {
        roots: [...this.roots],
        clusters: [],
        kustomizations: new Map(),
        objects: [],
        orphans: [],
        orphanUnits: [],
        problems: [],
        remoteResources: [],
      };
      const message = `Internal error while scanning the repository: ${e instanceof Error ? e.message : String(e)}`;
      const model: RepoModel = {
        ...base,
        problems: [
          ...base.problems.filter((p) => p.code !== 'internal-error'),
          { severity: 'error', code: 'internal-error', file: this.roots[0] ?? '', line: 1, message },
        ],
      };
      this.current = model;
      return model;
    }
  }

  private rootOf(p: string): string {
    let best = this.roots[0];
    let bestLen = -1;
    for (const r of this.roots) if (isWithin(r, p) && r.length > bestLen) [best, bestLen] = [r, r.length];
    return best;
  }

  /**
   * The folder spec.path is relative to, for Kustomizations found under `root`: the Git root, or
   * the opened folder when that is where the paths exist (a repository copied inside another
   * one, as test fixtures are), or the forced repoRoot option.
   */
  private baseOf(root: string, drafts: Draft[]): string {
    const cached = this.bases.get(root);
    if (cached) return cached;
    const git = this.gitRoots.get(root) ?? null;
    let base = git ?? root;
    if (git && git !== root && !this.options.repoRoot) {
      // Candidates from the Git root down: outer workspace roots, then this root.
      const candidates = [
        git,
        ...this.roots.filter((r) => r !== root && isWithin(r, root) && isWithin(git, r)),
        root,
      ];
      let best = -1;
      for (const c of candidates) {
        let hits = 0;
        for (const d of drafts) {
          if (
            this.rootOf(d.file) === root &&
            this.cache.kind(path.resolve(c, specRel(d.spec.path))) === 'dir'
          )
            hits++;
        }
        if (hits > best) [best, base] = [hits, c];
      }
    }
    this.bases.set(root, base);
    return base;
  }

  private hasKustomization(dir: string): string | null {
    for (const n of KUSTOMIZATION_FILES) {
      const p = path.join(dir, n);
      if (this.cache.kind(p) === 'file') return p;
    }
    return null;
  }

  private sopsConfigFor(file: string): { file: string; rules: SopsCreationRule[] } | null {
    const root = this.rootOf(file);
    const stop = this.gitRoots.get(root) ?? root;
    let dir = path.dirname(file);
    const seen: string[] = [];
    let found: { file: string; rules: SopsCreationRule[] } | null = null;
    for (;;) {
      const cached = this.sopsConfigs.get(dir);
      if (cached !== undefined) {
        found = cached;
        break;
      }
      seen.push(dir);
      const candidate = path.join(dir, '.sops.yaml');
      if (fs.existsSync(candidate)) {
        const st = this.cache.file(candidate);
        found = { file: candidate, rules: parseSopsConfig(st.parsed?.raw) };
        break;
      }
      const up = path.dirname(dir);
      if (dir === stop || !isWithin(stop, dir) || up === dir) break;
      dir = up;
    }
    for (const d of seen) this.sopsConfigs.set(d, found);
    return found;
  }

  // ---------------------------------------------------------------------------------------------
  // Expansion: what Flux applies from a folder

  private expandKustomize(dir: string, ctx: ExpandCtx, from: SourceLocation | null): Applied[] {
    const real = this.cache.realpath(dir);
    if (ctx.stack.includes(real) || ctx.stack.length > 64) {
      const at = from ?? { file: dir, line: 1 };
      const chain = [...ctx.stack, real].map((d) => relSlash(ctx.bound, d) || '.').join(' → ');
      ctx.problems.push(
        problem(
          'error',
          'kustomize-cycle',
          at.file,
          at.line,
          `Kustomize resources form a cycle: ${chain}; not followed.`,
        ),
      );
      return [];
    }
    const kfile = this.hasKustomization(dir);
    if (!kfile) return [];
    if (!ctx.visited.has(dir)) ctx.visited.set(dir, kfile);
    const cfg = this.cache.file(kfile).parsed?.kustomize;
    if (!cfg) return [];
    ctx.stack.push(real);
    const out: Applied[] = [];
    for (const e of [...cfg.resources, ...cfg.components]) {
      if (REMOTE_RE.test(e.value)) {
        ctx.remote.push({ file: kfile, line: e.line, url: e.value });
        continue;
      }
      // Memoised on the cached entry: later rebuilds reuse the same path string.
      const target = (e.abs ??= path.resolve(dir, e.value));
      if (!isWithin(ctx.bound, target)) {
        ctx.problems.push(
          problem(
            'error',
            'path-escapes',
            kfile,
            e.line,
            `Resource "${e.value}" points outside the repository; Flux cannot read it. Not followed.`,
          ),
        );
        continue;
      }
      const kind = this.cache.kind(target);
      if (kind === null) {
        ctx.problems.push(
          problem('error', 'missing-resource', kfile, e.line, `Resource "${e.value}" does not exist.`),
        );
      } else if (kind === 'dir') {
        if (this.hasKustomization(target)) {
          for (const a of this.expandKustomize(target, ctx, { file: kfile, line: e.line })) {
            a.top = target;
            out.push(a);
          }
        } else {
          ctx.broken.add(target);
          ctx.problems.push(
            problem(
              'error',
              'missing-kustomization',
              kfile,
              e.line,
              `Folder "${e.value}" has no kustomization.yaml, so kustomize cannot load it as a resource.`,
            ),
          );
        }
      } else {
        out.push({ file: target, ns: null, prefix: '', suffix: '', top: target });
      }
    }
    for (const e of cfg.inputs) {
      if (REMOTE_RE.test(e.value)) continue;
      const target = path.resolve(dir, e.value);
      if (!isWithin(ctx.bound, target)) {
        ctx.problems.push(
          problem(
            'error',
            'path-escapes',
            kfile,
            e.line,
            `"${e.value}" points outside the repository; not followed.`,
          ),
        );
      } else if (this.cache.kind(target) === null) {
        ctx.problems.push(
          problem('error', 'missing-resource', kfile, e.line, `File "${e.value}" does not exist.`),
        );
      } else {
        ctx.inputs.add(target);
      }
    }
    ctx.stack.pop();
    for (const a of out) {
      if (cfg.namespace) a.ns = cfg.namespace;
      a.prefix = cfg.namePrefix + a.prefix;
      a.suffix = a.suffix + cfg.nameSuffix;
    }
    return out;
  }

  /** A path without kustomization.yaml: every YAML file below, nested kustomizations as units. */
  private expandPlain(root: string, ctx: ExpandCtx): Applied[] {
    const out: Applied[] = [];
    const walk = (dir: string, reals: string[], top: string | null): void => {
      const listing = this.cache.list(dir);
      if (!listing) return;
      if (!ctx.visited.has(dir)) ctx.visited.set(dir, null);
      listing.files.forEach((name, i) => {
        if (!YAML_RE.test(name)) return;
        const file = listing.filePaths[i];
        out.push({ file, ns: null, prefix: '', suffix: '', top: top ?? file });
      });
      for (let i = 0; i < listing.dirs.length; i++) {
        const name = listing.dirs[i];
        const full = listing.dirPaths[i];
        const real = listing.symlinkedDirs.has(name) ? this.cache.realpath(full) : full;
        if (reals.includes(real) || reals.length > 64) {
          ctx.problems.push(symlinkLoop(full, name));
          continue;
        }
        if (this.hasKustomization(full)) {
          for (const a of this.expandKustomize(full, ctx, null)) {
            a.top = top ?? full;
            out.push(a);
          }
        } else {
          walk(full, [...reals, real], top ?? full);
        }
      }
    };
    walk(root, [this.cache.realpath(root)], null);
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // The model

  private walkRoots(problems: Problem[]): string[] {
    const files: string[] = [];
    const seen = new Set<string>();
    const walk = (dir: string, reals: string[]): void => {
      const listing = this.cache.list(dir);
      if (!listing) return;
      problems.push(...listing.problems);
      listing.files.forEach((name, i) => {
        if (YAML_RE.test(name)) files.push(listing.filePaths[i]);
      });
      for (let i = 0; i < listing.dirs.length; i++) {
        const name = listing.dirs[i];
        if (name === 'node_modules') continue;
        const full = listing.dirPaths[i];
        if (listing.symlinkedDirs.has(name)) {
          const real = this.cache.realpath(full);
          if (reals.includes(real) || reals.length > 64) {
            problems.push(symlinkLoop(full, name));
            continue;
          }
          walk(full, [...reals, real]);
        } else {
          walk(full, reals.length > 64 ? reals : [...reals, full]);
        }
      }
    };
    for (const r of this.roots) {
      // A root inside another root is already covered by it.
      if (seen.has(r) || this.roots.some((o) => o !== r && isWithin(o, r))) continue;
      seen.add(r);
      walk(r, [this.cache.realpath(r)]);
    }
    return files;
  }

  private rebuild(): RepoModel {
    this.bases.clear();
    const problems: Problem[] = [];
    const remote: Array<SourceLocation & { url: string }> = [];
    const discovered = this.walkRoots(problems);

    // Flux Kustomizations and the source objects they point at.
    const drafts: Draft[] = [];
    const sourceUrls = new Map<string, string>();
    for (const f of discovered) {
      const parsed = this.cache.file(f).parsed;
      if (!parsed) continue;
      for (const d of parsed.docs) {
        if (d.fluxKs) {
          drafts.push({
            file: f,
            doc: d,
            spec: d.fluxKs,
            base: '',
            resolvedPath: '',
            external: false,
            applied: [],
            topOrder: [],
            namespace: d.namespace,
            key: '',
            parent: null,
            clusters: [],
          });
        } else if (d.url !== undefined) {
          sourceUrls.set(`${d.kind}/${d.namespace || 'flux-system'}/${d.name}`, d.url);
        }
      }
    }

    const localUrls = new Set<string>();
    for (const r of this.roots) {
      const g = this.gitRoots.get(r);
      for (const remote of g ? readGitRemotes(g) : []) localUrls.add(gitKey(remote));
    }
    const bootstrap = sourceUrls.get('GitRepository/flux-system/flux-system');
    if (bootstrap) localUrls.add(gitKey(bootstrap));
    const isLocal = (d: Draft): boolean => {
      const ref = d.spec.sourceRef;
      if (!ref) return true;
      if (ref.name === 'flux-system') return true;
      const kind = ref.kind || 'GitRepository';
      if (kind !== 'GitRepository') return false;
      const url = sourceUrls.get(`${kind}/${ref.namespace || d.doc.namespace || 'flux-system'}/${ref.name}`);
      if (url === undefined) return true;
      return localUrls.size === 0 || localUrls.has(gitKey(url));
    };

    // What each Kustomization applies.
    const inputs = new Set<string>();
    const visited = new Map<string, { kfile: string | null; draft: Draft }>();
    const broken = new Set<string>();
    for (const d of drafts) {
      const rel = specRel(d.spec.path);
      d.base = this.baseOf(this.rootOf(d.file), drafts);
      d.resolvedPath = path.resolve(d.base, rel);
      if (!isLocal(d)) {
        d.external = true;
        continue;
      }
      if (!isWithin(d.base, d.resolvedPath)) {
        problems.push(
          problem(
            'error',
            'path-escapes',
            d.file,
            d.spec.pathLine,
            `spec.path "${d.spec.path}" points outside the repository; not followed.`,
          ),
        );
        continue;
      }
      if (this.cache.kind(d.resolvedPath) !== 'dir') {
        problems.push(
          problem(
            'error',
            'path-not-found',
            d.file,
            d.spec.pathLine,
            `spec.path "${d.spec.path}" does not exist in the repository${d.base === this.rootOf(d.file) ? '' : ` (resolved against the Git root ${d.base})`}.`,
          ),
        );
        continue;
      }
      const ctx: ExpandCtx = {
        bound: d.base,
        stack: [],
        problems,
        remote,
        inputs,
        visited: new Map(),
        broken,
      };
      const kfile = this.hasKustomization(d.resolvedPath);
      if (kfile) {
        d.applied = this.expandKustomize(d.resolvedPath, ctx, { file: d.file, line: d.spec.pathLine });
        const cfg = this.cache.file(kfile).parsed?.kustomize;
        if (cfg) {
          for (const e of [...cfg.resources, ...cfg.components])
            d.topOrder.push(path.resolve(d.resolvedPath, e.value));
        }
      } else {
        d.applied = this.expandPlain(d.resolvedPath, ctx);
      }
      for (const [dir, kf] of ctx.visited) if (!visited.has(dir)) visited.set(dir, { kfile: kf, draft: d });
    }

    // Who applies each file.
    const appliers = new Map<string, Array<{ d: Draft; a: Applied }>>();
    for (const d of drafts) {
      for (const a of d.applied) {
        let list = appliers.get(a.file);
        if (!list) appliers.set(a.file, (list = []));
        list.push({ d, a });
      }
    }

    // Parents, effective namespaces and keys of the Kustomizations.
    const byDoc = new Map<string, Draft>();
    for (const d of drafts) byDoc.set(`${d.file}#${d.doc.index}`, d);
    for (const d of drafts) {
      const list = appliers.get(d.file) ?? [];
      const other = list.find((x) => x.d !== d);
      const via = other ?? list[0];
      d.parent = other?.d ?? null;
      if (via) d.namespace = via.d.spec.targetNamespace ?? via.a.ns ?? d.doc.namespace;
      d.key = kustomizationKey(d.namespace, d.doc.name, d.file);
    }

    // Clusters: Kustomizations no other one applies, and everything they reach.
    const children = new Map<Draft, Draft[]>();
    for (const d of drafts) {
      for (const x of appliers.get(d.file) ?? []) {
        if (x.d === d) continue;
        let c = children.get(x.d);
        if (!c) children.set(x.d, (c = []));
        if (!c.includes(d)) c.push(d);
      }
    }
    const clusters: Cluster[] = [];
    const members = new Map<Cluster, Draft[]>();
    const reach = (root: Draft, cluster: Cluster): void => {
      const list = members.get(cluster)!;
      const queue = [root];
      while (queue.length > 0) {
        const d = queue.shift()!;
        if (list.includes(d)) continue;
        list.push(d);
        if (!d.clusters.includes(cluster.name)) d.clusters.push(cluster.name);
        for (const c of children.get(d) ?? []) queue.push(c);
      }
    };
    const newCluster = (root: Draft): Cluster => {
      const folder = root.external || !root.resolvedPath ? path.dirname(root.file) : root.resolvedPath;
      const c: Cluster = { name: path.basename(folder), folder, kustomizations: [] };
      clusters.push(c);
      members.set(c, []);
      return c;
    };
    const candidates = drafts.filter((d) => !d.parent);
    // A Kustomization nobody applies but whose file lies in another one's path was forgotten
    // in a kustomization.yaml; it belongs with that cluster, not as a cluster of its own.
    const hostOf = (d: Draft): Draft | undefined =>
      drafts.find(
        (o) =>
          o !== d &&
          !o.external &&
          o.resolvedPath &&
          isWithin(o.resolvedPath, d.file) &&
          o.applied.length > 0,
      );
    const misplaced: Draft[] = [];
    for (const d of candidates) {
      if (hostOf(d) && !(appliers.get(d.file) ?? []).some((x) => x.d === d)) misplaced.push(d);
      else reach(d, newCluster(d));
    }
    for (const d of misplaced) {
      if (d.clusters.length > 0) continue;
      const host = hostOf(d)!;
      const cl = clusters.filter((c) => host.clusters.includes(c.name));
      if (cl.length === 0) reach(d, newCluster(d));
      else for (const c of cl) reach(d, c);
    }
    for (const d of drafts) {
      if (d.clusters.length > 0) continue;
      problems.push(
        problem(
          'warning',
          'apply-cycle',
          d.file,
          d.doc.line,
          `Kustomization ${d.doc.name} is only applied by Kustomizations it applies itself (a cycle); no cluster root.`,
        ),
      );
      reach(d, newCluster(d));
    }
    // Cluster names must be unique: fall back to the folder relative to its root.
    const counts = new Map<string, number>();
    for (const c of clusters) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
    for (const c of clusters) {
      if ((counts.get(c.name) ?? 0) > 1) {
        const old = c.name;
        c.name = relSlash(this.rootOf(c.folder), c.folder) || c.name;
        for (const d of members.get(c)!) d.clusters = d.clusters.map((n) => (n === old ? c.name : n));
      }
    }

    // dependsOn, resolved within the cluster first; order each cluster by dependency.
    const findKs = (ns: string, name: string, within: Draft[]): Draft | undefined =>
      within.find((x) => x.doc.name === name && x.namespace === ns) ??
      drafts.find((x) => x.doc.name === name && x.namespace === ns);
    const deps = new Map<Draft, Draft[]>();
    for (const c of clusters) {
      const list = members.get(c)!;
      for (const d of list) {
        const resolved: Draft[] = [];
        for (const r of d.spec.dependsOn) {
          const t = findKs(r.namespace || d.namespace, r.name, list);
          if (t) resolved.push(t);
        }
        deps.set(d, resolved);
      }
      c.kustomizations = dependencyOrder(list, deps).map((d) => d.key);
    }
    reportDependencyCycles(drafts, deps, problems);

    // Kustomizations in the model.
    const kustomizations = new Map<string, FluxKustomization>();
    for (const d of drafts) {
      const entries = this.entriesOf(d);
      kustomizations.set(d.key, {
        key: d.key,
        name: d.doc.name,
        namespace: d.namespace,
        apiVersion: d.doc.apiVersion,
        file: d.file,
        line: d.doc.line,
        cluster: d.clusters[0] ?? '',
        clusters: d.clusters,
        specPath: d.spec.path,
        resolvedPath: d.resolvedPath,
        external: d.external,
        dependsOn: d.spec.dependsOn.map((r) => `${r.namespace || d.namespace}/${r.name}`),
        sourceRef: d.spec.sourceRef
          ? {
              kind: d.spec.sourceRef.kind,
              name: d.spec.sourceRef.name,
              namespace: d.spec.sourceRef.namespace || d.namespace,
            }
          : null,
        interval: d.spec.interval,
        suspend: d.spec.suspend,
        targetNamespace: d.spec.targetNamespace,
        decryption: d.spec.decryption,
        files: [...new Set(d.applied.map((a) => a.file))],
        entries,
        parent: d.parent?.key ?? null,
      });
    }

    // Files read: discovered ones and those applied from outside the roots.
    const parsedFiles = new Set<string>(discovered);
    for (const d of drafts) for (const a of d.applied) parsedFiles.add(a.file);

    // Orphans: files with manifests that nothing applies.
    const appliedFiles = new Set(appliers.keys());
    const appliedAncestors = new Set<string>();
    for (const f of appliedFiles) {
      for (let dir = path.dirname(f); !appliedAncestors.has(dir);) {
        appliedAncestors.add(dir);
        const up = path.dirname(dir);
        if (up === dir) break;
        dir = up;
      }
    }
    // Files defining a cluster root are applied by hand (flux bootstrap), not orphans.
    const rootFiles = new Set(drafts.filter((d) => !d.parent && !misplaced.includes(d)).map((d) => d.file));
    const orphans: string[] = [];
    const units = new Map<string, OrphanUnit & { anchor: string | null; firstLine: number }>();
    for (const f of discovered) {
      if (appliedFiles.has(f) || inputs.has(f) || rootFiles.has(f)) continue;
      const parsed = this.cache.file(f).parsed;
      if (!parsed || !parsed.hasManifests) continue;
      orphans.push(f);
      const root = this.rootOf(f);
      let child = f;
      let dir = path.dirname(f);
      let anchor: string | null = null;
      let skip = false;
      for (;;) {
        if (visited.has(dir)) {
          anchor = dir;
          break;
        }
        if (broken.has(dir)) {
          skip = true;
          break;
        }
        if (appliedAncestors.has(dir) || dir === root || !isWithin(root, dir)) break;
        child = dir;
        dir = path.dirname(dir);
      }
      let unit = units.get(child);
      if (!unit) {
        const host = anchor ? visited.get(anchor)! : null;
        unit = {
          path: child,
          isFolder: child !== f,
          files: [],
          kustomization: host ? host.draft.key : null,
          cluster: host ? (host.draft.clusters[0] ?? null) : null,
          listedIn: host?.kfile ?? null,
          anchor: skip ? '' : anchor,
          firstLine: parsed.docs[0]?.line ?? 1,
        };
        units.set(child, unit);
      }
      unit.files.push(f);
    }
    const orphanUnits: OrphanUnit[] = [];
    for (const u of units.values()) {
      const { anchor, firstLine, ...unit } = u;
      orphanUnits.push(unit);
      if (anchor === '') continue;
      const root = this.rootOf(u.path);
      const shown = relSlash(root, u.path) + (u.isFolder ? '/' : '');
      if (u.listedIn) {
        const kcfg = this.cache.file(u.listedIn).parsed?.kustomize;
        const rel = relSlash(path.dirname(u.listedIn), u.path) + (u.isFolder ? '/' : '');
        problems.push(
          problem(
            'error',
            'not-applied',
            u.listedIn,
            kcfg?.resourcesLine ?? kcfg?.line ?? 1,
            `${u.isFolder ? 'Folder' : 'File'} ${shown} has manifests that no Flux Kustomization applies: add "${rel}" to the resources of ${relSlash(root, u.listedIn)}.`,
          ),
        );
      } else {
        problems.push(
          problem(
            'warning',
            'not-applied',
            u.files[0],
            firstLine,
            `${u.isFolder ? 'Folder' : 'File'} ${shown} has manifests that no Flux Kustomization applies.`,
          ),
        );
      }
    }

    const st: State = {
      discovered,
      parsedFiles,
      drafts,
      appliers,
      orphanFiles: new Set(orphans),
      structProblems: problems,
      draftProblems: new Map(),
      fileProblems: new Map(),
      objectsByFile: new Map(),
      known: new Set(),
      model: {
        roots: [...this.roots],
        clusters,
        kustomizations,
        objects: [],
        orphans,
        orphanUnits,
        problems: [],
        remoteResources: dedupeBy(remote, (r) => `${r.file}:${r.line}:${r.url}`),
      },
    };
    // Objects in kustomize order of the Kustomizations, then those of orphan files.
    for (const d of drafts)
      for (const a of d.applied) if (!st.objectsByFile.has(a.file)) this.buildObjects(st, a.file);
    for (const f of orphans) if (!st.objectsByFile.has(f)) this.buildObjects(st, f);
    for (const list of st.objectsByFile.values())
      for (const o of list) st.known.add(`${o.kind}/${o.namespace}/${o.name}`);
    for (const f of parsedFiles) {
      for (const doc of this.cache.file(f).parsed?.docs ?? [])
        st.known.add(`${doc.kind}/${doc.namespace}/${doc.name}`);
    }
    this.checkDraftReferences(st, problems);
    for (const d of drafts) st.draftProblems.set(d, this.draftChecks(d));
    for (const f of parsedFiles) st.fileProblems.set(f, this.fileChecks(st, f));
    this.state = st;
    return this.publish(st);
  }

  /** Assembles the model from the cached pieces. */
  private publish(st: State): RepoModel {
    const objects: ManifestObject[] = [];
    for (const list of st.objectsByFile.values()) for (const o of list) objects.push(o);
    const problems = [...st.structProblems];
    for (const l of st.draftProblems.values()) problems.push(...l);
    for (const l of st.fileProblems.values()) problems.push(...l);
    const model: RepoModel = { ...st.model, objects, problems: dedupeProblems(problems) };
    this.current = model;
    return model;
  }

  /**
   * The incremental path: a manifest's content changed but not what it declares (same objects,
   * no Flux Kustomization or source in it), so the graph stands and only that file's objects
   * and checks are redone. Returns null when a full rebuild is needed.
   */
  private tryContentUpdate(file: string, before: ParsedFile | null): RepoModel | null {
    const st = this.state;
    if (!st || !before || !st.parsedFiles.has(file)) return null;
    if (KUSTOMIZATION_FILES.includes(path.basename(file))) return null;
    const after = this.cache.file(file).parsed;
    if (!after || after.kustomize || before.kustomize) return null;
    const shape = (p: ParsedFile): string =>
      p.docs.map((d) => `${d.index}|${d.apiVersion}|${d.kind}|${d.namespace}|${d.name}`).join('\n');
    const declares = (p: ParsedFile): boolean => p.docs.some((d) => d.fluxKs || d.url !== undefined);
    if (declares(before) || declares(after) || shape(before) !== shape(after)) return null;
    this.buildObjects(st, file);
    for (const { d } of st.appliers.get(file) ?? []) st.draftProblems.set(d, this.draftChecks(d));
    st.fileProblems.set(file, this.fileChecks(st, file));
    return this.publish(st);
  }

  /** (Re)builds the objects of one file from the Kustomizations that apply it. */
  private buildObjects(st: State, file: string): void {
    const parsed = this.cache.file(file).parsed;
    const list: ManifestObject[] = [];
    st.objectsByFile.set(file, list);
    if (!parsed) return;
    const byId = new Map<string, ManifestObject>();
    const appliers = st.appliers.get(file);
    for (const doc of parsed.docs) {
      if (isKustomizeConfig(doc.apiVersion)) continue;
      if (!appliers) {
        if (st.orphanFiles.has(file)) list.push(this.objectOf(file, doc, doc.namespace, doc.name));
        continue;
      }
      for (const { d, a } of appliers) {
        const { ns, name } = identity(doc, d, a);
        const id = `${doc.index}#${ns}#${name}`;
        let o = byId.get(id);
        if (!o) {
          o = this.objectOf(file, doc, ns, name);
          byId.set(id, o);
          list.push(o);
        }
        if (!o.appliedBy.includes(d.key)) o.appliedBy.push(d.key);
      }
    }
  }

  /** Duplicate identities and SOPS files without decryption, for one Kustomization. */
  private draftChecks(d: Draft): Problem[] {
    const problems: Problem[] = [];
    const seen = new Map<string, SourceLocation>();
    for (const a of d.applied) {
      const parsed = this.cache.file(a.file).parsed;
      if (!parsed) continue;
      for (const doc of parsed.docs) {
        if (isKustomizeConfig(doc.apiVersion)) continue;
        const { ns, name } = identity(doc, d, a);
        const id = `${group(doc.apiVersion)}|${doc.kind}|${ns}|${name}`;
        const first = seen.get(id);
        const shown = `${doc.kind} ${ns ? ns + '/' : ''}${name}`;
        if (first) {
          const msg =
            first.file === a.file && first.line === doc.line
              ? `${shown} is listed twice in Kustomization ${d.doc.name}.`
              : `${shown} is also defined at ${relSlash(d.base, first.file)}:${first.line}; Kustomization ${d.doc.name} cannot apply both.`;
          problems.push(problem('error', 'duplicate-object', a.file, doc.line, msg));
          continue;
        }
        seen.set(id, { file: a.file, line: doc.line });
        if (doc.sopsEncrypted && !d.spec.decryption) {
          problems.push(
            problem(
              'error',
              'sops-no-decryption',
              a.file,
              doc.line,
              `${doc.kind} ${name} is SOPS-encrypted but Kustomization ${d.doc.name} has no spec.decryption; reconciliation will fail.`,
            ),
          );
        }
      }
    }
    return problems;
  }

  /** Problems that depend on one file only: parsing, plaintext Secrets, HelmRelease references. */
  private fileChecks(st: State, file: string): Problem[] {
    const problems: Problem[] = [];
    const fs0 = this.cache.file(file);
    if (fs0.skipped) problems.push(fs0.skipped);
    for (const e of fs0.parsed?.errors ?? []) {
      problems.push(problem('error', 'yaml-syntax', file, e.line, `YAML syntax error: ${e.message}`));
    }
    const docs = fs0.parsed?.docs ?? [];
    const seen = new Set<string>();
    for (const o of st.objectsByFile.get(file) ?? []) {
      const doc = docs.find((x) => x.index === o.documentIndex);
      if (!doc) continue;
      if (doc.helm && !seen.has(`hr#${doc.index}`)) {
        seen.add(`hr#${doc.index}`);
        const ns = o.namespace;
        const h = doc.helm;
        if (h.sourceRef)
          this.checkRef(st, problems, h.sourceRef, ns, 'HelmRepository', file, 'Chart sourceRef');
        if (h.chartRef) this.checkRef(st, problems, h.chartRef, ns, 'OCIRepository', file, 'chartRef');
        for (const r of h.dependsOn) this.checkRef(st, problems, r, ns, 'HelmRelease', file, 'dependsOn');
      }
      if (o.kind === 'Secret' && o.sops === 'plaintext' && doc.secretHasData && !seen.has(`s#${doc.index}`)) {
        seen.add(`s#${doc.index}`);
        const cfg = this.sopsConfigFor(file);
        const rule = cfg ? matchingSopsRule(cfg.rules, relSlash(path.dirname(cfg.file), file)) : null;
        if (cfg && rule) {
          problems.push(
            problem(
              'error',
              'plaintext-secret',
              file,
              o.line,
              `Secret ${o.name} is not encrypted, but ${relSlash(this.rootOf(file), cfg.file)} says this file must be (${rule.source ? 'path_regex ' + rule.source : 'catch-all rule'}). Encrypt it with sops before committing.`,
            ),
          );
        } else {
          problems.push(
            problem(
              'warning',
              'plaintext-secret',
              file,
              o.line,
              `Secret ${o.name} is stored in plain text in Git.`,
            ),
          );
        }
      }
    }
    return problems;
  }

  private checkRef(
    st: State,
    problems: Problem[],
    ref: RefAt,
    defaultNs: string,
    defaultKind: string,
    file: string,
    what: string,
  ): void {
    const kind = ref.kind || defaultKind;
    const ns = ref.namespace || defaultNs;
    if (st.known.has(`${kind}/${ns}/${ref.name}`)) return;
    problems.push(
      problem(
        'warning',
        'unresolved-reference',
        file,
        ref.line,
        `${what} ${kind} ${ns}/${ref.name} is not in the repository (it may exist only in the cluster).`,
      ),
    );
  }

  private checkDraftReferences(st: State, problems: Problem[]): void {
    for (const d of st.drafts) {
      if (d.spec.sourceRef)
        this.checkRef(st, problems, d.spec.sourceRef, d.namespace, 'GitRepository', d.file, 'sourceRef');
      for (const r of d.spec.dependsOn)
        this.checkRef(st, problems, r, d.namespace, 'Kustomization', d.file, 'dependsOn');
    }
  }

  private objectOf(file: string, doc: DocSummary, namespace: string, name: string): ManifestObject {
    const o: ManifestObject = {
      file,
      line: doc.line,
      apiVersion: doc.apiVersion,
      kind: doc.kind,
      name,
      namespace,
      documentIndex: doc.index,
      appliedBy: [],
      sops: doc.sopsEncrypted ? 'encrypted' : doc.kind === 'Secret' ? 'plaintext' : null,
    };
    if (doc.helm) o.chart = { name: doc.helm.chart, version: doc.helm.version };
    return o;
  }

  private entriesOf(d: Draft): KustomizationEntry[] {
    const byTop = new Map<string, string[]>();
    for (const a of d.applied) {
      let l = byTop.get(a.top);
      if (!l) byTop.set(a.top, (l = []));
      if (!l.includes(a.file)) l.push(a.file);
    }
    const order = d.topOrder.length > 0 ? d.topOrder.filter((t) => byTop.has(t)) : [...byTop.keys()];
    for (const t of byTop.keys()) if (!order.includes(t)) order.push(t);
    const all = [...new Set(order)].map((t) => ({
      name: path.basename(t),
      path: t,
      isFolder: this.cache.kind(t) === 'dir',
      files: byTop.get(t)!,
    }));
    // Folders first (the apps), then loose files, each group in kustomize order.
    return [...all.filter((e) => e.isFolder), ...all.filter((e) => !e.isFolder)];
  }
}

/** Effective namespace and name of a document as one Kustomization applies it. */
function identity(doc: DocSummary, d: Draft, a: Applied): { ns: string; name: string } {
  const ns = CLUSTER_SCOPED.has(doc.kind) ? '' : (d.spec.targetNamespace ?? a.ns ?? doc.namespace);
  const name = doc.kind === 'CustomResourceDefinition' ? doc.name : a.prefix + doc.name + a.suffix;
  return { ns, name };
}

function dependencyOrder(list: Draft[], deps: Map<Draft, Draft[]>): Draft[] {
  // Kahn's algorithm, keeping discovery order (root first) among independent Kustomizations.
  const inCluster = new Set(list);
  const pending = new Map<Draft, number>();
  for (const d of list) pending.set(d, (deps.get(d) ?? []).filter((x) => inCluster.has(x) && x !== d).length);
  const out: Draft[] = [];
  const done = new Set<Draft>();
  while (out.length < list.length) {
    let next = list.find((d) => !done.has(d) && pending.get(d) === 0);
    // A dependency cycle: take the next one in discovery order and carry on.
    if (!next) next = list.find((d) => !done.has(d))!;
    done.add(next);
    out.push(next);
    for (const d of list) {
      if (!done.has(d) && (deps.get(d) ?? []).includes(next)) pending.set(d, (pending.get(d) ?? 1) - 1);
    }
  }
  return out;
}

function reportDependencyCycles(drafts: Draft[], deps: Map<Draft, Draft[]>, problems: Problem[]): void {
  const state = new Map<Draft, 1 | 2>();
  const reported = new Set<string>();
  const stack: Draft[] = [];
  const visit = (d: Draft): void => {
    state.set(d, 1);
    stack.push(d);
    for (const t of deps.get(d) ?? []) {
      const s = state.get(t);
      if (s === 1) {
        const cycle = stack.slice(stack.indexOf(t));
        const id = cycle
          .map((x) => x.key)
          .sort()
          .join(',');
        if (!reported.has(id)) {
          reported.add(id);
          const names = [...cycle, t].map((x) => x.doc.name).join(' → ');
          const ref = d.spec.dependsOn.find((r) => r.name === t.doc.name);
          problems.push(
            problem(
              'error',
              'dependency-cycle',
              d.file,
              ref?.line ?? d.doc.line,
              `Kustomizations depend on each other in a cycle: ${names}; none of them will ever be ready.`,
            ),
          );
        }
      } else if (s === undefined) {
        visit(t);
      }
    }
    stack.pop();
    state.set(d, 2);
  };
  for (const d of drafts) if (!state.has(d)) visit(d);
}

function dedupeBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = key(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function dedupeProblems(problems: Problem[]): Problem[] {
  return dedupeBy(problems, (p) => `${p.file}:${p.line}:${p.code}:${p.message}`);
}

/** Scans folders once and returns the model (see {@link RepoIndex} for incremental updates). */
export function scanRepository(roots: string[], options?: ScanOptions): RepoModel {
  return new RepoIndex(roots, options).scan();
}
