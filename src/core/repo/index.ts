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
import { FsCache, DEFAULT_MAX_FILE_SIZE, isWithin } from './fsCache';
import { KUSTOMIZATION_FILES, type Obj } from './manifest';
import { problem, type RepoModel, type Problem, type SourceLocation } from './model';
import { parseSopsConfig, type SopsCreationRule } from './sopsRules';
import { findGitRoot, normaliseGitUrl, readCurrentBranch, readGitRemotes } from '../git/remotes';
import { lineOf } from './yaml';
import { FluxGraphBuilder, specRel, type ClusterGraph, type FluxNode, type GraphHost } from './graph';
import { assemble, manifestObject } from './assemble';
import { findOrphans } from './intent';
import { checkApplied } from './checks';
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
  private sopsConfigs = new Map<string, { file: string; rules: SopsCreationRule[] } | null>();
  private current: RepoModel | null = null;
  /** The model when only a file's content changed is rebuilt from the cached parses. */

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
    const problems: Problem[] = [];
    const discovered = this.walkRoots(problems);
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
    const groups = new Map<string, { files: string[]; docs: RepoDoc[]; root: string }>();
    for (const f of discovered) {
      const root = this.rootOf(f);
      const base = baseOfRoot.get(root)!;
      let g = groups.get(base);
      if (!g) groups.set(base, (g = { files: [], docs: [], root }));
      g.files.push(f);
    }
    for (const [root, docs] of docsOfRoot) groups.get(baseOfRoot.get(root)!)!.docs.push(...docs);

    const clusterGraphs: ClusterGraph[] = [];
    const nodes: FluxNode[] = [];
    const remote: Array<SourceLocation & { url: string }> = [];
    const used = new Set<string>();
    const allDocs: RepoDoc[] = [];
    const knownSources: string[] = [];
    const notices: string[] = [];
    for (const [base, g] of groups) {
      const host = this.host(base, g.files);
      const graph = new FluxGraphBuilder(
        host,
        g.docs,
        g.files,
        this.options.ociArtifactFolder ?? null,
      ).build();
      knownSources.push(...graph.sources);
      for (const c of graph.clusters) {
        clusterGraphs.push(c);
        if (c.note) problems.push(problem('info', 'oci-folder', c.root.file, c.root.line, c.note));
        used.add(c.root.file);
        for (const n of c.nodes) {
          nodes.push(n);
          remote.push(...n.remote);
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
    const assembled = assemble(clusterGraphs, (p) => this.cache.kind(p) === 'dir');
    problems.push(...assembled.problems);
    const clusterOfNode = new Map<FluxNode, string>();
    for (const c of clusterGraphs)
      for (const n of c.nodes) if (!clusterOfNode.has(n)) clusterOfNode.set(n, c.name);

    const rootSources = clusterGraphs
      .map((c) => c.root.source)
      .filter((s): s is NonNullable<typeof s> => !!s)
      .map((s) => `${s.kind}/${s.namespace}/${s.name}`);
    const rootKs = clusterGraphs.map((c) => `Kustomization/${c.root.namespace}/${c.root.name}`);
    problems.push(
      ...checkApplied(
        {
          root: this.roots[0],
          skipped: (f) => this.cache.file(f).skipped,
          yamlErrors: (f) => this.cache.file(f).parsed?.errors ?? [],
          sopsConfigFor: (f) => this.sopsConfigFor(f),
          lineOf,
        },
        nodes,
        allDocs,
        [...rootSources, ...rootKs, ...knownSources],
        used,
      ),
    );

    const orphanUnits = [];
    const orphans: string[] = [];
    for (const [base, g] of groups) {
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
          used,
          nodes,
          docs: g.docs,
          keyOf: assembled.keyOf,
          clusterOf: (n) => clusterOfNode.get(n) ?? '',
        },
      );
      orphans.push(...found.orphans);
      orphanUnits.push(...found.units);
      problems.push(...found.problems);
    }
    // Objects of files nothing applies are still listed (the tree shows them under "not applied").
    for (const f of orphans) {
      for (const d of this.cache.file(f).parsed?.docs ?? [])
        assembled.objects.push(manifestObject(f, d.line, d.index, d.value));
    }
    const model: RepoModel = {
      roots: [...this.roots],
      clusters: assembled.clusters,
      kustomizations: assembled.kustomizations,
      objects: assembled.objects,
      orphans,
      orphanUnits,
      problems: dedupeProblems(problems),
      remoteResources: dedupeBy(remote, (r) => `${r.file}:${r.line}:${r.url}`),
      notices,
    };
    this.current = model;
    return model;
  }
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
