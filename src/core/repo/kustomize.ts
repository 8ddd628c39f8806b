/**
 * kustomize as kustomize-controller runs it: resources, components, generators, patches,
 * namespace and name transformers, replacements, applied in kustomize's own order, to the
 * objects of a folder. Only what decides an object's identity and the fields Flux reads has to
 * be exact; everything else is carried along unchanged.
 */
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { isWithin, relSlash } from './fsCache';
import { isKustomizeConfig } from './manifest';
import { asObj, str, type Obj } from './values';
import { problem, type Problem, type SourceLocation } from './model';
import { parseYaml } from './yaml';
import { applyJsonPatch, matchesSelector, strategicMerge, type Selector } from './patch';

/** One object of a build, with the document it came from. */
export interface Rendered {
  value: Obj;
  file: string;
  line: number;
  docIndex: number;
  /** Top-level entry of the build root (folder or file) the object came through. */
  top: string;
  /** Made by a configMapGenerator / secretGenerator (file and line are the generator's). */
  generated: boolean;
  /** The generator wants kustomize's content hash appended to the name. */
  hashSuffix?: boolean;
  /** `value` is this build's own copy and may be changed in place. */
  owned: boolean;
}

/** What a build needs from the file system (the repository cache). */
export interface BuildHost {
  kind(p: string): 'file' | 'dir' | null;
  kustomizationFile(dir: string): string | null;
  docs(file: string): Array<{ index: number; line: number; value: Obj }> | null;
  kustomizeValue(file: string): Obj | null;
  /** Lines of a kustomization.yaml's keys and list items, for problems. */
  lineOf(container: unknown, key: string | number): number | undefined;
  readText(file: string): string | null;
  /** The manifest files and kustomize folders directly applied from a folder without kustomization.yaml. */
  scanPlain(dir: string, problems: Problem[]): string[];
}

export interface BuildContext {
  host: BuildHost;
  /** Nothing outside this folder can be read (the source's root). */
  bound: string;
  problems: Problem[];
  remote: Array<SourceLocation & { url: string }>;
  /** Files kustomize reads that are not resources (patches, generator inputs...). */
  inputs: Set<string>;
  /** Folders the build went through, each with its kustomization file (null: plain folder). */
  visited: Map<string, string | null>;
  /** Folders listed as resources that kustomize cannot load. */
  broken: Set<string>;
  stack: string[];
}

/** Extra kustomization fields Flux adds to the folder's own (spec.targetNamespace, patches...). */
export interface FluxOverrides {
  namespace?: string | null;
  patches?: unknown[];
  components?: string[];
  /** Where the overrides are written, for problems. */
  at: SourceLocation;
}

const REMOTE_RE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)|\?ref=/i;

export function isRemoteResource(entry: string): boolean {
  return REMOTE_RE.test(entry);
}

// Kinds kustomize knows to be cluster-scoped (its built-in OpenAPI schema). Custom resources are
// unknown to it and get a namespace like any namespaced object.
const CLUSTER_SCOPED = new Set([
  'ComponentStatus',
  'Namespace',
  'Node',
  'PersistentVolume',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'CustomResourceDefinition',
  'APIService',
  'TokenReview',
  'SelfSubjectAccessReview',
  'SelfSubjectRulesReview',
  'SubjectAccessReview',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'IngressClass',
  'RuntimeClass',
  'PodSecurityPolicy',
  'ClusterRoleBinding',
  'ClusterRole',
  'PriorityClass',
  'CSIDriver',
  'CSINode',
  'StorageClass',
  'VolumeAttachment',
]);

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

export function meta(o: Obj): Obj {
  return asObj(o.metadata) ?? {};
}

export function identityOf(o: Obj): { apiVersion: string; kind: string; name: string; namespace: string } {
  const m = meta(o);
  return {
    apiVersion: str(o.apiVersion) ?? '',
    kind: str(o.kind) ?? '',
    name: str(m.name) ?? '',
    namespace: str(m.namespace) ?? '',
  };
}

/** True (and reported) when a path leaves the source's root: Flux cannot read it, nor do we. */
function escapes(ctx: BuildContext, target: string, at: SourceLocation, what: string): boolean {
  if (isWithin(ctx.bound, target)) return false;
  ctx.problems.push(problem('error', 'path-escapes', at.file, at.line, `${what} Not followed.`));
  return true;
}

/** Gives a rendered object its own copy before a change. */
function own(r: Rendered): Obj {
  if (!r.owned) {
    r.value = structuredClone(r.value);
    r.owned = true;
  }
  return r.value;
}

/** Sets metadata fields with a shallow copy (cheaper than a deep one for the common transforms). */
function setMeta(r: Rendered, changes: Obj): void {
  const m = { ...meta(r.value), ...changes };
  r.value = { ...r.value, metadata: m };
  // A shallow copy shares everything but metadata: deeper changes still need own().
  r.owned = false;
}

function listOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [v];
  return [];
}

/**
 * Builds a folder as `kustomize build` would (with Flux's additions when `flux` is given), or
 * the plain folder Flux applies when it has no kustomization file.
 */
export function buildFolder(
  dir: string,
  ctx: BuildContext,
  flux: FluxOverrides | null,
  from: SourceLocation | null,
): Rendered[] {
  const kfile = ctx.host.kustomizationFile(dir);
  let out: Rendered[];
  if (kfile) {
    out = buildKustomization(dir, kfile, ctx, from, flux, 'resource');
  } else {
    // Flux writes a kustomization.yaml listing every manifest and kustomize folder below.
    if (!ctx.visited.has(dir)) ctx.visited.set(dir, null);
    const cfg: Obj = { resources: ctx.host.scanPlain(dir, ctx.problems).map((p) => relSlash(dir, p) || '.') };
    out = applyKustomization(dir, null, cfg, ctx, flux, 'resource', []);
  }
  applyHashSuffixes(out);
  return out;
}

function buildKustomization(
  dir: string,
  kfile: string,
  ctx: BuildContext,
  from: SourceLocation | null,
  flux: FluxOverrides | null,
  as: 'resource' | 'component',
  acc: Rendered[] = [],
): Rendered[] {
  if (ctx.stack.includes(dir) || ctx.stack.length > 64) {
    const at = from ?? { file: kfile, line: 1 };
    const chain = [...ctx.stack, dir].map((d) => relSlash(ctx.bound, d) || '.').join(' → ');
    ctx.problems.push(
      problem(
        'error',
        'kustomize-cycle',
        at.file,
        at.line,
        `Kustomize resources form a cycle: ${chain}; not followed.`,
      ),
    );
    return acc;
  }
  if (!ctx.visited.has(dir)) ctx.visited.set(dir, kfile);
  const cfg = ctx.host.kustomizeValue(kfile) ?? {};
  ctx.stack.push(dir);
  try {
    return applyKustomization(dir, kfile, cfg, ctx, flux, as, acc);
  } finally {
    ctx.stack.pop();
  }
}

/** The line of `cfg[key][index]` (or of `cfg[key]`), falling back to the file's first line. */
function lineIn(ctx: BuildContext, cfg: Obj, key: string, index?: number): number {
  const list = cfg[key];
  if (index !== undefined && Array.isArray(list)) {
    const l = ctx.host.lineOf(list, index);
    if (l) return l;
  }
  return ctx.host.lineOf(cfg, key) ?? 1;
}

function applyKustomization(
  dir: string,
  kfile: string | null,
  cfg: Obj,
  ctx: BuildContext,
  flux: FluxOverrides | null,
  as: 'resource' | 'component',
  acc: Rendered[],
): Rendered[] {
  const at = (key: string, i?: number): SourceLocation =>
    kfile ? { file: kfile, line: lineIn(ctx, cfg, key, i) } : (flux?.at ?? { file: dir, line: 1 });
  // A component transforms what its parent accumulated so far; a resource build starts empty.
  const objects: Rendered[] = as === 'component' ? acc : [];
  const isTop = ctx.stack.length <= 1;

  const resourceKeys = ['resources', 'bases'];
  for (const key of resourceKeys) {
    listOf(cfg[key]).forEach((item, i) => {
      const entry = str(item);
      if (!entry) return;
      addResource(dir, entry, at(key, i), ctx, objects, isTop);
    });
  }

  const components: Array<{ entry: string; base: string; at: SourceLocation }> = [];
  listOf(cfg.components).forEach((item, i) => {
    const entry = str(item);
    if (entry) components.push({ entry, base: dir, at: at('components', i) });
  });
  for (const c of flux?.components ?? []) components.push({ entry: c, base: dir, at: flux!.at });
  for (const c of components) {
    if (isRemoteResource(c.entry)) {
      ctx.remote.push({ ...c.at, url: c.entry });
      continue;
    }
    const target = path.resolve(c.base, c.entry);
    if (
      escapes(ctx, target, c.at, `Component "${c.entry}" points outside the repository; Flux cannot read it.`)
    )
      continue;
    const ck = ctx.host.kind(target) === 'dir' ? ctx.host.kustomizationFile(target) : null;
    if (!ck) {
      ctx.problems.push(
        problem(
          'error',
          'missing-resource',
          c.at.file,
          c.at.line,
          `Component "${c.entry}" does not exist or has no kustomization.yaml.`,
        ),
      );
      continue;
    }
    const before = new Set(objects);
    buildKustomization(target, ck, ctx, c.at, null, 'component', objects);
    if (isTop) for (const o of objects) if (!before.has(o)) o.top = target;
  }

  // Generators.
  const generatorOptions = asObj(cfg.generatorOptions);
  for (const [key, kind] of [
    ['configMapGenerator', 'ConfigMap'],
    ['secretGenerator', 'Secret'],
  ] as const) {
    listOf(cfg[key]).forEach((item, i) => {
      const g = asObj(item);
      if (!g) return;
      const made = generate(dir, g, kind, generatorOptions, at(key, i), ctx);
      if (!made) return;
      const name = identityOf(made.value).name;
      const behavior = str(g.behavior) ?? 'create';
      const existing =
        behavior !== 'create'
          ? objects.find((o) => o.value.kind === kind && identityOf(o.value).name === name)
          : undefined;
      if (existing) {
        // merge / replace keep the existing object's identity (and its hash wish).
        const v = own(existing);
        if (behavior === 'replace') {
          v.data = made.value.data;
        } else {
          v.data = { ...(asObj(v.data) ?? {}), ...(asObj(made.value.data) ?? {}) };
        }
        return;
      }
      if (isTop) made.top = made.file;
      objects.push(made);
    });
  }

  // Transformers, in kustomize's order.
  const patches: Array<{ patch: unknown; target: Selector | null; at: SourceLocation }> = [];
  listOf(cfg.patchesStrategicMerge).forEach((item, i) => {
    const loc = at('patchesStrategicMerge', i);
    // An entry is a file name, or an inline patch (which has a newline or a colon).
    const inline = typeof item !== 'string' || item.includes('\n') || item.includes(':');
    for (const p of patchDocuments(dir, inline ? item : undefined, inline ? undefined : item, loc, ctx))
      patches.push({ patch: p, target: null, at: loc });
  });
  const patchEntries: Array<{ item: unknown; at: SourceLocation }> = listOf(cfg.patches).map((item, i) => ({
    item,
    at: at('patches', i),
  }));
  for (const item of flux?.patches ?? []) patchEntries.push({ item, at: flux!.at });
  for (const { item, at: loc } of patchEntries) {
    const p = asObj(item);
    if (!p) continue;
    const target = asObj(p.target) as Selector | null;
    for (const c of patchDocuments(dir, p.patch, p.path, loc, ctx))
      patches.push({ patch: c, target, at: loc });
  }
  for (const p of patches) applyPatch(objects, p.patch, p.target, p.at, ctx);

  const namespace = flux && flux.namespace ? flux.namespace : str(cfg.namespace);
  if (namespace) {
    for (const o of objects) {
      const kind = str(o.value.kind) ?? '';
      if (kind === 'Namespace') {
        // kustomize's namespace field specs include a Namespace object's own name.
        if (meta(o.value).name !== namespace) setMeta(o, { name: namespace });
      } else if (!CLUSTER_SCOPED.has(kind)) {
        if (meta(o.value).namespace !== namespace) setMeta(o, { namespace });
      }
    }
  }
  const prefix = str(cfg.namePrefix) ?? '';
  const suffix = str(cfg.nameSuffix) ?? '';
  if (prefix || suffix) {
    for (const o of objects) {
      const kind = str(o.value.kind) ?? '';
      if (kind === 'CustomResourceDefinition' || kind === 'Namespace') continue;
      setMeta(o, { name: prefix + (str(meta(o.value).name) ?? '') + suffix });
    }
  }
  listOf(cfg.patchesJson6902).forEach((item, i) => {
    const p = asObj(item);
    if (!p) return;
    const loc = at('patchesJson6902', i);
    for (const c of patchDocuments(dir, p.patch, p.path, loc, ctx))
      applyPatch(objects, c, asObj(p.target) as Selector | null, loc, ctx);
  });
  listOf(cfg.replacements).forEach((item, i) => {
    const r = asObj(item);
    if (!r) return;
    const loc = at('replacements', i);
    let specs: unknown[] = [r];
    const file = str(r.path);
    if (file) specs = loadYamlFile(path.resolve(dir, file), loc, ctx);
    for (const s of specs.flatMap((x) => (Array.isArray(x) ? x : [x]))) applyReplacement(objects, asObj(s));
  });
  return objects;
}

function addResource(
  dir: string,
  entry: string,
  at: SourceLocation,
  ctx: BuildContext,
  objects: Rendered[],
  isTop: boolean,
): void {
  if (isRemoteResource(entry)) {
    ctx.remote.push({ ...at, url: entry });
    return;
  }
  const target = path.resolve(dir, entry);
  if (escapes(ctx, target, at, `Resource "${entry}" points outside the repository; Flux cannot read it.`))
    return;
  const kind = ctx.host.kind(target);
  if (kind === null) {
    ctx.problems.push(
      problem('error', 'missing-resource', at.file, at.line, `Resource "${entry}" does not exist.`),
    );
  } else if (kind === 'dir') {
    const kf = ctx.host.kustomizationFile(target);
    if (!kf) {
      ctx.broken.add(target);
      ctx.problems.push(
        problem(
          'error',
          'missing-kustomization',
          at.file,
          at.line,
          `Folder "${entry}" has no kustomization.yaml, so kustomize cannot load it as a resource.`,
        ),
      );
      return;
    }
    const built = buildKustomization(target, kf, ctx, at, null, 'resource');
    for (const o of built) {
      if (isTop) o.top = target;
      objects.push(o);
    }
  } else {
    ctx.inputs.add(target);
    for (const d of ctx.host.docs(target) ?? []) {
      if (isKustomizeConfig(str(d.value.apiVersion) ?? '')) continue;
      objects.push({
        value: d.value,
        file: target,
        line: d.line,
        docIndex: d.index,
        top: target,
        generated: false,
        owned: false,
      });
    }
  }
}

/** Documents of a YAML text; cached by text, since one patch is applied in many builds (never mutate them). */
const parsedTexts = new Map<string, unknown[]>();
function yamlValues(text: string): unknown[] {
  let values = parsedTexts.get(text);
  if (!values) {
    values = parseYaml(text)
      .docs.map((d) => d.value)
      .filter((v) => v !== null && v !== undefined);
    if (parsedTexts.size >= 512) parsedTexts.clear();
    parsedTexts.set(text, values);
  }
  return values;
}

function loadYamlFile(file: string, at: SourceLocation, ctx: BuildContext): unknown[] {
  const text = readInput(file, at, ctx);
  return text === null ? [] : yamlValues(text);
}

/** A patch's documents: `inline` (a YAML string or an object) or the file at `file`. */
function patchDocuments(
  dir: string,
  inline: unknown,
  file: unknown,
  at: SourceLocation,
  ctx: BuildContext,
): unknown[] {
  if (typeof inline === 'string') return yamlValues(inline);
  if (asObj(inline) || Array.isArray(inline)) return [inline];
  const p = str(file);
  return p ? loadYamlFile(path.resolve(dir, p), at, ctx) : [];
}

function applyPatch(
  objects: Rendered[],
  patch: unknown,
  target: Selector | null,
  at: SourceLocation,
  ctx: BuildContext,
): void {
  const ops = Array.isArray(patch) ? patch : null;
  const smp = asObj(patch);
  let selected: Rendered[];
  if (target) {
    selected = objects.filter((o) => matchesSelector(o.value, target));
  } else if (smp) {
    const id = identityOf(smp);
    const group = id.apiVersion.split('/')[0];
    selected = objects.filter((o) => {
      const x = identityOf(o.value);
      return (
        x.kind === id.kind &&
        x.name === id.name &&
        (!id.namespace || x.namespace === id.namespace) &&
        (x.apiVersion.split('/')[0] === group || !id.apiVersion.includes('/'))
      );
    });
    if (selected.length === 0) {
      ctx.problems.push(
        problem(
          'error',
          'patch-no-target',
          at.file,
          at.line,
          `Patch for ${id.kind} ${id.name} matches no object of this build; kustomize fails on it.`,
        ),
      );
    }
  } else {
    return;
  }
  for (const o of selected) {
    if (ops) {
      try {
        o.value = applyJsonPatch(own(o), ops);
      } catch {
        // A JSON patch whose path is absent fails the build in kustomize too; keep the object.
      }
    } else if (smp) {
      if (smp.$patch === 'delete') {
        objects.splice(objects.indexOf(o), 1);
        continue;
      }
      const patchBody = target ? withoutIdentity(smp) : smp;
      o.value = strategicMerge(own(o), patchBody) as Obj;
      // The result shares the patch's (cached) values: the next change must copy first.
      o.owned = false;
    }
  }
}

/** A targeted patch's own name (often `_` or `all`) is not applied to the objects it targets. */
function withoutIdentity(p: Obj): Obj {
  const m = asObj(p.metadata);
  if (!m) return p;
  const rest = { ...m };
  delete rest.name;
  delete rest.namespace;
  return { ...p, metadata: rest };
}

/** One step of a kustomize field path: a map key, a list index, or a `[name=value]` list selector. */
function fieldStep(cur: unknown, part: string): unknown {
  if (!Array.isArray(cur)) return asObj(cur)?.[part];
  const sel = /^\[?(\w+)=(.*?)\]?$/.exec(part);
  return sel ? cur.find((x) => str(asObj(x)?.[sel[1]]) === sel[2]) : cur[Number(part)];
}

function readPath(o: unknown, fieldPath: string): unknown {
  let cur: unknown = o;
  for (const part of splitFieldPath(fieldPath)) {
    cur = fieldStep(cur, part);
    if (cur === undefined) return undefined;
  }
  return cur;
}

function splitFieldPath(fieldPath: string): string[] {
  const parts: string[] = [];
  let buf = '';
  let depth = 0;
  for (const ch of fieldPath) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === '.' && depth === 0) {
      parts.push(buf);
      buf = '';
    } else buf += ch;
  }
  if (buf) parts.push(buf);
  return parts;
}

function writePath(o: Obj, fieldPath: string, value: unknown, create: boolean): void {
  const parts = splitFieldPath(fieldPath);
  let cur: unknown = o;
  for (const part of parts.slice(0, -1)) {
    let next = fieldStep(cur, part);
    const co = asObj(cur);
    if (next === undefined && create && co) next = co[part] = {};
    if (next === undefined) return;
    cur = next;
  }
  const last = parts[parts.length - 1];
  if (Array.isArray(cur)) cur[Number(last)] = value;
  else {
    const co = asObj(cur);
    if (co && (create || last in co)) co[last] = value;
  }
}

/** kustomize `replacements`: copies a field of one object into fields of others. */
function applyReplacement(objects: Rendered[], spec: Obj | null): void {
  if (!spec) return;
  const src = asObj(spec.source);
  if (!src) return;
  const source = objects.find((o) => matchesSelector(o.value, src as Selector));
  if (!source) return;
  let value = readPath(source.value, str(src.fieldPath) ?? 'metadata.name');
  const opts = asObj(src.options);
  if (opts && typeof value === 'string' && opts.delimiter !== undefined) {
    const parts = value.split(String(opts.delimiter));
    value = parts[Number(opts.index ?? 0)] ?? value;
  }
  if (value === undefined) return;
  for (const t of listOf(spec.targets)) {
    const target = asObj(t);
    const select = asObj(target?.select);
    if (!target || !select) continue;
    const rejects = listOf(target.reject)
      .map(asObj)
      .filter((x): x is Obj => !!x);
    const topts = asObj(target.options);
    for (const o of objects) {
      if (!matchesSelector(o.value, select as Selector)) continue;
      if (rejects.some((r) => matchesSelector(o.value, r as Selector))) continue;
      for (const fp of listOf(target.fieldPaths)) {
        const f = str(fp);
        if (!f) continue;
        let v = value;
        if (topts && topts.delimiter !== undefined) {
          const current = readPath(o.value, f);
          const parts = typeof current === 'string' ? current.split(String(topts.delimiter)) : [];
          parts[Number(topts.index ?? 0)] = String(value);
          v = parts.join(String(topts.delimiter));
        }
        writePath(own(o), f, v, topts?.create === true);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Generators

function parseEnvText(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\uFEFF/, '').trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    out.push([line.slice(0, eq).trim(), line.slice(eq + 1)]);
  }
  return out;
}

function generate(
  dir: string,
  g: Obj,
  kind: 'ConfigMap' | 'Secret',
  globalOptions: Obj | null,
  at: SourceLocation,
  ctx: BuildContext,
): Rendered | null {
  const name = str(g.name);
  if (!name) return null;
  const data: Record<string, string> = {};
  for (const lit of listOf(g.literals)) {
    const s = str(lit);
    if (!s) continue;
    const eq = s.indexOf('=');
    if (eq < 0) continue;
    let v = s.slice(eq + 1);
    if (/^(['"]).*\1$/s.test(v)) v = v.slice(1, -1);
    data[s.slice(0, eq)] = v;
  }
  for (const f of listOf(g.files)) {
    const s = str(f);
    if (!s) continue;
    const eq = s.indexOf('=');
    const key = eq >= 0 ? s.slice(0, eq) : path.basename(s);
    const source = eq >= 0 ? s.slice(eq + 1) : s;
    if (isRemoteResource(source)) {
      ctx.remote.push({ ...at, url: source });
      continue;
    }
    const text = readInput(path.resolve(dir, source), at, ctx);
    if (text !== null) data[key] = text;
  }
  for (const e of [...listOf(g.envs), ...listOf(g.env)]) {
    const s = str(e);
    if (!s) continue;
    const text = readInput(path.resolve(dir, s), at, ctx);
    if (text !== null) for (const [k, v] of parseEnvText(text)) data[k] = v;
  }
  const options = { ...(globalOptions ?? {}), ...(asObj(g.options) ?? {}) };
  const metadata: Obj = { name };
  const ns = str(g.namespace);
  if (ns) metadata.namespace = ns;
  const labels = asObj(options.labels);
  const annotations = asObj(options.annotations);
  if (labels) metadata.labels = labels;
  if (annotations) metadata.annotations = annotations;
  const value: Obj = { apiVersion: 'v1', kind, metadata };
  const keys = Object.keys(data).sort();
  if (kind === 'Secret') {
    // A Secret always gets a data mapping, even an empty one; a ConfigMap only with entries.
    value.type = str(g.type) ?? 'Opaque';
    value.data = Object.fromEntries(keys.map((k) => [k, wrappedBase64(data[k])]));
  } else if (keys.length > 0) {
    value.data = Object.fromEntries(keys.map((k) => [k, data[k]]));
  }
  if (options.immutable === true) value.immutable = true;
  return {
    value,
    file: at.file,
    line: at.line,
    docIndex: -1,
    top: at.file,
    generated: true,
    hashSuffix: options.disableNameSuffixHash !== true,
    owned: true,
  };
}

/**
 * Base64 as kustomize writes a generated Secret's values: lines of 70 characters, each ended by a
 * newline once the text is 70 characters or longer. The content hash is over this text.
 */
function wrappedBase64(text: string): string {
  const encoded = Buffer.from(text, 'utf8').toString('base64');
  if (encoded.length < 70) return encoded;
  let out = '';
  for (let i = 0; i < encoded.length; i += 70) out += encoded.slice(i, i + 70) + '\n';
  return out;
}

function readInput(file: string, at: SourceLocation, ctx: BuildContext): string | null {
  if (escapes(ctx, file, at, `"${relSlash(ctx.bound, file)}" points outside the repository;`)) return null;
  const text = ctx.host.readText(file);
  if (text === null) {
    ctx.problems.push(
      problem(
        'error',
        'missing-resource',
        at.file,
        at.line,
        `File "${relSlash(path.dirname(at.file), file)}" does not exist.`,
      ),
    );
    return null;
  }
  ctx.inputs.add(file);
  return text;
}

/**
 * Go's encoding/json of a decoded JSON value: object keys sorted at every level (written out here:
 * a JS object would put integer-like keys first), and <, >, &, U+2028 and U+2029 escaped;
 * JSON.stringify agrees with Go on everything else.
 */
function goJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const members = Object.keys(o)
      .sort()
      .map((k) => `${goJson(k)}:${goJson(o[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(v ?? null).replace(
    /[<>&\u2028\u2029]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/** A field as kustomize's hasher reads it: a mapping as is, a scalar as its text, else "". */
function hashedField(v: unknown): unknown {
  if (asObj(v)) return v;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

/**
 * kustomize's content hash of a generated ConfigMap or Secret (10 characters), as the
 * kustomize/api that Flux vendors computes it: sha256 of the JSON of kind, data (and binaryData
 * of a ConfigMap, type and stringData of a Secret), after every transformation of the build.
 * Its hasher looks the name up as the single field "metadata/name", which no object has, so the
 * name it hashes is always "": the object's name (prefix, suffix) does not change the suffix.
 */
export function generatorHash(value: Obj): string {
  const kind = str(value.kind) ?? '';
  const hashed: Record<string, unknown> = { kind, name: '', data: hashedField(value.data) };
  if (kind === 'Secret') {
    hashed.type = hashedField(value.type);
    if (asObj(value.stringData)) hashed.stringData = value.stringData;
  } else if (asObj(value.binaryData)) {
    hashed.binaryData = value.binaryData;
  }
  const hex = createHash('sha256').update(goJson(hashed)).digest('hex');
  const swap: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((c) => swap[c] ?? c).join('');
}

function applyHashSuffixes(objects: Rendered[]): void {
  for (const o of objects) {
    if (!o.generated || !o.hashSuffix) continue;
    const name = str(meta(o.value).name) ?? '';
    setMeta(o, { name: `${name}-${generatorHash(o.value)}` });
    o.hashSuffix = false;
  }
}
