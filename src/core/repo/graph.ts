/**
 * The Flux graph: from each sync root, what every Flux Kustomization builds (kustomize, then
 * postBuild substitution), which Kustomizations those builds hold, and which source each one
 * reads: this checkout (at the Git root, an OCI artifact's folder or an ArtifactGenerator's
 * copy), or something outside it.
 */
import * as path from 'node:path';
import { isWithin, relSlash } from './fsCache';
import { buildFolder, identityOf, meta, type BuildContext, type BuildHost, type Rendered } from './kustomize';
import { asObj, isSopsEncrypted, str, type Obj } from './values';
import type { Problem } from './model';
import {
  declaredRoots,
  isFluxKustomization,
  type RepoDoc,
  type RootHost,
  type SyncRoot,
  type SyncSource,
} from './roots';
import { substituteObject, type Variables } from './substitute';
import { linesOf } from './yaml';
import { normaliseGitUrl } from '../git/remotes';

export interface GraphHost extends BuildHost, RootHost {
  /** Folder every spec.path of this repository is relative to (the Git root). */
  gitRoot: string;
  /** Normalised remote URLs of the checkout (empty without .git). */
  remotes: Set<string>;
  branch: string | undefined;
  hasGit: boolean;
  /** Reads the folder (an OCI artifact's) with only the .sourceignore files inside it. */
  artifactFolder(dir: string): void;
}

export interface FluxNode {
  name: string;
  namespace: string;
  apiVersion: string;
  file: string;
  line: number;
  docIndex: number;
  /** spec after the parent's patches and substitution. */
  spec: Obj;
  parent: FluxNode | null;
  external: boolean;
  /** Folder of the source root in this checkout (null when external). */
  base: string | null;
  resolvedPath: string;
  objects: Rendered[];
  problems: Problem[];
  visited: Map<string, string | null>;
  inputs: Set<string>;
  broken: Set<string>;
  remote: BuildContext['remote'];
  /** Entries of its path's own kustomization.yaml, for the tree's order. */
  topOrder: string[];
  /** Where its source was found when it was built (kept so that a rebuild reads the same). */
  located: Located | null;
}

export interface ClusterGraph {
  name: string;
  folder: string;
  root: SyncRoot;
  nodes: FluxNode[];
  /** Why the sync's folder was chosen, when it was a guess (OCI artifacts). */
  note: string | null;
  /** The source the root reads, with its URL and ref when the repository declares them. */
  source: SyncSource;
  /** Folder of the root's source in this checkout. */
  rootBase: string;
}

export interface Graph {
  clusters: ClusterGraph[];
  /** `Kind/namespace/name` of every source the repository declares or generates. */
  sources: string[];
}

/** spec.path relative to the source root: Flux strips a leading ./ and joins it securely. */
export function specRel(p: string): string {
  return p
    .replace(/\\/g, '/')
    .replace(/^(\.\/|\/)+/, '')
    .replace(/^\.$/, '');
}

interface SourceInfo {
  kind: string;
  name: string;
  namespace: string;
  url: string | null;
  branch: string | null;
  /** ArtifactGenerator copy operations for an ExternalArtifact. */
  copies?: Array<{ fromSource: string; from: string; to: string }>;
}

/** What a source reference resolves to in this checkout. */
export interface Located {
  local: boolean;
  base: string | null;
  /** Maps a path of the artifact to a folder of the checkout (ExternalArtifact copies). */
  map?: (rel: string) => string | null;
}

export class FluxGraphBuilder {
  private readonly docs: RepoDoc[];
  private readonly sources = new Map<string, SourceInfo>();
  private readonly ociBases = new Map<string, { folder: string; note: string | null }>();
  /** Every cluster built, also those dropped (candidates that do not apply themselves, inferred roots applied by others). */
  readonly built: ClusterGraph[] = [];

  constructor(
    private readonly host: GraphHost,
    docs: RepoDoc[],
    private readonly files: string[],
    private readonly ociFolderOverride: string | null = null,
  ) {
    this.docs = docs;
    for (const d of docs) this.registerSource(d.value, str(meta(d.value).namespace) || null);
  }

  private registerSource(o: Obj, namespace: string | null): void {
    const kind = str(o.kind) ?? '';
    const apiVersion = str(o.apiVersion) ?? '';
    const m = meta(o);
    const name = str(m.name) ?? '';
    const spec = asObj(o.spec) ?? {};
    if (
      apiVersion.startsWith('source.toolkit.fluxcd.io/') &&
      ['GitRepository', 'OCIRepository', 'Bucket'].includes(kind)
    ) {
      const ref = asObj(spec.ref);
      const info: SourceInfo = {
        kind,
        name,
        namespace: namespace ?? '',
        url: str(spec.url) ?? str(spec.endpoint),
        branch: ref ? (str(ref.branch) ?? (str(ref.name)?.replace(/^refs\/heads\//, '') || null)) : null,
      };
      this.setSource(info);
    } else if (kind === 'ArtifactGenerator' && apiVersion.startsWith('source.extensions.fluxcd.io/')) {
      const aliases = new Map<string, string>();
      for (const s of Array.isArray(spec.sources) ? spec.sources : []) {
        const so = asObj(s);
        if (so)
          aliases.set(
            str(so.alias) ?? '',
            `${str(so.kind) ?? 'GitRepository'}/${str(so.namespace) ?? namespace ?? ''}/${str(so.name) ?? ''}`,
          );
      }
      for (const a of Array.isArray(spec.artifacts) ? spec.artifacts : []) {
        const ao = asObj(a);
        if (!ao) continue;
        const copies: SourceInfo['copies'] = [];
        for (const c of Array.isArray(ao.copy) ? ao.copy : []) {
          const co = asObj(c);
          const from = str(co?.from) ?? '';
          const to = str(co?.to) ?? '';
          const fm = /^@([^/]+)\/?(.*)$/.exec(from);
          if (!fm) continue;
          copies.push({
            fromSource: aliases.get(fm[1]) ?? '',
            from: fm[2],
            to: to.replace(/^@artifact\/?/, ''),
          });
        }
        this.setSource({
          kind: 'ExternalArtifact',
          name: str(ao.name) ?? '',
          namespace: namespace ?? '',
          url: null,
          branch: null,
          copies,
        });
      }
    }
  }

  private setSource(info: SourceInfo): void {
    this.sources.set(`${info.kind}/${info.namespace}/${info.name}`, info);
    // Documents without a namespace get theirs from a kustomization.yaml: find them by name too.
    if (!this.sources.has(`${info.kind}//${info.name}`)) this.sources.set(`${info.kind}//${info.name}`, info);
  }

  private findSource(kind: string, namespace: string, name: string): SourceInfo | undefined {
    return this.sources.get(`${kind}/${namespace}/${name}`) ?? this.sources.get(`${kind}//${name}`);
  }

  /** The folder of this checkout an OCI sync root's artifact is pushed from. */
  private ociFolder(rel: string): { folder: string; note: string | null } {
    const cached = this.ociBases.get(rel);
    if (cached) return cached;
    const gitRoot = this.host.gitRoot;
    let result: { folder: string; note: string | null } = { folder: gitRoot, note: null };
    if (this.ociFolderOverride) {
      result = {
        folder: path.resolve(gitRoot, this.ociFolderOverride),
        note: `the OCI artifact's folder is ${this.ociFolderOverride} (setting)`,
      };
    } else if (this.host.kind(path.resolve(gitRoot, rel)) !== 'dir' || rel === '') {
      // `flux push artifact --path=<folder>`: the folder in which the sync path exists and holds Flux objects.
      const marker = `/${rel}/`;
      const counts = new Map<string, number>();
      for (const f of this.files) {
        const slashed = f.split(path.sep).join('/');
        const i = slashed.indexOf(marker);
        if (i < 0) continue;
        const folder = slashed.slice(0, i).split('/').join(path.sep);
        if (!isWithin(gitRoot, folder)) continue;
        counts.set(folder, (counts.get(folder) ?? 0) + 1);
      }
      const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].length - b[0].length)[0];
      if (best) {
        result = {
          folder: best[0],
          note: `The OCI artifact is taken to be pushed from ${relSlash(gitRoot, best[0]) || '.'}/ (where ${rel} exists); set fluxGitops.ociArtifactFolder to change it.`,
        };
      }
    }
    this.ociBases.set(rel, result);
    return result;
  }

  private locate(kind: string, namespace: string, name: string, root: SyncRoot, rootBase: string): Located {
    const rootSource = root.source ?? {
      kind: str(asObj(root.spec.sourceRef)?.kind) ?? 'GitRepository',
      name: str(asObj(root.spec.sourceRef)?.name) ?? '',
      namespace: str(asObj(root.spec.sourceRef)?.namespace) ?? root.namespace,
    };
    const isRootSource =
      kind === rootSource.kind && name === rootSource.name && namespace === rootSource.namespace;
    if (isRootSource) return { local: true, base: rootBase };
    const info = this.findSource(kind, namespace, name);
    if (kind === 'GitRepository') {
      if (!info) return { local: false, base: null };
      const key = info.url ? normaliseGitUrl(info.url) : undefined;
      if (!key || !this.host.hasGit) {
        // Without .git only the root's own source is known to be this checkout.
        const same = !!key && !!root.source?.url && key === normaliseGitUrl(root.source.url);
        return same ? { local: true, base: this.host.gitRoot } : { local: false, base: null };
      }
      const sameUrl = this.host.remotes.has(key);
      const sameBranch = !info.branch || !this.host.branch || info.branch === this.host.branch;
      return sameUrl && sameBranch ? { local: true, base: this.host.gitRoot } : { local: false, base: null };
    }
    if (kind === 'OCIRepository') {
      if (info?.url && root.source?.kind === 'OCIRepository' && info.url === root.source.url)
        return { local: true, base: rootBase };
      return { local: false, base: null };
    }
    if (kind === 'ExternalArtifact' && info?.copies) {
      const copies = info.copies.map((c) => {
        const [k, ns, n] = c.fromSource.split('/');
        return { ...c, where: this.locate(k, ns || namespace, n, root, rootBase) };
      });
      if (copies.length === 0 || !copies.every((c) => c.where.local && c.where.base))
        return { local: false, base: null };
      return {
        local: true,
        base: copies[0].where.base,
        map: (rel: string) => {
          for (const c of copies) {
            const to = c.to.replace(/\/?\*\*.*$/, '').replace(/\/+$/, '');
            const from = c.from.replace(/\/?\*\*.*$/, '').replace(/\/+$/, '');
            if (to === '' || rel === to || rel.startsWith(to + '/')) {
              const rest = to === '' ? rel : rel.slice(to.length).replace(/^\//, '');
              const candidate = path.resolve(c.where.base!, from, rest);
              if (this.host.kind(candidate) === 'dir') return candidate;
            }
          }
          return null;
        },
      };
    }
    return { local: false, base: null };
  }

  /** Variables of a Kustomization's postBuild, from its spec and the ConfigMaps/Secrets it names. */
  private variables(
    spec: Obj,
    namespace: string,
    known: Rendered[],
  ): { vars: Variables; opaque: boolean } | null {
    const postBuild = asObj(spec.postBuild);
    if (!postBuild) return null;
    const vars: Variables = new Map();
    let opaque = false;
    for (const ref of Array.isArray(postBuild.substituteFrom) ? postBuild.substituteFrom : []) {
      const r = asObj(ref);
      if (!r) continue;
      const kind = str(r.kind) ?? 'ConfigMap';
      const name = str(r.name) ?? '';
      const found =
        known.find(
          (o) =>
            o.value.kind === kind &&
            identityOf(o.value).name === name &&
            (identityOf(o.value).namespace || namespace) === namespace,
        )?.value ?? this.docs.find((d) => d.value.kind === kind && identityOf(d.value).name === name)?.value;
      if (!found) {
        if (r.optional !== true) opaque = true;
        continue;
      }
      const encrypted = isSopsEncrypted(found);
      const data = asObj(found.data) ?? {};
      const stringData = asObj(found.stringData) ?? {};
      for (const [k, v] of Object.entries(data)) {
        if (encrypted) vars.set(k, null);
        else if (kind === 'Secret') vars.set(k, Buffer.from(String(v), 'base64').toString('utf8'));
        else vars.set(k, str(v) ?? '');
      }
      for (const [k, v] of Object.entries(stringData)) vars.set(k, encrypted ? null : (str(v) ?? ''));
    }
    for (const [k, v] of Object.entries(asObj(postBuild.substitute) ?? {})) vars.set(k, str(v) ?? '');
    return { vars, opaque };
  }

  private buildNode(node: FluxNode, root: SyncRoot, rootBase: string, known: Rendered[]): void {
    const spec = node.spec;
    let where = node.located;
    if (!where) {
      const ref = asObj(spec.sourceRef);
      const kind = str(ref?.kind) ?? 'GitRepository';
      const name = str(ref?.name) ?? '';
      const ns = str(ref?.namespace) || node.namespace;
      where = node.located = this.locate(kind, ns, name, root, rootBase);
    }
    const specPath = str(spec.path) ?? '';
    const rel = specRel(specPath);
    const pathLine = this.host.lineOf(spec, 'path') ?? node.line;
    if (!where.local || !where.base) {
      node.external = true;
      node.resolvedPath = '';
      return;
    }
    node.base = where.base;
    let dir = path.resolve(where.base, rel);
    if (where.map) {
      const mapped = where.map(rel);
      if (mapped) dir = mapped;
    }
    node.resolvedPath = dir;
    // A ResourceSet's template (`<< inputs.x >>`) is filled in by the Flux Operator for each input.
    const templated = /<<.*>>/.test(rel);
    if (rel.includes('${') || templated) {
      node.problems.push({
        severity: 'info',
        code: 'symbolic-path',
        file: node.file,
        line: pathLine,
        message: templated
          ? `spec.path "${specPath}" is a ResourceSet template that the Flux Operator fills in for each input; not followed.`
          : `spec.path "${specPath}" depends on variables that only the cluster knows; not followed.`,
      });
      return;
    }
    if (!isWithin(where.base, dir)) {
      node.problems.push({
        severity: 'error',
        code: 'path-escapes',
        file: node.file,
        line: pathLine,
        message: `spec.path "${specPath}" points outside the repository; not followed.`,
      });
      return;
    }
    if (this.host.kind(dir) !== 'dir') {
      node.problems.push({
        severity: 'error',
        code: 'path-not-found',
        file: node.file,
        line: pathLine,
        message: `spec.path "${specPath}" does not exist in the repository.`,
      });
      return;
    }
    const ctx: BuildContext = {
      host: this.host,
      bound: this.host.gitRoot,
      problems: node.problems,
      remote: node.remote,
      inputs: node.inputs,
      visited: node.visited,
      broken: node.broken,
      stack: [],
    };
    const at = { file: node.file, line: pathLine };
    const components = (Array.isArray(spec.components) ? spec.components : [])
      .map((c) => str(c))
      .filter((c): c is string => !!c);
    let objects = buildFolder(
      dir,
      ctx,
      {
        namespace: str(spec.targetNamespace),
        patches: Array.isArray(spec.patches) ? spec.patches : [],
        components,
        at,
      },
      at,
    );
    const kfile = this.host.kustomizationFile(dir);
    if (kfile) {
      const cfg = this.host.kustomizeValue(kfile) ?? {};
      for (const key of ['resources', 'bases', 'components']) {
        const list = cfg[key];
        for (const e of Array.isArray(list) ? list : [])
          if (typeof e === 'string') node.topOrder.push(path.resolve(dir, e));
      }
    }
    const vars = this.variables(spec, node.namespace, known);
    if (vars) {
      objects = objects.map((o) => {
        const v = substituteObject(o.value, vars.vars, vars.opaque);
        return v === o.value ? o : { ...o, value: v, owned: false };
      });
    }
    node.objects = objects;
  }

  private newNode(
    fields: Pick<
      FluxNode,
      'name' | 'namespace' | 'apiVersion' | 'file' | 'line' | 'docIndex' | 'spec' | 'parent'
    >,
  ): FluxNode {
    return { ...fields, ...unbuilt(), located: null };
  }

  /**
   * Builds a node of `cluster` again, in place, after files its build read changed. The objects
   * of the nodes before it are what its postBuild could read, as in the first build; whether
   * the result still fits the rest of the graph is for the caller to tell (see {@link nodeShape}).
   */
  rebuildNode(cluster: ClusterGraph, node: FluxNode): void {
    const known: Rendered[] = [];
    for (const n of cluster.nodes) {
      if (n === node) break;
      for (const o of n.objects) known.push(o);
    }
    Object.assign(node, unbuilt());
    this.buildNode(node, cluster.root, cluster.rootBase, known);
  }

  private buildCluster(root: SyncRoot): ClusterGraph {
    const rel = specRel(str(root.spec.path) ?? '');
    let rootBase = this.host.gitRoot;
    let note: string | null = null;
    if (root.source?.kind === 'OCIRepository') {
      const oci = this.ociFolder(rel);
      rootBase = oci.folder;
      note = oci.note;
      if (rootBase !== this.host.gitRoot) this.host.artifactFolder(rootBase);
    }
    const rootNode = this.newNode({
      name: root.name,
      namespace: root.namespace,
      apiVersion: root.apiVersion,
      file: root.file,
      line: root.line,
      docIndex: root.docIndex,
      spec: root.spec,
      parent: null,
    });
    const nodes: FluxNode[] = [rootNode];
    const byId = new Map<string, FluxNode>([[`${root.namespace}/${root.name}`, rootNode]]);
    const known: Rendered[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      this.buildNode(node, root, rootBase, known);
      for (const o of node.objects) {
        known.push(o);
        this.registerSource(o.value, identityOf(o.value).namespace || node.namespace);
      }
      for (const o of node.objects) {
        if (!isFluxKustomization(o.value)) continue;
        const id = identityOf(o.value);
        const namespace = id.namespace || node.namespace;
        const key = `${namespace}/${id.name}`;
        if (byId.has(key)) continue;
        const child = this.newNode({
          name: id.name,
          namespace,
          apiVersion: id.apiVersion,
          file: o.file,
          line: o.line,
          docIndex: o.docIndex,
          spec: asObj(o.value.spec) ?? {},
          parent: node,
        });
        byId.set(key, child);
        nodes.push(child);
      }
    }
    const folder = rootNode.resolvedPath || path.dirname(root.file);
    const cluster: ClusterGraph = {
      name: path.basename(rel || folder) || path.basename(folder),
      folder,
      root,
      nodes,
      note,
      source: this.rootSource(root),
      rootBase,
    };
    this.built.push(cluster);
    return cluster;
  }

  /** The root's source: as the FluxInstance declares it, else the repository's source object. */
  private rootSource(root: SyncRoot): SyncSource {
    if (root.source) return root.source;
    const ref = asObj(root.spec.sourceRef);
    const kind = str(ref?.kind) ?? 'GitRepository';
    const name = str(ref?.name) ?? '';
    const namespace = str(ref?.namespace) || root.namespace;
    const info = this.findSource(kind, namespace, name);
    return { kind, name, namespace, url: info?.url ?? null, ref: info?.branch ?? null };
  }

  build(): Graph {
    const roots = declaredRoots(this.host.gitRoot, this.files, this.docs, this.host);
    const clusters: ClusterGraph[] = [];
    const reached = new Set<string>();
    const mark = (c: ClusterGraph): void => {
      for (const n of c.nodes)
        for (const o of n.objects) if (o.docIndex >= 0) reached.add(`${o.file}#${o.docIndex}`);
    };
    for (const root of roots) {
      const c = this.buildCluster(root);
      clusters.push(c);
      mark(c);
    }
    // Hand-made bootstraps: a Kustomization on a Git source whose own build holds its own file.
    const candidates = this.docs.filter((d) => {
      if (!isFluxKustomization(d.value)) return false;
      const spec = asObj(d.value.spec) ?? {};
      const ref = asObj(spec.sourceRef);
      if ((str(ref?.kind) ?? 'GitRepository') !== 'GitRepository') return false;
      const specPath = str(spec.path) ?? '';
      if (!isWithin(path.resolve(this.host.gitRoot, specRel(specPath)), d.file)) return false;
      // Its source must be this checkout: by URL when Git says, else it must name a path
      // (a Kustomization on another repository usually builds that repository's root).
      const source = this.findSource(
        'GitRepository',
        str(ref?.namespace) || str(meta(d.value).namespace) || '',
        str(ref?.name) ?? '',
      );
      const key = source?.url ? normaliseGitUrl(source.url) : undefined;
      if (this.host.hasGit) return !!key && this.host.remotes.has(key);
      return specRel(specPath) !== '';
    });
    for (const d of candidates) {
      if (reached.has(`${d.file}#${d.index}`)) continue;
      const root = this.kustomizationRoot(d, 'self-managed');
      const c = this.buildCluster(root);
      const self = c.nodes.some((n) => n.objects.some((o) => o.file === d.file && o.docIndex === d.index));
      if (!self) continue;
      clusters.push(c);
      mark(c);
    }
    if (clusters.length === 0) this.inferRoots(clusters);
    this.nameClusters(clusters);
    const sources = [...this.sources.values()].map((x) => `${x.kind}/${x.namespace}/${x.name}`);
    return { clusters, sources };
  }

  private kustomizationRoot(d: RepoDoc, kind: SyncRoot['kind']): SyncRoot {
    const m = meta(d.value);
    const spec = asObj(d.value.spec) ?? {};
    const ref = asObj(spec.sourceRef);
    const namespace = str(m.namespace) ?? 'flux-system';
    const sourceKind = str(ref?.kind) ?? 'GitRepository';
    const sourceNs = str(ref?.namespace) || namespace;
    const info = ref ? this.findSource(sourceKind, sourceNs, str(ref.name) ?? '') : undefined;
    const source = ref
      ? {
          kind: sourceKind,
          name: str(ref.name) ?? '',
          namespace: sourceNs,
          url: info?.url ?? null,
          ref: info?.branch ?? null,
        }
      : null;
    return {
      kind,
      name: str(m.name) ?? '',
      namespace,
      apiVersion: str(d.value.apiVersion) ?? '',
      spec,
      file: d.file,
      line: d.line,
      docIndex: d.index,
      source,
    };
  }

  /**
   * A repository without any sync root (a folder opened on its own, a fragment): the
   * Kustomizations on this checkout that no other one applies stand for roots, so the tree still
   * shows what they would apply.
   */
  private inferRoots(clusters: ClusterGraph[]): void {
    const ks = this.docs.filter((d) => isFluxKustomization(d.value));
    const built = ks.map((d) => this.buildCluster(this.kustomizationRoot(d, 'inferred')));
    const appliedByOther = new Set<string>();
    built.forEach((c, i) => {
      for (const n of c.nodes) {
        for (const o of n.objects) {
          if (o.docIndex < 0) continue;
          const k = `${o.file}#${o.docIndex}`;
          if (k !== `${ks[i].file}#${ks[i].index}`) appliedByOther.add(k);
        }
      }
    });
    const reached = new Set<string>();
    built.forEach((c, i) => {
      const k = `${ks[i].file}#${ks[i].index}`;
      if (appliedByOther.has(k) || reached.has(k)) return;
      if (c.nodes[0].external) return;
      clusters.push(c);
      for (const n of c.nodes) reached.add(`${n.file}#${n.docIndex}`);
    });
  }

  /** Cluster names are unique: the sync path's folder, with its parents when two share a name. */
  private nameClusters(clusters: ClusterGraph[]): void {
    for (let depth = 2; depth < 8; depth++) {
      const counts = new Map<string, number>();
      for (const c of clusters) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
      if ([...counts.values()].every((n) => n === 1)) return;
      for (const c of clusters) {
        if ((counts.get(c.name) ?? 0) < 2) continue;
        const rel = relSlash(this.host.gitRoot, c.folder).split('/').filter(Boolean);
        c.name = rel.slice(-depth).join('/') || c.name;
      }
    }
  }
}

/** A value as JSON with the lines of its keys and items (problems about it point at them). */
export function withLines(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object') return v;
    const lines = linesOf(v);
    // The copy has no lines of its own, so it is written as it is.
    return lines ? { lines, value: Array.isArray(v) ? [...v] : { ...v } } : v;
  });
}

/**
 * `Kind/name` of the ConfigMaps and Secrets whose data the graph reads (postBuild.substituteFrom
 * of Flux Kustomizations, valuesFrom of HelmReleases, which may hold a sync root).
 */
export function valueSources(docs: Iterable<{ value: Obj }>, nodes: Iterable<FluxNode>): Set<string> {
  const out = new Set<string>();
  const add = (refs: unknown, defaultKind: string): void => {
    for (const r of Array.isArray(refs) ? refs : []) {
      const ro = asObj(r);
      if (ro) out.add(`${str(ro.kind) ?? defaultKind}/${str(ro.name) ?? ''}`);
    }
  };
  for (const d of docs) {
    const spec = asObj(d.value.spec);
    if (!spec) continue;
    if (isFluxKustomization(d.value)) add(asObj(spec.postBuild)?.substituteFrom, 'ConfigMap');
    else if (d.value.kind === 'HelmRelease') add(spec.valuesFrom, 'ConfigMap');
  }
  for (const n of nodes) add(asObj(n.spec.postBuild)?.substituteFrom, 'ConfigMap');
  return out;
}

/** Objects whose content the rest of the graph reads: child Kustomizations, sources, postBuild inputs. */
function readByGraph(o: Obj, values: Set<string>): boolean {
  const kind = o.kind;
  if (kind === 'ConfigMap' || kind === 'Secret') return values.has(`${kind}/${identityOf(o).name}`);
  if (kind === 'ArtifactGenerator') return true;
  const apiVersion = typeof o.apiVersion === 'string' ? o.apiVersion : '';
  return isFluxKustomization(o) || apiVersion.startsWith('source.');
}

/**
 * What the rest of the model reads of a node's build: the identity and file of each object
 * (with the whole value and line of those other nodes read, `values` naming the ConfigMaps and
 * Secrets they read: see {@link valueSources}), the folders and files it went through, and
 * where its path resolved. When a rebuilt node keeps its shape, every other node, the sources,
 * the sync roots and what is left unapplied stay as they were.
 */
export function nodeShape(node: FluxNode, values: Set<string>): string {
  const parts: string[] = [String(node.external), node.base ?? '', node.resolvedPath];
  for (const o of node.objects) {
    const id = identityOf(o.value);
    parts.push(`${o.file}#${o.docIndex}#${id.apiVersion}#${id.kind}#${id.namespace}#${id.name}`);
    // A child Kustomization's line is its node's; other lines only matter to this node's records.
    if (readByGraph(o.value, values)) parts.push(String(o.line), withLines(o.value));
  }
  parts.push('visited');
  for (const [dir, file] of node.visited) parts.push(dir, file ?? '');
  parts.push('inputs', ...node.inputs, 'broken', ...node.broken);
  return parts.join('\n');
}

/** What a node's build fills in, before the build. */
function unbuilt(): Pick<
  FluxNode,
  | 'external'
  | 'base'
  | 'resolvedPath'
  | 'objects'
  | 'problems'
  | 'visited'
  | 'inputs'
  | 'broken'
  | 'remote'
  | 'topOrder'
> {
  return {
    external: false,
    base: null,
    resolvedPath: '',
    objects: [],
    problems: [],
    visited: new Map(),
    inputs: new Set(),
    broken: new Set(),
    remote: [],
    topOrder: [],
  };
}
