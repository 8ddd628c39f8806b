/**
 * The repository model: which clusters a Git repository syncs, what each Flux Kustomization
 * applies, and what is wrong with it. A pipeline, one concept per file:
 * roots (roots.ts) → kustomize build (kustomize.ts, patch.ts) → Flux graph with sources and
 * substitution (graph.ts, substitute.ts) → model (assemble.ts) → intent and orphans (intent.ts)
 * → checks (checks.ts). {@link RepoIndex} keeps listings and parsed files between scans so that
 * a changed file costs one parse plus a rebuild of the graph.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FsCache, DEFAULT_MAX_FILE_SIZE, isWithin, type FileState } from './fsCache';
import { KUSTOMIZATION_FILES, type Obj } from './manifest';
import { problem, type OrphanUnit, type RepoModel, type Problem, type SourceLocation } from './model';
import { sopsConfigOf, type SopsConfig } from '../sops/config';
import { findGitRoot, normaliseGitUrl, readCurrentBranch, readGitRemotes } from '../git/remotes';
import { lineOf } from './yaml';
import { asObj } from './values';
import {
  FluxGraphBuilder,
  nodeShape,
  valueSources,
  withLines,
  specRel,
  type ClusterGraph,
  type FluxNode,
  type GraphHost,
} from './graph';
import { assemble, entryKeys, manifestObject, nodeKey } from './assemble';
import { findOrphans } from './intent';
import { checkApplied, knownObjects, usedFileProblems, type CheckHost, type KnownObjects } from './checks';
import { detectClusterFlux } from '../fluxVersion/detect';
import { apiLifecycleProblems } from '../fluxVersion/problems';
import type { RepoDoc } from './roots';

export * from './model';
export { objectsByFile, problemsByFile, clusterKustomizations } from './query';

export interface ScanOptions {
  /** Resolve every spec.path against this folder instead of the nearest Git repository root. */
  repoRoot?: string;
  /** Files above this many bytes are skipped with a warning (default 5 MB). */
  maxFileSize?: number;
  /** The folder of the repository an OCI sync artifact is pushed from (default: found). */
  ociArtifactFolder?: string;
  /**
   * The Flux version (or semver range) a cluster runs, by cluster name; `*` for every cluster.
   * Overrides what the repository declares (fluxGitops.fluxVersions, `check --flux-version`).
   */
  fluxVersions?: Readonly<Record<string, string>>;
  /**
   * The Flux version each connected cluster reports, by cluster name (see clusterFluxVersion):
   * it wins over what the repository declares, and yields to `fluxVersions`.
   */
  reportedFluxVersions?: Readonly<Record<string, string>>;
}

const YAML_RE = /\.ya?ml$/i;

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

/** An incrementally updated model of the Flux repositories under some folders. */
export class RepoIndex {
  private readonly cache: FsCache;
  private readonly roots: string[];
  private gitRoots = new Map<string, string | null>();
  /** Texts read during the current rebuild (see readText). */
  private readonly texts = new Map<string, string | null>();
  private sopsConfigs = new Map<string, SopsConfig | null>();
  private current: RepoModel | null = null;
  /** The graph of the last full rebuild, which content updates rebuild in part. */
  private built: Built | null = null;
  private readonly checkHost: CheckHost;
  private partial = false;

  constructor(
    roots: string[],
    private readonly options: ScanOptions = {},
  ) {
    this.roots = roots.map((r) => path.resolve(r));
    this.cache = new FsCache(options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE);
    this.checkHost = {
      root: this.roots[0],
      skipped: (f) => this.cache.file(f).skipped,
      yamlErrors: (f) => this.cache.file(f).parsed?.errors ?? [],
      sopsConfigFor: (f) => this.sopsConfigFor(f),
      lineOf,
    };
  }

  /** How the last model was made: 'partial' when only the builds a changed file is part of were made again. */
  get lastRebuild(): 'full' | 'partial' | null {
    return this.current ? (this.partial ? 'partial' : 'full') : null;
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
      if (known) {
        const updated = this.updateContent(abs);
        if (updated) return updated;
      }
      this.cache.invalidate(abs, !known);
      if (path.basename(abs) === '.sops.yaml') this.sopsConfigs.clear();
      return this.rebuild();
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
      this.built = null;
      const base: RepoModel = this.current ?? {
        roots: [...this.roots],
        clusters: [],
        kustomizations: new Map(),
        objects: [],
        orphans: [],
        orphanUnits: [],
        problems: [],
        remoteResources: [],
        notices: [],
        checkouts: [],
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

  private hasKustomization(dir: string): string | null {
    for (const n of KUSTOMIZATION_FILES) {
      const p = path.join(dir, n);
      if (this.cache.kind(p) === 'file') return p;
    }
    return null;
  }

  private sopsConfigFor(file: string): SopsConfig | null {
    const root = this.rootOf(file);
    const stop = this.gitRoots.get(root) ?? root;
    let dir = path.dirname(file);
    const seen: string[] = [];
    let found: SopsConfig | null = null;
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
        try {
          found = sopsConfigOf(st.parsed?.raw ?? {}, candidate);
        } catch {
          // sops itself refuses this file (a path_regex it cannot read): no rule to hold files to.
          found = null;
        }
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

  /** The folder spec.paths are relative to: the Git root, or the opened folder when that is where they exist. */
  private baseOf(root: string, docs: RepoDoc[]): string {
    if (this.options.repoRoot) return path.resolve(this.options.repoRoot);
    const git = this.gitRoots.get(root) ?? null;
    if (!git || git === root) return git ?? root;
    // A repository copied inside another one (as test fixtures are): candidates from the Git root down.
    const candidates = [
      git,
      ...this.roots.filter((r) => r !== root && isWithin(r, root) && isWithin(git, r)),
      root,
    ];
    let best = -1;
    let base = git;
    for (const c of candidates) {
      let hits = 0;
      for (const d of docs) {
        const spec = d.value.spec as Obj | undefined;
        if (d.value.kind !== 'Kustomization' || typeof spec?.path !== 'string') continue;
        if (this.cache.kind(path.resolve(c, specRel(spec.path))) === 'dir') hits++;
      }
      if (hits > best) [best, base] = [hits, c];
    }
    return base;
  }

  /**
   * A file's text, read once per rebuild: generator inputs, patch files and kustomization files
   * are read by every build that goes through them.
   */
  private readText(file: string): string | null {
    let text = this.texts.get(file);
    if (text === undefined) {
      text = null;
      if (this.cache.kind(file) === 'file') {
        // Kustomization files and patches were read and parsed already.
        const loaded = this.cache.cached(file)?.text;
        if (loaded != null) text = loaded;
        else
          try {
            text = fs.readFileSync(file, 'utf8');
          } catch {
            text = null;
          }
      }
      this.texts.set(file, text);
    }
    return text;
  }

  private host(base: string, files: string[]): GraphHost {
    const cache = this.cache;
    const git = findGitRoot(base);
    const hasGit = git === base;
    const remotes = new Set<string>();
    if (hasGit) for (const r of readGitRemotes(base)) remotes.add(normaliseGitUrl(r) ?? r.trim());
    let generated: Map<string, Map<string, string>> | null = null;
    return {
      gitRoot: base,
      remotes,
      branch: hasGit ? readCurrentBranch(base) : undefined,
      hasGit,
      kind: (p) => cache.kind(p),
      artifactFolder: (dir) => cache.addIgnoreTop(dir),
      kustomizationFile: (dir) => this.hasKustomization(dir),
      docs: (file) => cache.file(file).parsed?.docs ?? null,
      kustomizeValue: (file) => cache.file(file).parsed?.kustomizeValue ?? null,
      lineOf,
      readText: (f) => this.readText(f),
      scanPlain: (dir, problems) => this.scanPlain(dir, problems),
      generatedConfigMaps: () => {
        if (generated) return generated;
        generated = new Map();
        for (const f of files) {
          if (!KUSTOMIZATION_FILES.includes(path.basename(f))) continue;
          const cfg = cache.file(f).parsed?.kustomizeValue;
          const gens = cfg?.configMapGenerator;
          for (const g of Array.isArray(gens) ? gens : []) {
            const go = g as Obj;
            if (typeof go?.name !== 'string') continue;
            const keys = new Map<string, string>();
            for (const e of Array.isArray(go.files) ? go.files : []) {
              if (typeof e !== 'string') continue;
              const eq = e.indexOf('=');
              keys.set(
                eq >= 0 ? e.slice(0, eq) : path.basename(e),
                path.resolve(path.dirname(f), eq >= 0 ? e.slice(eq + 1) : e),
              );
            }
            generated.set(go.name, keys);
          }
        }
        return generated;
      },
    };
  }

  /** What Flux applies from a folder without kustomization.yaml: every manifest below, kustomize folders as units. */
  private scanPlain(root: string, problems: Problem[]): string[] {
    const out: string[] = [];
    const walk = (dir: string, reals: string[]): void => {
      const listing = this.cache.list(dir);
      if (!listing) return;
      listing.files.forEach((name, i) => {
        if (YAML_RE.test(name)) out.push(listing.filePaths[i]);
      });
      for (let i = 0; i < listing.dirs.length; i++) {
        const name = listing.dirs[i];
        const full = listing.dirPaths[i];
        const real = listing.symlinkedDirs.has(name) ? this.cache.realpath(full) : full;
        if (reals.includes(real) || reals.length > 64) {
          problems.push(symlinkLoop(full, name));
          continue;
        }
        if (this.hasKustomization(full)) out.push(full);
        else walk(full, [...reals, real]);
      }
    };
    walk(root, [this.cache.realpath(root)]);
    return out;
  }

  private rebuild(): RepoModel {
    this.built = null;
    this.partial = false;
    this.cache.resetIgnoreTops();
    const walkProblems: Problem[] = [];
    const discovered = this.walkRoots(walkProblems);
    this.texts.clear();
    // Documents per base folder (one graph per repository), the base worked out once per root.
    const docsOfRoot = new Map<string, RepoDoc[]>();
    for (const f of discovered) {
      const root = this.rootOf(f);
      let list = docsOfRoot.get(root);
      if (!list) docsOfRoot.set(root, (list = []));
      for (const d of this.cache.file(f).parsed?.docs ?? [])
        list.push({ file: f, index: d.index, line: d.line, value: d.value });
    }
    const baseOfRoot = new Map<string, string>();
    for (const [root, docs] of docsOfRoot) baseOfRoot.set(root, this.baseOf(root, docs));
    const groups = new Map<string, Group>();
    for (const f of discovered) {
      const root = this.rootOf(f);
      const base = baseOfRoot.get(root)!;
      let g = groups.get(base);
      if (!g) groups.set(base, (g = { files: [], docs: [], root, host: null }));
      g.files.push(f);
    }
    for (const [root, docs] of docsOfRoot) groups.get(baseOfRoot.get(root)!)!.docs.push(...docs);

    const clusterGraphs: ClusterGraph[] = [];
    const builders = new Map<ClusterGraph, FluxGraphBuilder>();
    const graphProblems: Problem[] = [];
    const nodes: FluxNode[] = [];
    const used = new Set<string>();
    const allDocs: RepoDoc[] = [];
    const knownSources: string[] = [];
    const notices: string[] = [];
    for (const [base, g] of groups) {
      const host = (g.host = this.host(base, g.files));
      const builder = new FluxGraphBuilder(host, g.docs, g.files, this.options.ociArtifactFolder ?? null);
      const graph = builder.build();
      for (const c of builder.built) builders.set(c, builder);
      knownSources.push(...graph.sources);
      for (const c of graph.clusters) {
        clusterGraphs.push(c);
        if (c.note) graphProblems.push(problem('info', 'oci-folder', c.root.file, c.root.line, c.note));
        used.add(c.root.file);
        for (const n of c.nodes) {
          nodes.push(n);
          for (const f of n.inputs) used.add(f);
          for (const f of n.visited.values()) if (f) used.add(f);
          for (const o of n.objects) used.add(o.file);
        }
      }
      allDocs.push(...g.docs);
      if (!host.hasGit && graph.clusters.length > 0 && !this.options.repoRoot && !findGitRoot(base)) {
        notices.push(`${base} is not a Git checkout: sources with a URL are taken to be other repositories.`);
      }
    }
    const clusterOfNode = new Map<FluxNode, string>();
    for (const c of clusterGraphs)
      for (const n of c.nodes) if (!clusterOfNode.has(n)) clusterOfNode.set(n, c.name);

    const rootSources = clusterGraphs
      .map((c) => c.root.source)
      .filter((s): s is NonNullable<typeof s> => !!s)
      .map((s) => `${s.kind}/${s.namespace}/${s.name}`);
    const rootKs = clusterGraphs.map((c) => `Kustomization/${c.root.namespace}/${c.root.name}`);
    const known = knownObjects(this.checkHost, nodes, allDocs, [...rootSources, ...rootKs, ...knownSources]);

    const built: Built = {
      walkProblems,
      groups,
      clusterGraphs,
      builders,
      graphProblems,
      notices,
      used,
      usedFileProblems: usedFileProblems(this.checkHost, used),
      known,
      orphans: { orphans: [], units: [], problems: [] },
      clusterOfNode,
      generatorInputs: null,
      valueSources: valueSources(
        allDocs,
        [...builders.keys()].flatMap((c) => c.nodes),
      ),
    };
    built.orphans = this.orphansOf(built);
    const model = this.finish(built);
    this.built = built;
    return model;
  }

  /** Files with manifests that nothing applies, and whether that looks deliberate. */
  private orphansOf(b: Built): Built['orphans'] {
    const nodes = b.clusterGraphs.flatMap((c) => c.nodes);
    // Only orphans beside a build name its Kustomization: work the keys out for them alone.
    let keys: Map<FluxNode, string> | undefined;
    const orphans: Built['orphans'] = { orphans: [], units: [], problems: [] };
    for (const [base, g] of b.groups) {
      const found = findOrphans(
        {
          hasManifests: (f) => this.cache.file(f).parsed?.hasManifests ?? false,
          firstLine: (f) => this.cache.file(f).parsed?.docs[0]?.line ?? 1,
          readText: (f) => this.readText(f),
          kustomizationFile: (dir) => this.hasKustomization(dir),
          kustomizeValue: (f) => this.cache.file(f).parsed?.kustomizeValue ?? null,
          lineOf,
        },
        {
          root: g.root,
          gitRoot: base,
          discovered: g.files,
          used: b.used,
          nodes,
          docs: g.docs,
          keyOf: (n) => (keys ??= entryKeys(b.clusterGraphs)).get(n) ?? nodeKey(n),
          clusterOf: (n) => b.clusterOfNode.get(n) ?? '',
        },
      );
      orphans.orphans.push(...found.orphans);
      orphans.units.push(...found.units);
      orphans.problems.push(...found.problems);
    }
    return orphans;
  }

  /** The model from a graph: assembled, checked, with what nothing applies. */
  private finish(b: Built): RepoModel {
    const problems: Problem[] = [...b.walkProblems, ...b.graphProblems];
    const assembled = assemble(b.clusterGraphs, (p) => this.cache.kind(p) === 'dir');
    problems.push(...assembled.problems);
    const overrides = this.options.fluxVersions ?? {};
    for (const cluster of assembled.clusters) {
      const keys = new Set(cluster.kustomizations);
      const sources = assembled.objects
        .filter(
          (o) =>
            (o.kind === 'GitRepository' || o.kind === 'OCIRepository') &&
            o.appliedBy.some((k) => keys.has(k)),
        )
        .map((o) => ({
          kind: o.kind,
          file: o.file,
          line: o.line,
          spec:
            asObj(
              this.cache.file(o.file).parsed?.docs.find((d) => d.index === o.documentIndex)?.value.spec,
            ) ?? {},
        }));
      cluster.flux = detectClusterFlux({
        cluster,
        sources,
        files: cluster.kustomizations.flatMap((key) => assembled.kustomizations.get(key)?.files ?? []),
        readText: (f) => this.readText(f),
        override: overrides[cluster.name] ?? overrides['*'],
        reported: this.options.reportedFluxVersions?.[cluster.name],
      });
    }
    const nodes: FluxNode[] = [];
    const remote: Array<SourceLocation & { url: string }> = [];
    for (const c of b.clusterGraphs)
      for (const n of c.nodes) {
        nodes.push(n);
        remote.push(...n.remote);
      }
    problems.push(...checkApplied(this.checkHost, nodes, b.known), ...b.usedFileProblems);
    problems.push(...b.orphans.problems);
    problems.push(...apiLifecycleProblems(assembled.objects, assembled.kustomizations, assembled.clusters));
    // Objects of files nothing applies are still listed (the tree shows them under "not applied").
    for (const f of b.orphans.orphans) {
      for (const d of this.cache.file(f).parsed?.docs ?? [])
        assembled.objects.push(manifestObject(f, d.line, d.index, d.value));
    }
    const model: RepoModel = {
      roots: [...this.roots],
      clusters: assembled.clusters,
      kustomizations: assembled.kustomizations,
      objects: assembled.objects,
      orphans: [...b.orphans.orphans],
      orphanUnits: [...b.orphans.units],
      problems: dedupeProblems(problems),
      remoteResources: dedupeBy(remote, (r) => `${r.file}:${r.line}:${r.url}`),
      notices: [...b.notices],
      checkouts: [...b.groups.entries()].map(([folder, g]) => ({
        folder,
        isGit: g.host?.hasGit ?? false,
        remotes: g.host?.hasGit ? readGitRemotes(folder) : [],
        branch: g.host?.branch ?? null,
      })),
    };
    this.current = model;
    return model;
  }

  /**
   * A file's content changed: only the builds that read it are made again. When one of them
   * comes out with another shape (other objects, another child Kustomization or source, other
   * folders), or the file holds what the whole repository reads (sync roots, sources, postBuild
   * inputs, kustomization files...), the caller rebuilds everything: the model is always the
   * one a full scan gives. Returns null in that case.
   */
  private updateContent(file: string): RepoModel | null {
    const b = this.built;
    if (!b || this.cache.kind(file) !== 'file') return null;
    const name = path.basename(file);
    if (KUSTOMIZATION_FILES.includes(name) || name === '.sops.yaml' || name === '.sourceignore') return null;
    const before = this.cache.cached(file);
    this.cache.invalidate(file, false);
    this.texts.delete(file);
    if (
      before !== undefined &&
      fileSignature(before, b.valueSources) !== fileSignature(this.cache.file(file), b.valueSources)
    )
      return null;
    if (this.generatorInputs(b).has(file)) return null;
    // The documents other files see: the same identities, maybe other values.
    const parsed = this.cache.file(file).parsed;
    if (before !== undefined && parsed) {
      for (const g of b.groups.values()) {
        let i = g.docs.findIndex((d) => d.file === file);
        if (i < 0) continue;
        for (const d of parsed.docs) g.docs[i++] = { file, index: d.index, line: d.line, value: d.value };
      }
    }
    for (const [cluster, builder] of b.builders) {
      for (const n of cluster.nodes) {
        if (!n.inputs.has(file)) continue;
        const shape = nodeShape(n, b.valueSources);
        builder.rebuildNode(cluster, n);
        if (nodeShape(n, b.valueSources) !== shape) return null;
      }
    }
    // A file nothing applies may be reported as forgotten, at its first document's line.
    if (!b.used.has(file)) b.orphans = this.orphansOf(b);
    const model = this.finish(b);
    this.partial = true;
    return model;
  }

  /** Files configMapGenerators read, which sync roots may take Helm values from. */
  private generatorInputs(b: Built): Set<string> {
    if (!b.generatorInputs) {
      b.generatorInputs = new Set();
      for (const g of b.groups.values())
        for (const keys of g.host?.generatedConfigMaps().values() ?? [])
          for (const f of keys.values()) b.generatorInputs.add(f);
    }
    return b.generatorInputs;
  }
}

interface Group {
  files: string[];
  docs: RepoDoc[];
  root: string;
  host: GraphHost | null;
}

/** What the last full rebuild found, kept for content updates (see updateContent). */
interface Built {
  walkProblems: Problem[];
  groups: Map<string, Group>;
  clusterGraphs: ClusterGraph[];
  /** Every cluster built, with its builder (dropped ones too: their builds decided what was kept). */
  builders: Map<ClusterGraph, FluxGraphBuilder>;
  graphProblems: Problem[];
  notices: string[];
  used: Set<string>;
  /** Those of the used files, which keep their syntax errors through content updates (see fileSignature). */
  usedFileProblems: Problem[];
  known: KnownObjects;
  orphans: { orphans: string[]; units: OrphanUnit[]; problems: Problem[] };
  clusterOfNode: Map<FluxNode, string>;
  /** ConfigMaps and Secrets whose data some build or sync root reads (see valueSources). */
  valueSources: Set<string>;
  generatorInputs: Set<string> | null;
}

/**
 * Kinds whose documents any part of the repository may read, whoever applies them (ConfigMaps
 * and Secrets too, when named in valueSources).
 */
const SHARED_KINDS = new Set([
  'Kustomization',
  'GitRepository',
  'OCIRepository',
  'Bucket',
  'ArtifactGenerator',
  'FluxInstance',
  'ResourceSet',
  'Application',
  'ApplicationSet',
]);

/**
 * What other files and builds read of a parsed file: its documents' identities and places, the
 * whole of the kinds they look up (sources, roots, postBuild inputs...), syntax errors. A content
 * change that keeps it only changes the builds the file is part of.
 */
function fileSignature(state: FileState, values: Set<string>): string {
  const p = state.parsed;
  if (!p) return `skipped ${state.skipped?.code ?? ''} ${state.skipped?.message ?? ''}`;
  const parts = [JSON.stringify(p.errors), String(p.hasManifests)];
  for (const d of p.docs) {
    // Lines are read by the builds holding the file (rebuilt) and for orphans (worked out again).
    parts.push(`${d.index}#${d.apiVersion}#${d.kind}#${d.namespace}#${d.name}`);
    const valueSource = d.kind === 'ConfigMap' || d.kind === 'Secret';
    if (valueSource ? values.has(`${d.kind}/${d.name}`) : SHARED_KINDS.has(d.kind))
      parts.push(String(d.line), withLines(d.value));
    else if (d.kind === 'HelmRelease') {
      // The flux-instance chart declares a sync root in its values.
      const spec = (d.value.spec ?? {}) as Obj;
      const chart = JSON.stringify([spec.chart, spec.chartRef, spec.valuesFrom]);
      parts.push(chart.includes('flux-instance') || spec.chartRef !== undefined ? withLines(d.value) : chart);
    }
  }
  return parts.join('\n');
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
