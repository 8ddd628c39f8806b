/**
 * What nothing applies, and whether that was meant: an entry commented out (`# - ./foo`) or an
 * empty `resources: []` is a deliberate choice (disabled), a folder an Argo CD Application reads
 * is managed by Argo CD, and only what is left is reported as forgotten, with the line to add.
 */
import * as path from 'node:path';
import { isWithin, relSlash } from './fsCache';
import type { FluxNode } from './graph';
import { KUSTOMIZATION_FILES } from './manifest';
import { asObj, type Obj } from './values';
import type { OrphanUnit, Problem } from './model';
import type { RepoDoc } from './roots';

export interface IntentHost {
  hasManifests(file: string): boolean;
  firstLine(file: string): number;
  readText(file: string): string | null;
  kustomizationFile(dir: string): string | null;
  kustomizeValue(file: string): Obj | null;
  lineOf(container: unknown, key: string | number): number | undefined;
}

export interface IntentInput {
  /** The folder orphans are shown relative to (the workspace root). */
  root: string;
  gitRoot: string;
  discovered: string[];
  /** Files some build reads: applied manifests, kustomize inputs, sync root files. */
  used: Set<string>;
  nodes: FluxNode[];
  docs: RepoDoc[];
  /** Key of a node, for the units' `kustomization` field. */
  keyOf(n: FluxNode): string;
  clusterOf(n: FluxNode): string;
}

/** Folders of this repository that Argo CD Applications read. */
function argoPaths(docs: RepoDoc[], gitRoot: string): string[] {
  const out: string[] = [];
  for (const d of docs) {
    const v = d.value;
    if (typeof v.apiVersion !== 'string' || !v.apiVersion.startsWith('argoproj.io/')) continue;
    if (v.kind !== 'Application' && v.kind !== 'ApplicationSet') continue;
    const spec = asObj(v.spec) ?? {};
    const template = asObj(asObj(spec.template)?.spec);
    const specs = [spec, template].filter((s): s is Obj => !!s);
    for (const s of specs) {
      const sources = [asObj(s.source), ...(Array.isArray(s.sources) ? s.sources.map(asObj) : [])];
      for (const src of sources) {
        const p = src && typeof src.path === 'string' ? src.path : null;
        if (p && !p.includes('{{')) out.push(path.resolve(gitRoot, p.replace(/^\.?\//, '')));
      }
    }
  }
  return out;
}

/** Comment lines that list an entry (`# - ./foo`, `#- foo/ks.yaml`), resolved against their file's folder. */
function commentedEntries(text: string, dir: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*#+\s*-\s+["']?([^\s"'#]+)["']?\s*(?:#.*)?$/.exec(line);
    if (m && !m[1].includes('://')) out.push(path.resolve(dir, m[1]));
  }
  return out;
}

export function findOrphans(
  host: IntentHost,
  input: IntentInput,
): { orphans: string[]; units: OrphanUnit[]; problems: Problem[] } {
  const { root, gitRoot, used } = input;
  const appliedAncestors = new Set<string>();
  for (const f of used) {
    for (let dir = path.dirname(f); !appliedAncestors.has(dir);) {
      appliedAncestors.add(dir);
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  // Folders a build went through, and how many Kustomizations go through each.
  const visitedBy = new Map<string, FluxNode[]>();
  const broken = new Set<string>();
  for (const n of input.nodes) {
    for (const dir of n.visited.keys()) {
      let l = visitedBy.get(dir);
      if (!l) visitedBy.set(dir, (l = []));
      if (!l.includes(n)) l.push(n);
    }
    for (const b of n.broken) broken.add(b);
  }
  const argo = argoPaths(input.docs, gitRoot);
  const orphans: string[] = [];
  const units = new Map<
    string,
    OrphanUnit & { anchor: string | null; skip: boolean; besideApplied: boolean; firstLine: number }
  >();
  for (const f of input.discovered) {
    if (used.has(f) || !host.hasManifests(f)) continue;
    orphans.push(f);
    let child = f;
    let dir = path.dirname(f);
    let anchor: string | null = null;
    let skip = false;
    // Whether files beside it are applied: only then can it have been forgotten.
    let besideApplied = false;
    for (;;) {
      if (visitedBy.has(dir)) {
        anchor = dir;
        besideApplied = true;
        break;
      }
      if (broken.has(dir)) {
        skip = true;
        break;
      }
      // The workspace root always holds applied files: a top-level folder is not "beside" them.
      if (dir === root || !isWithin(root, dir)) break;
      if (appliedAncestors.has(dir)) {
        besideApplied = true;
        break;
      }
      child = dir;
      dir = path.dirname(dir);
    }
    let unit = units.get(child);
    if (!unit) {
      const host0 = anchor ? visitedBy.get(anchor)![0] : null;
      unit = {
        path: child,
        isFolder: child !== f,
        files: [],
        kustomization: host0 ? input.keyOf(host0) : null,
        cluster: host0 ? input.clusterOf(host0) : null,
        listedIn: anchor ? host.kustomizationFile(anchor) : null,
        anchor,
        skip,
        besideApplied,
        firstLine: host.firstLine(f),
      };
      units.set(child, unit);
    }
    unit.files.push(f);
  }

  const problems: Problem[] = [];
  const commentCache = new Map<string, string[]>();
  const commentedIn = (kfile: string): string[] => {
    let c = commentCache.get(kfile);
    if (!c) commentCache.set(kfile, (c = commentedEntries(host.readText(kfile) ?? '', path.dirname(kfile))));
    return c;
  };
  let usedKustomizationFiles: string[] | null = null;
  const usedKustomizations = (): string[] =>
    (usedKustomizationFiles ??= [...used].filter((f) => KUSTOMIZATION_FILES.includes(path.basename(f))));
  // Every `resources` entry of the kustomization files builds read, resolved; commented-out
  // entries too: they show how the author lists such folders. Only orphan folders need them.
  let listedEntries: { file: string; target: string; entry?: string }[] | null = null;
  const listed = (): { file: string; target: string; entry?: string }[] => {
    if (listedEntries) return listedEntries;
    listedEntries = [];
    for (const kf of usedKustomizations()) {
      const resources = host.kustomizeValue(kf)?.resources;
      for (const r of Array.isArray(resources) ? resources : []) {
        if (typeof r === 'string' && !r.includes('://'))
          listedEntries.push({ file: kf, target: path.resolve(path.dirname(kf), r), entry: r });
      }
      for (const target of commentedIn(kf)) listedEntries.push({ file: kf, target });
    }
    return listedEntries;
  };
  /**
   * Where the folder's applied siblings are listed (often an overlay listing
   * `../../base/<ns>/<app>/ks.yaml` for each app), and the entry that would list it the same way.
   */
  const siblingListing = (folder: string): { file: string; entry: string } | null => {
    const parent = path.dirname(folder);
    const count = new Map<string, { n: number; rest: string; dotSlash: number; slash: number }>();
    for (const l of listed()) {
      if (!isWithin(parent, l.target) || l.target === parent || isWithin(folder, l.target)) continue;
      // A sibling's own kustomization listing its own files says nothing about the siblings.
      const listedFrom = path.dirname(l.file);
      if (listedFrom !== parent && isWithin(parent, listedFrom)) continue;
      const rest = path.relative(parent, l.target).split(path.sep).slice(1).join('/');
      const c = count.get(l.file) ?? { n: 0, rest, dotSlash: 0, slash: 0 };
      c.n++;
      // How the siblings are written: `./podinfo` or `podinfo`, `podinfo/` or `podinfo`.
      if (l.entry?.startsWith('./')) c.dotSlash++;
      if (l.entry?.endsWith('/')) c.slash++;
      count.set(l.file, c);
    }
    const best = [...count.entries()].sort((a, b) => b[1].n - a[1].n)[0];
    if (!best) return null;
    const [file, { rest, n, dotSlash, slash }] = best;
    const same = rest ? path.join(folder, rest) : folder;
    const target = rest && host.readText(same) === null ? folder : same;
    const relative = relSlash(path.dirname(file), target);
    const prefix = dotSlash * 2 > n && !relative.startsWith('.') ? './' : '';
    // Siblings listed as folders show the slash style; listed by a file inside (ks.yaml) they do not.
    const suffix = target === folder && (rest !== '' || slash * 2 > n) ? '/' : '';
    return { file, entry: `${prefix}${relative}${suffix}` };
  };
  const outUnits: OrphanUnit[] = [];
  for (const u of units.values()) {
    const { anchor, skip, besideApplied, firstLine, ...unit } = u;
    outUnits.push(unit);
    if (skip) continue;
    const shown = relSlash(root, u.path) + (u.isFolder ? '/' : '');
    const at = { file: u.files[0], line: firstLine };
    if (argo.some((a) => isWithin(a, u.path) || isWithin(u.path, a))) {
      problems.push({
        severity: 'info',
        code: 'argocd-managed',
        ...at,
        message: `${shown} is read by an Argo CD Application of this repository, not by Flux.`,
      });
      continue;
    }
    // Commented out in a kustomization file that a build reads (an overlay often lists
    // `# - ../../base/ns/app/ks.yaml`), or in one on the way up: disabled on purpose.
    const mentions = (kf: string): boolean =>
      commentedIn(kf).some((e) => isWithin(e, u.path) || isWithin(u.path, e));
    let disabled: string | null = usedKustomizations().find(mentions) ?? null;
    for (let dir = path.dirname(u.path); isWithin(gitRoot, dir) && !disabled; dir = path.dirname(dir)) {
      const kf = host.kustomizationFile(dir);
      if (kf) {
        const hit = mentions(kf);
        const cfg = host.kustomizeValue(kf);
        const empty =
          Array.isArray(cfg?.resources) && cfg.resources.length === 0 && dir === path.dirname(u.path);
        if (hit || empty) disabled = kf;
      }
      if (dir === path.dirname(dir)) break;
    }
    if (disabled) {
      problems.push({
        severity: 'info',
        code: 'disabled',
        ...at,
        message: `${shown} is disabled: ${relSlash(root, disabled)} ${u.isFolder ? 'lists it only in a comment or lists nothing' : 'lists it only in a comment'}.`,
      });
      continue;
    }
    if (u.isFolder && host.kustomizeValue(host.kustomizationFile(u.path) ?? '')?.kind === 'Component') {
      problems.push({
        severity: 'info',
        code: 'unused-component',
        ...at,
        message: `${shown} is a kustomize Component that no Kustomization uses.`,
      });
      continue;
    }
    if (!besideApplied) {
      problems.push({
        severity: 'info',
        code: 'outside-flux',
        ...at,
        message: `${shown} is outside every folder Flux builds: no Flux Kustomization applies it (bootstrap files, examples or another tool's).`,
      });
      continue;
    }
    const bySiblings = u.isFolder ? siblingListing(u.path) : null;
    if (bySiblings && bySiblings.file !== u.listedIn) {
      const kcfg = host.kustomizeValue(bySiblings.file);
      problems.push({
        severity: 'warning',
        code: 'not-applied',
        file: bySiblings.file,
        line: (kcfg && host.lineOf(kcfg, 'resources')) ?? 1,
        message: `Folder ${shown} has manifests that no Flux Kustomization applies: add "${bySiblings.entry}" to the resources of ${relSlash(root, bySiblings.file)}, as its sibling folders are.`,
        fix: { kind: 'add-resource', kustomizationFile: bySiblings.file, entry: bySiblings.entry },
      });
    } else if (u.listedIn && anchor) {
      const shared = (visitedBy.get(anchor)?.length ?? 0) > 1;
      const kcfg = host.kustomizeValue(u.listedIn);
      // The entry written as the siblings in that file are (`podinfo`, `podinfo/`, `./podinfo`).
      const rel =
        bySiblings?.file === u.listedIn
          ? bySiblings.entry
          : relSlash(path.dirname(u.listedIn), u.path) + (u.isFolder ? '/' : '');
      const line = (kcfg && host.lineOf(kcfg, 'resources')) ?? 1;
      problems.push({
        severity: 'warning',
        code: 'not-applied',
        file: u.listedIn,
        line,
        message: shared
          ? `${u.isFolder ? 'Folder' : 'File'} ${shown} has manifests that no Flux Kustomization applies (${relSlash(root, u.listedIn)} is a base shared by several Kustomizations).`
          : `${u.isFolder ? 'Folder' : 'File'} ${shown} has manifests that no Flux Kustomization applies: add "${rel}" to the resources of ${relSlash(root, u.listedIn)}.`,
        ...(shared
          ? {}
          : { fix: { kind: 'add-resource' as const, kustomizationFile: u.listedIn, entry: rel } }),
      });
    } else {
      problems.push({
        severity: 'warning',
        code: 'not-applied',
        ...at,
        message: `${u.isFolder ? 'Folder' : 'File'} ${shown} has manifests that no Flux Kustomization applies.`,
      });
    }
  }
  return { orphans, units: outUnits, problems };
}
