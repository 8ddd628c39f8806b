/**
 * What the views show of Flux objects beyond their identity, read from the document as written:
 * dependsOn entries with Flux 2.7's readyExpr, and the Flux Operator (FluxInstance, ResourceSet,
 * ResourceSetInputProvider) and Flux 2.7 source-extension kinds (ArtifactGenerator,
 * ExternalArtifact). ResourceSet templates (`<< inputs.x >>`) are kept as written: they are only
 * expanded by the operator in the cluster.
 */
import type { ClusterGraph } from './graph';
import type {
  ClusterRoot,
  Dependency,
  FluxDetails,
  InputSourceRef,
  SyncSpec,
  TemplatedObject,
} from './model';
import { asObj, str, type Obj } from './values';
import { lineOf } from './yaml';

const OPERATOR_GROUP = 'fluxcd.controlplane.io/';
const SOURCE_EXTENSIONS_GROUP = 'source.extensions.fluxcd.io/';
const SOURCE_GROUP = 'source.toolkit.fluxcd.io/';

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function strings(v: unknown): string[] {
  return list(v)
    .map((x) => str(x))
    .filter((x): x is string => x !== null);
}

/** The line of an item of a list in its document, else the document's line. */
function itemLine(container: unknown, index: number, fallback: number): number {
  return lineOf(container, index) ?? fallback;
}

/**
 * spec.dependsOn as `[Kind/]namespace/name` with its readyExpr. `withKind`: entries name their kind
 * (ResourceSet); for Kustomizations and HelmReleases the kind is their own.
 */
export function dependenciesOf(spec: Obj, namespace: string, withKind = false): Dependency[] {
  const out: Dependency[] = [];
  for (const entry of list(spec.dependsOn)) {
    const d = asObj(entry);
    const name = str(d?.name);
    if (!d || !name) continue;
    const id = `${str(d.namespace) || namespace}/${name}`;
    const kind = withKind ? str(d.kind) : null;
    out.push({ id: kind ? `${kind}/${id}` : id, readyExpr: str(d.readyExpr) });
  }
  return out;
}

function syncSpec(sync: Obj | null): SyncSpec | null {
  if (!sync) return null;
  return {
    kind: str(sync.kind) ?? 'GitRepository',
    url: str(sync.url),
    ref: str(sync.ref),
    path: str(sync.path) ?? '',
  };
}

function templatedObjects(resources: unknown, fallback: number): TemplatedObject[] {
  const out: TemplatedObject[] = [];
  list(resources).forEach((r, i) => {
    const o = asObj(r);
    if (!o) return;
    const m = asObj(o.metadata) ?? {};
    out.push({
      apiVersion: str(o.apiVersion) ?? '',
      kind: str(o.kind) ?? '',
      name: str(m.name) ?? '',
      namespace: str(m.namespace) ?? '',
      line: itemLine(resources, i, fallback),
    });
  });
  return out;
}

function inputSources(inputsFrom: unknown, fallback: number): InputSourceRef[] {
  const out: InputSourceRef[] = [];
  list(inputsFrom).forEach((entry, i) => {
    const o = asObj(entry);
    if (!o) return;
    const labels = asObj(asObj(o.selector)?.matchLabels) ?? {};
    out.push({
      kind: str(o.kind) ?? 'ResourceSetInputProvider',
      name: str(o.name),
      selector: Object.entries(labels).map(([k, v]) => `${k}=${str(v) ?? ''}`),
      line: itemLine(inputsFrom, i, fallback),
    });
  });
  return out;
}

/** The details of a Flux Operator or source-extension object, or undefined for other kinds. */
export function fluxDetails(value: Obj, line: number): FluxDetails | undefined {
  const apiVersion = str(value.apiVersion) ?? '';
  const spec = asObj(value.spec) ?? {};
  if (apiVersion.startsWith(OPERATOR_GROUP)) {
    switch (value.kind) {
      case 'FluxInstance': {
        const distribution = asObj(spec.distribution);
        return {
          kind: 'FluxInstance',
          version: str(distribution?.version),
          registry: str(distribution?.registry),
          components: strings(spec.components),
          sync: syncSpec(asObj(spec.sync)),
        };
      }
      case 'ResourceSet': {
        const inputs: Array<{ values: Record<string, unknown>; line: number }> = [];
        list(spec.inputs).forEach((entry, i) => {
          const o = asObj(entry);
          if (o) inputs.push({ values: o, line: itemLine(spec.inputs, i, line) });
        });
        return {
          kind: 'ResourceSet',
          inputs,
          inputsFrom: inputSources(spec.inputsFrom, line),
          resources: templatedObjects(spec.resources, line),
          hasTemplate: typeof spec.resourcesTemplate === 'string' && spec.resourcesTemplate.trim() !== '',
        };
      }
      case 'ResourceSetInputProvider': {
        const labels: Record<string, string> = {};
        for (const [k, v] of Object.entries(asObj(asObj(value.metadata)?.labels) ?? {}))
          labels[k] = str(v) ?? '';
        return { kind: 'ResourceSetInputProvider', type: str(spec.type), url: str(spec.url), labels };
      }
    }
    return undefined;
  }
  if (apiVersion.startsWith(SOURCE_EXTENSIONS_GROUP) && value.kind === 'ArtifactGenerator') {
    const namespace = str(asObj(value.metadata)?.namespace) ?? '';
    const sources = list(spec.sources)
      .map((entry, i) => ({ o: asObj(entry), i }))
      .filter((x): x is { o: Obj; i: number } => !!x.o)
      .map(({ o, i }) => ({
        alias: str(o.alias) ?? '',
        kind: str(o.kind) ?? 'GitRepository',
        name: str(o.name) ?? '',
        namespace: str(o.namespace) ?? namespace,
        line: itemLine(spec.sources, i, line),
      }));
    const artifacts = list(spec.artifacts)
      .map((entry, i) => ({ o: asObj(entry), i }))
      .filter((x): x is { o: Obj; i: number } => !!x.o)
      .map(({ o, i }) => ({
        name: str(o.name) ?? '',
        line: itemLine(spec.artifacts, i, line),
        copies: list(o.copy)
          .map((c) => asObj(c))
          .filter((c): c is Obj => !!c)
          .map((c) => ({ from: str(c.from) ?? '', to: str(c.to) ?? '' })),
      }));
    return { kind: 'ArtifactGenerator', sources, artifacts };
  }
  if (apiVersion.startsWith(SOURCE_GROUP) && value.kind === 'ExternalArtifact') {
    const ref = asObj(spec.sourceRef);
    return {
      kind: 'ExternalArtifact',
      sourceRef: ref
        ? {
            kind: str(ref.kind) ?? '',
            name: str(ref.name) ?? '',
            namespace: str(ref.namespace) ?? str(asObj(value.metadata)?.namespace) ?? '',
          }
        : null,
    };
  }
  return undefined;
}

/** Where a cluster graph's root is declared and what it syncs, as the model records it. */
export function clusterRoot(g: ClusterGraph): ClusterRoot {
  const root = g.root;
  const declaredBy = root.declaredBy ?? { kind: 'Kustomization', name: root.name, namespace: root.namespace };
  return {
    via:
      root.kind === 'flux-instance' && declaredBy.kind === 'HelmRelease' ? 'flux-instance-chart' : root.kind,
    declaredBy,
    templatedBy: root.templatedBy ?? null,
    file: root.file,
    line: root.line,
    kustomization: `${root.namespace}/${root.name}`,
    sync: { kind: g.source.kind, url: g.source.url, ref: g.source.ref, path: str(root.spec.path) ?? '' },
    source: { kind: g.source.kind, name: g.source.name, namespace: g.source.namespace },
    distribution: root.distribution ?? null,
  };
}
