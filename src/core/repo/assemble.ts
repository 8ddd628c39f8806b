/**
 * From the Flux graph to the model the views read: one FluxKustomization per Kustomization
 * document, the objects each build applies (with the file and line that define them), clusters
 * in dependency order.
 */
import * as path from 'node:path';
import { isWithin } from './fsCache';
import type { ClusterGraph, FluxNode } from './graph';
import { clusterRoot, dependenciesOf, fluxDetails } from './details';
import { identityOf, type Rendered } from './kustomize';
import { asObj, isSopsEncrypted, str, type Obj } from './values';
import {
  kustomizationKey,
  type Cluster,
  type FluxKustomization,
  type KustomizationEntry,
  type ManifestObject,
  type Problem,
} from './model';

export function nodeKey(n: FluxNode): string {
  return kustomizationKey(n.namespace, n.name, n.file);
}

export interface Assembled {
  clusters: Cluster[];
  kustomizations: Map<string, FluxKustomization>;
  objects: ManifestObject[];
  problems: Problem[];
  /** The model key of a graph node (a document another cluster builds differently has its own). */
  keyOf(n: FluxNode): string;
}

/**
 * What one cluster's build of a Kustomization document comes to: its spec after the parents'
 * patches and substitution, where it reads, and the objects it applies. Two clusters share an
 * entry only when these agree (an overlay that patches spec.path gives the document two builds).
 */
function buildSignature(n: FluxNode): string {
  // A node that was not built again keeps its objects array, spec and path: its signature too.
  const memo = signatures.get(n.objects);
  if (memo && memo.spec === n.spec && memo.resolvedPath === n.resolvedPath && memo.external === n.external)
    return memo.signature;
  const signature = JSON.stringify([
    n.spec,
    n.resolvedPath,
    n.external,
    n.objects.map((o) => [o.file, o.docIndex, identityOf(o.value)]),
  ]);
  signatures.set(n.objects, { spec: n.spec, resolvedPath: n.resolvedPath, external: n.external, signature });
  return signature;
}

const signatures = new WeakMap<
  Rendered[],
  { spec: Obj; resolvedPath: string; external: boolean; signature: string }
>();

function sopsState(o: Obj): ManifestObject['sops'] {
  if (isSopsEncrypted(o)) return 'encrypted';
  return o.kind === 'Secret' ? 'plaintext' : null;
}

/** A document as the model lists it; `appliedBy` is filled by the caller. */
export function manifestObject(
  file: string,
  line: number,
  documentIndex: number,
  value: Obj,
): ManifestObject {
  const id = identityOf(value);
  const mo: ManifestObject = { file, line, ...id, documentIndex, appliedBy: [], sops: sopsState(value) };
  if (id.kind === 'HelmRelease') {
    const chart = asObj(asObj(asObj(value.spec)?.chart)?.spec);
    mo.chart = { name: str(chart?.chart), version: str(chart?.version) };
  }
  if (id.kind === 'HelmRelease' || id.kind === 'ResourceSet')
    mo.dependsOn = dependenciesOf(asObj(value.spec) ?? {}, id.namespace, id.kind === 'ResourceSet');
  const details = fluxDetails(value, line);
  if (details) mo.details = details;
  return mo;
}

/** The top-level entry of a node's path an object came through (an app folder or a loose file). */
function entryOf(node: FluxNode, o: Rendered): string {
  const top = o.top;
  if (node.resolvedPath && isWithin(node.resolvedPath, top) && top !== node.resolvedPath) {
    const rest = path.relative(node.resolvedPath, top).split(path.sep)[0];
    return path.join(node.resolvedPath, rest);
  }
  return top;
}

function entriesOf(node: FluxNode, isDir: (p: string) => boolean): KustomizationEntry[] {
  const byTop = new Map<string, string[]>();
  // The objects of one folder come one after the other: its entry is worked out once.
  let lastTop: string | null = null;
  let t = '';
  for (const o of node.objects) {
    if (o.top !== lastTop) {
      lastTop = o.top;
      t = entryOf(node, o);
    }
    let l = byTop.get(t);
    if (!l) byTop.set(t, (l = []));
    if (!l.includes(o.file)) l.push(o.file);
  }
  const order = node.topOrder.filter((t) => byTop.has(t));
  for (const t of byTop.keys()) if (!order.includes(t)) order.push(t);
  const all = [...new Set(order)].map((t) => ({
    name: path.basename(t),
    path: t,
    isFolder: isDir(t),
    files: byTop.get(t)!,
  }));
  return [...all.filter((e) => e.isFolder), ...all.filter((e) => !e.isFolder)];
}

/** What assemble makes of one node, kept as long as its objects are (see nodeChecks in checks.ts). */
interface NodeRecords {
  /** The entry key the objects' appliedBy names. */
  key: string;
  files: string[];
  entries: KustomizationEntry[];
  /** Each object as the model lists it when this node is the only one applying it. */
  objects: Array<{ ident: string; object: ManifestObject }>;
}

const nodeRecords = new WeakMap<Rendered[], NodeRecords>();

function recordsOf(n: FluxNode, key: string, isDir: (p: string) => boolean): NodeRecords {
  let r = nodeRecords.get(n.objects);
  // A node's entry key can change between models (another cluster's build of its document changed).
  if (!r || r.key !== key) {
    r = { key, files: [...new Set(n.objects.map((o) => o.file))], entries: entriesOf(n, isDir), objects: [] };
    for (const o of n.objects) {
      const id = identityOf(o.value);
      const object = manifestObject(o.file, o.line, o.docIndex, o.value);
      object.appliedBy.push(key);
      r.objects.push({
        ident: `${o.file}#${o.docIndex}#${o.line}#${id.apiVersion}#${id.kind}#${id.namespace}#${id.name}`,
        object,
      });
    }
    nodeRecords.set(n.objects, r);
  }
  return r;
}

/**
 * The model key of each node: its document's key, or, for a cluster that builds the document
 * differently from the clusters before it, the document's key with `#<cluster>`.
 */
export function entryKeys(graphs: ClusterGraph[]): Map<FluxNode, string> {
  const keyOfNode = new Map<FluxNode, string>();
  // Entries of each document (its first key, then one per cluster that builds it differently).
  const variants = new Map<string, Array<{ key: string; signature: string }>>();
  for (const g of graphs) {
    for (const n of g.nodes) {
      if (keyOfNode.has(n)) continue;
      const documentKey = nodeKey(n);
      const signature = buildSignature(n);
      const known = variants.get(documentKey) ?? [];
      variants.set(documentKey, known);
      const same = known.find((v) => v.signature === signature);
      const key = same?.key ?? (known.length === 0 ? documentKey : `${documentKey}#${g.name}`);
      if (!same) known.push({ key, signature });
      keyOfNode.set(n, key);
    }
  }
  return keyOfNode;
}

export function assemble(graphs: ClusterGraph[], isDir: (p: string) => boolean): Assembled {
  const kustomizations = new Map<string, FluxKustomization>();
  const clusters: Cluster[] = [];
  const objects: ManifestObject[] = [];
  /** Index in `objects` of each object identity. */
  const byIdentity = new Map<string, number>();
  const problems: Problem[] = [];

  const keyOfNode = entryKeys(graphs);

  for (const g of graphs) {
    const keys: string[] = [];
    for (const n of g.nodes) {
      const key = keyOfNode.get(n)!;
      keys.push(key);
      const existing = kustomizations.get(key);
      if (existing) {
        if (!existing.clusters.includes(g.name)) existing.clusters.push(g.name);
        continue;
      }
      const spec = n.spec;
      const ref = asObj(spec.sourceRef);
      const dec = asObj(spec.decryption);
      const records = recordsOf(n, key, isDir);
      const files = [...records.files];
      kustomizations.set(key, {
        key,
        name: n.name,
        namespace: n.namespace,
        apiVersion: n.apiVersion,
        file: n.file,
        line: n.line,
        cluster: g.name,
        clusters: [g.name],
        specPath: str(spec.path) ?? '',
        resolvedPath: n.resolvedPath,
        external: n.external,
        dependsOn: (Array.isArray(spec.dependsOn) ? spec.dependsOn : [])
          .map((d) => asObj(d))
          .filter((d): d is Obj => !!d && !!str(d.name))
          .map((d) => `${str(d.namespace) || n.namespace}/${str(d.name)}`),
        dependencies: dependenciesOf(spec, n.namespace),
        sourceRef: ref
          ? {
              kind: str(ref.kind) ?? 'GitRepository',
              name: str(ref.name) ?? '',
              namespace: str(ref.namespace) || n.namespace,
            }
          : null,
        interval: str(spec.interval),
        // A plain copy: the model crosses the scan worker's structured clone.
        builtSpec: JSON.parse(JSON.stringify(spec)) as Record<string, unknown>,
        suspend: spec.suspend === true,
        targetNamespace: str(spec.targetNamespace) || null,
        decryption: dec
          ? { provider: str(dec.provider) ?? '', secretRef: str(asObj(dec.secretRef)?.name) ?? null }
          : null,
        files,
        entries: records.entries,
        parent: n.parent ? (keyOfNode.get(n.parent) ?? nodeKey(n.parent)) : null,
      });
      for (const { ident, object } of records.objects) {
        const at = byIdentity.get(ident);
        if (at === undefined) {
          // Records are shared by the models built from the same node: never changed once made.
          byIdentity.set(ident, objects.length);
          objects.push(object);
        } else if (!objects[at].appliedBy.includes(key)) {
          objects[at] = { ...objects[at], appliedBy: [...objects[at].appliedBy, key] };
        }
      }
      problems.push(...n.problems);
    }
    clusters.push({
      name: g.name,
      folder: g.folder,
      root: clusterRoot(g),
      kustomizations: dependencyOrder(keys, kustomizations),
    });
  }
  problems.push(...dependencyCycles(kustomizations));
  return { clusters, kustomizations, objects, problems, keyOf: (n) => keyOfNode.get(n) ?? nodeKey(n) };
}

/** Kahn's order, keeping discovery order (root first) among independent Kustomizations. */
function dependencyOrder(keys: string[], all: Map<string, FluxKustomization>): string[] {
  const list = [...new Set(keys)];
  const byId = new Map<string, string>();
  for (const k of list) {
    const x = all.get(k)!;
    byId.set(`${x.namespace}/${x.name}`, k);
  }
  const deps = new Map<string, string[]>();
  for (const k of list)
    deps.set(
      k,
      all
        .get(k)!
        .dependsOn.map((d) => byId.get(d))
        .filter((d): d is string => !!d && d !== k),
    );
  const out: string[] = [];
  const done = new Set<string>();
  while (out.length < list.length) {
    let next = list.find((k) => !done.has(k) && deps.get(k)!.every((d) => done.has(d)));
    if (!next) next = list.find((k) => !done.has(k))!;
    done.add(next);
    out.push(next);
  }
  return out;
}

function dependencyCycles(all: Map<string, FluxKustomization>): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map<string, FluxKustomization>();
  for (const k of all.values())
    if (!byId.has(`${k.namespace}/${k.name}`)) byId.set(`${k.namespace}/${k.name}`, k);
  const state = new Map<FluxKustomization, 1 | 2>();
  const stack: FluxKustomization[] = [];
  const reported = new Set<string>();
  const visit = (k: FluxKustomization): void => {
    state.set(k, 1);
    stack.push(k);
    for (const d of k.dependsOn) {
      const t = byId.get(d);
      if (!t) continue;
      const s = state.get(t);
      if (s === 1) {
        const cycle = stack.slice(stack.indexOf(t));
        const id = cycle
          .map((x) => x.key)
          .sort()
          .join(',');
        if (!reported.has(id)) {
          reported.add(id);
          problems.push({
            severity: 'error',
            code: 'dependency-cycle',
            file: k.file,
            line: k.line,
            message: `Kustomizations depend on each other in a cycle: ${[...cycle, t].map((x) => x.name).join(' → ')}; none of them will ever be ready.`,
          });
        }
      } else if (s === undefined) visit(t);
    }
    stack.pop();
    state.set(k, 2);
  };
  for (const k of all.values()) if (!state.has(k)) visit(k);
  return problems;
}
