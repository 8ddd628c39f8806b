/**
 * What the tree says about sync roots, dependencies and the Flux Operator and Flux 2.7 kinds:
 * the cluster row's root (bootstrap, FluxInstance, flux-instance chart...), FluxInstance version
 * and sync, a ResourceSet's inputs, input providers and templated objects, an ArtifactGenerator's
 * sources and the ExternalArtifacts it produces. All read from the model; nothing is re-parsed.
 */
import type {
  Cluster,
  ClusterRoot,
  Dependency,
  FluxKustomization,
  GeneratedArtifact,
  InputSourceRef,
  ManifestObject,
  RepoModel,
  SyncSpec,
} from '../repo/model';
import { iconForKind } from './kinds';
import type { RepoNode } from './node';

/** What a row adds to an object's description and tooltip, and the rows under it. */
export interface ObjectExtras {
  description: string[];
  tooltip: string[];
  children: RepoNode[];
}

type ArtifactOrigin = { generator: ManifestObject; artifact: GeneratedArtifact };

/** Cross-references between the objects of a model, worked out once per tree. */
export class FluxRowContext {
  private readonly byName = new Map<string, ManifestObject[]>();
  private readonly origins = new Map<string, ArtifactOrigin[]>();
  private readonly artifactUsers = new Map<string, FluxKustomization[]>();
  private readonly roots = new Map<string, Cluster>();
  private readonly rootSources = new Map<string, Cluster[]>();
  private readonly providerUsers = new Map<ManifestObject, ManifestObject[]>();
  private readonly providers: ManifestObject[] = [];

  constructor(model: RepoModel) {
    for (const o of model.objects) {
      const key = `${o.kind}//${o.name}`;
      const list = this.byName.get(key);
      if (!list) this.byName.set(key, [o]);
      else if (!list.some((x) => x.file === o.file && x.documentIndex === o.documentIndex)) list.push(o);
      if (o.details?.kind === 'ResourceSetInputProvider') this.providers.push(o);
      if (o.details?.kind === 'ArtifactGenerator') {
        for (const artifact of o.details.artifacts) {
          const k = `${artifact.name}`;
          this.origins.set(k, [...(this.origins.get(k) ?? []), { generator: o, artifact }]);
        }
      }
    }
    for (const ks of model.kustomizations.values()) {
      if (ks.sourceRef?.kind !== 'ExternalArtifact') continue;
      const k = `${ks.sourceRef.namespace}/${ks.sourceRef.name}`;
      this.artifactUsers.set(k, [...(this.artifactUsers.get(k) ?? []), ks]);
    }
    for (const cluster of model.clusters)
      if (cluster.root) {
        this.roots.set(`${cluster.root.file}#${cluster.root.line}`, cluster);
        const s = cluster.root.source;
        const key = `${s.kind}/${s.namespace}/${s.name}`;
        this.rootSources.set(key, [...(this.rootSources.get(key) ?? []), cluster]);
      }
    for (const o of model.objects) {
      if (o.details?.kind !== 'ResourceSet') continue;
      for (const ref of o.details.inputsFrom)
        for (const p of this.providersFor(o, ref))
          if (!this.providerUsers.get(p)?.includes(o))
            this.providerUsers.set(p, [...(this.providerUsers.get(p) ?? []), o]);
    }
  }

  /** The object of that kind and name, in that namespace when known (namespaces may be unset in files). */
  find(kind: string, namespace: string, name: string): ManifestObject | undefined {
    const list = this.byName.get(`${kind}//${name}`) ?? [];
    return (
      list.find((o) => o.namespace === namespace) ?? list.find((o) => !o.namespace || !namespace) ?? undefined
    );
  }

  /**
   * The cluster whose sync root reads this source (a source bootstrap or the operator creates):
   * `cluster` itself when its root does, as every cluster may name its source alike.
   */
  clusterSyncing(kind: string, namespace: string, name: string, cluster: string): Cluster | undefined {
    const list = this.rootSources.get(`${kind}/${namespace}/${name}`) ?? [];
    return list.find((c) => c.name === cluster) ?? list[0];
  }

  /** The generator (and its artifact entry) of an ExternalArtifact. */
  originOf(namespace: string, name: string): ArtifactOrigin | undefined {
    const list = this.origins.get(name) ?? [];
    return (
      list.find((x) => x.generator.namespace === namespace) ??
      list.find((x) => !x.generator.namespace || !namespace)
    );
  }

  /** Kustomizations whose source is this ExternalArtifact. */
  usersOf(namespace: string, name: string): FluxKustomization[] {
    return this.artifactUsers.get(`${namespace}/${name}`) ?? [];
  }

  /** The cluster whose sync root this document declares. */
  clusterDeclaredBy(object: ManifestObject): Cluster | undefined {
    return this.roots.get(`${object.file}#${object.line}`);
  }

  /** The ResourceSetInputProviders an inputsFrom entry selects (same namespace as the ResourceSet). */
  providersFor(resourceSet: ManifestObject, ref: InputSourceRef): ManifestObject[] {
    const sameNamespace = (p: ManifestObject): boolean =>
      p.namespace === resourceSet.namespace || !p.namespace || !resourceSet.namespace;
    if (ref.name !== null) {
      const found = this.find(ref.kind, resourceSet.namespace, ref.name);
      return found ? [found] : [];
    }
    if (ref.selector.length === 0) return [];
    return this.providers.filter((p) => {
      if (p.kind !== ref.kind || !sameNamespace(p) || p.details?.kind !== 'ResourceSetInputProvider')
        return false;
      const labels = p.details.labels;
      return ref.selector.every((pair) => {
        const at = pair.indexOf('=');
        return labels[pair.slice(0, at)] === pair.slice(at + 1);
      });
    });
  }

  /** ResourceSets that take their inputs from this provider. */
  consumersOf(provider: ManifestObject): ManifestObject[] {
    return this.providerUsers.get(provider) ?? [];
  }
}

function ident(o: { namespace: string; name: string }): string {
  return o.namespace ? `${o.namespace}/${o.name}` : o.name;
}

/** `dependsOn: a, b` and, for entries with a readyExpr (Flux 2.7+), the expression. */
export function dependencyLines(dependencies: Dependency[]): string[] {
  if (dependencies.length === 0) return [];
  return [
    `dependsOn: ${dependencies.map((d) => d.id).join(', ')}`,
    ...dependencies.filter((d) => d.readyExpr).map((d) => `readyExpr of ${d.id}: \`${d.readyExpr}\``),
  ];
}

function syncLines(sync: SyncSpec): string[] {
  return [
    `sync: ${sync.kind}`,
    sync.url ? `url: ${sync.url}` : undefined,
    sync.ref ? `ref: ${sync.ref}` : undefined,
    `path: ${sync.path || './'}`,
  ].filter((l): l is string => !!l);
}

/** The cluster row's words for where its root comes from, e.g. `Flux Operator · FluxInstance flux-system/flux`. */
export function rootSummary(root: ClusterRoot): string {
  const by = `${root.declaredBy.kind} ${ident(root.declaredBy)}`;
  switch (root.via) {
    case 'bootstrap':
      return 'flux bootstrap · gotk-sync.yaml';
    case 'placeholder':
      return 'flux bootstrap · placeholder gotk-sync.yaml';
    case 'flux-instance':
    case 'flux-instance-chart':
      return `Flux Operator · ${by}`;
    case 'self-managed':
      return `${by} (applies itself)`;
    case 'inferred':
      return `no sync root · ${by}`;
  }
}

/** The cluster row's tooltip lines about its root: who declares it, the Flux version, the sync. */
export function rootTooltip(root: ClusterRoot): string[] {
  const declared: Record<ClusterRoot['via'], string> = {
    bootstrap: 'root: flux bootstrap (gotk-sync.yaml)',
    placeholder:
      'root: flux bootstrap, placeholder gotk-sync.yaml (the sync of the folder holding flux-system/)',
    'flux-instance': `root: Flux Operator, FluxInstance ${ident(root.declaredBy)}`,
    'flux-instance-chart': `root: Flux Operator, the values of the flux-instance chart's HelmRelease ${ident(root.declaredBy)}`,
    'self-managed': `root: Kustomization ${ident(root.declaredBy)}, which applies itself`,
    inferred: `no sync root found: Kustomization ${ident(root.declaredBy)}, which nothing applies, stands for one`,
  };
  return [
    declared[root.via],
    root.templatedBy ? `templated by ResourceSet ${ident(root.templatedBy)}` : undefined,
    root.distribution ? `distribution: Flux ${root.distribution}` : undefined,
    ...syncLines(root.sync),
    `root Kustomization: ${root.kustomization}`,
    `${root.file}:${root.line}`,
  ].filter((l): l is string => !!l);
}

/** A compact `key: value` rendering of one ResourceSet input. */
function inputSummary(values: Record<string, unknown>): string {
  const shown = (v: unknown): string => {
    if (v === null || typeof v !== 'object') return String(v);
    const json = JSON.stringify(v);
    return json.length > 40 ? `${json.slice(0, 39)}…` : json;
  };
  return Object.entries(values)
    .map(([k, v]) => `${k}: ${shown(v)}`)
    .join(', ');
}

function part(
  parentId: string,
  key: string,
  fields: Omit<RepoNode, 'id' | 'kind' | 'children'> & { children?: RepoNode[] },
): RepoNode {
  return { ...fields, id: `${parentId}|${key}`, kind: 'part', children: fields.children ?? [] };
}

function resourceSetRows(object: ManifestObject, id: string, ctx: FluxRowContext): ObjectExtras {
  if (object.details?.kind !== 'ResourceSet') return { description: [], tooltip: [], children: [] };
  const d = object.details;
  const where = (line: number): { file: string; line: number } => ({ file: object.file, line });
  const children: RepoNode[] = [];
  d.inputs.forEach((input, i) => {
    const summary = inputSummary(input.values);
    children.push(
      part(id, `input:${i}`, {
        label: `input ${i + 1}`,
        description: summary || undefined,
        tooltip: [
          `spec.inputs[${i}] of ResourceSet ${ident(object)}`,
          ...Object.entries(input.values).map(([k, v]) => `${k}: ${JSON.stringify(v)}`),
        ].join('\n'),
        icon: 'symbol-field',
        location: where(input.line),
        tags: ['resourceset-input'],
      }),
    );
  });
  d.inputsFrom.forEach((ref, i) => {
    const found = ctx.providersFor(object, ref);
    const what = ref.name ?? ref.selector.join(', ');
    const provider = found.length === 1 ? found[0] : undefined;
    const pd = provider?.details?.kind === 'ResourceSetInputProvider' ? provider.details : undefined;
    children.push(
      part(id, `inputsFrom:${i}`, {
        label: `${ref.kind} ${what}`,
        description:
          found.length === 0
            ? 'not in the repository'
            : pd
              ? [pd.type, pd.url].filter(Boolean).join(' · ') || undefined
              : `${found.length} providers`,
        tooltip: [
          `spec.inputsFrom[${i}] of ResourceSet ${ident(object)}`,
          ref.name === null ? `selector: ${ref.selector.join(', ')}` : undefined,
          ...found.map((p) => `${p.kind} ${ident(p)} (${p.file}:${p.line})`),
          found.length === 0 ? 'No such provider in the repository.' : undefined,
        ]
          .filter(Boolean)
          .join('\n'),
        icon: iconForKind(ref.kind),
        // One provider: the row leads to it; several or none: to the entry.
        location: provider ? { file: provider.file, line: provider.line } : where(ref.line),
        tags: ['resourceset-input-provider'],
      }),
    );
  });
  d.resources.forEach((r, i) => {
    children.push(
      part(id, `resource:${i}`, {
        label: `${r.kind || '(no kind)'} ${r.name}`,
        description: [r.namespace || undefined, 'templated'].filter(Boolean).join(' · '),
        tooltip: [
          `${r.apiVersion} ${r.kind}`,
          r.namespace ? `${r.namespace}/${r.name}` : r.name,
          `spec.resources[${i}] of ResourceSet ${ident(object)}: created by the Flux Operator for each input, names as written`,
        ].join('\n'),
        icon: iconForKind(r.kind),
        location: where(r.line),
        tags: ['templated'],
      }),
    );
  });
  if (d.hasTemplate) {
    children.push(
      part(id, 'resourcesTemplate', {
        label: 'resourcesTemplate',
        description: 'objects known once the Flux Operator renders it',
        tooltip: `spec.resourcesTemplate of ResourceSet ${ident(object)}: a template of objects, rendered in the cluster for each input`,
        icon: 'symbol-snippet',
        location: where(object.line),
        tags: ['templated'],
      }),
    );
  }
  const inputs = d.inputs.length + d.inputsFrom.length;
  const objects = d.resources.length;
  return {
    description: [
      `${inputs} input${inputs === 1 ? '' : 's'}`,
      d.hasTemplate ? 'template' : `${objects} object${objects === 1 ? '' : 's'}`,
    ],
    tooltip: dependencyLines(object.dependsOn ?? []),
    children,
  };
}

function generatorRows(
  object: ManifestObject,
  id: string,
  cluster: string,
  ctx: FluxRowContext,
): ObjectExtras {
  if (object.details?.kind !== 'ArtifactGenerator') return { description: [], tooltip: [], children: [] };
  const d = object.details;
  const children: RepoNode[] = [];
  for (const [i, s] of d.sources.entries()) {
    const found = ctx.find(s.kind, s.namespace, s.name);
    // The sync's own source has no file when bootstrap or the Flux Operator creates it.
    const syncing = found ? undefined : ctx.clusterSyncing(s.kind, s.namespace, s.name, cluster);
    const root = syncing?.root;
    children.push(
      part(id, `source:${i}`, {
        label: `${s.kind} ${s.name}`,
        description: [
          s.alias ? `@${s.alias}` : undefined,
          found ? undefined : syncing ? `sync source of cluster ${syncing.name}` : 'not in the repository',
        ]
          .filter(Boolean)
          .join(' · '),
        tooltip: `source @${s.alias} of ArtifactGenerator ${ident(object)}: ${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`,
        icon: iconForKind(s.kind),
        location: found
          ? { file: found.file, line: found.line }
          : root
            ? { file: root.file, line: root.line }
            : { file: object.file, line: s.line },
        tags: ['artifact-source'],
      }),
    );
  }
  for (const [i, a] of d.artifacts.entries()) {
    const users = ctx.usersOf(object.namespace, a.name);
    const copies = a.copies.map((c) => `${c.from} → ${c.to}`);
    children.push(
      part(id, `artifact:${i}`, {
        label: `ExternalArtifact ${a.name}`,
        description:
          [copies[0], copies.length > 1 ? `+${copies.length - 1}` : undefined].filter(Boolean).join(' ') ||
          undefined,
        tooltip: [
          `ExternalArtifact ${object.namespace ? `${object.namespace}/` : ''}${a.name}`,
          `generated by ArtifactGenerator ${ident(object)}`,
          ...copies.map((c) => `copy: ${c}`),
          ...users.map((k) => `source of Kustomization ${k.namespace}/${k.name}`),
        ].join('\n'),
        icon: iconForKind('ExternalArtifact'),
        location: { file: object.file, line: a.line },
        tags: ['externalartifact', 'generated'],
      }),
    );
  }
  return {
    description: [`${d.artifacts.length} artifact${d.artifacts.length === 1 ? '' : 's'}`],
    tooltip: [
      ...d.sources.map((s) => `source @${s.alias}: ${s.kind} ${s.name}`),
      ...d.artifacts.map((a) => `produces ExternalArtifact ${a.name}`),
    ],
    children,
  };
}

/** The description parts, tooltip lines and rows an object (shown under `cluster`) adds. */
export function objectExtras(
  object: ManifestObject,
  id: string,
  cluster: string,
  ctx: FluxRowContext,
): ObjectExtras {
  const root = ctx.clusterDeclaredBy(object);
  const declares =
    root?.root && root.root.declaredBy.kind === object.kind ? [`sync root of cluster ${root.name}`] : [];
  const d = object.details;
  switch (d?.kind) {
    case 'FluxInstance':
      return {
        description: [
          d.version ? `Flux ${d.version}` : undefined,
          d.sync ? `${d.sync.kind} ${d.sync.path || './'}` : 'no sync',
        ].filter((x): x is string => !!x),
        tooltip: [
          d.version ? `distribution: Flux ${d.version}${d.registry ? ` from ${d.registry}` : ''}` : undefined,
          d.components.length ? `components: ${d.components.join(', ')}` : undefined,
          ...(d.sync
            ? syncLines(d.sync)
            : ['no spec.sync: the instance installs Flux without syncing a repository']),
          ...declares,
        ].filter((x): x is string => !!x),
        children: [],
      };
    case 'ResourceSet':
      return resourceSetRows(object, id, ctx);
    case 'ResourceSetInputProvider': {
      const users = ctx.consumersOf(object);
      return {
        description: [d.type, d.url].filter((x): x is string => !!x),
        tooltip: [
          d.type ? `type: ${d.type}` : undefined,
          d.url ? `url: ${d.url}` : undefined,
          ...users.map((r) => `inputs of ResourceSet ${ident(r)}`),
        ].filter((x): x is string => !!x),
        children: [],
      };
    }
    case 'ArtifactGenerator':
      return generatorRows(object, id, cluster, ctx);
    case 'ExternalArtifact': {
      const origin =
        d.sourceRef?.kind === 'ArtifactGenerator' || !d.sourceRef
          ? ctx.originOf(object.namespace, object.name)
          : undefined;
      const by =
        d.sourceRef ??
        (origin
          ? {
              kind: origin.generator.kind,
              namespace: origin.generator.namespace,
              name: origin.generator.name,
            }
          : null);
      const generator = by ? (ctx.find(by.kind, by.namespace, by.name) ?? origin?.generator) : undefined;
      return {
        description: [by ? `from ${by.kind} ${by.name}` : 'no generator in the repository'],
        tooltip: by ? [`generated by ${by.kind} ${ident(by)}`] : [],
        children: generator
          ? [
              part(id, 'generator', {
                label: `${generator.kind} ${generator.name}`,
                description: 'generator',
                tooltip: `${generator.kind} ${ident(generator)}\n${generator.file}:${generator.line}`,
                icon: iconForKind(generator.kind),
                location: { file: generator.file, line: origin?.artifact.line ?? generator.line },
                tags: ['artifact-generator'],
              }),
            ]
          : [],
      };
    }
  }
  return {
    description: [],
    tooltip: [...dependencyLines(object.dependsOn ?? []), ...declares],
    children: [],
  };
}

/** The Kustomization row's `source:` line; an ExternalArtifact names its generator. */
export function sourceLine(ks: FluxKustomization, ctx: FluxRowContext): string | undefined {
  const ref = ks.sourceRef;
  if (!ref) return undefined;
  const origin = ref.kind === 'ExternalArtifact' ? ctx.originOf(ref.namespace, ref.name) : undefined;
  return `source: ${ref.kind}/${ref.namespace}/${ref.name}${origin ? ` (ArtifactGenerator ${ident(origin.generator)})` : ''}`;
}
