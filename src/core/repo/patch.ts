/**
 * The three ways kustomize changes an object: a strategic merge patch, a JSON 6902 patch, and
 * the selector that picks the objects a patch (or replacement) targets.
 */
import { asObj, type Obj } from './values';

export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

const regexCache = new Map<string, RegExp | null>();

/** kustomize matches a selector's name and namespace as anchored regular expressions. */
function matchesPattern(pattern: string, value: string): boolean {
  if (pattern === value) return true;
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch {
      re = null;
    }
    regexCache.set(pattern, re);
  }
  return re ? re.test(value) : false;
}

/** Kubernetes label selector syntax: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x)`. */
export function matchesLabelSelector(selector: string, labels: Record<string, unknown>): boolean {
  const clauses = selector.match(/[^,(]+(?:\([^)]*\))?/g) ?? [];
  for (const raw of clauses) {
    const c = raw.trim();
    if (!c) continue;
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(c))) {
      const values = m[3].split(',').map((s) => s.trim());
      const has = m[1] in labels && values.includes(String(labels[m[1]]));
      if ((m[2] === 'in') !== has) return false;
    } else if ((m = /^([^\s!=]+)\s*!=\s*(.*)$/.exec(c))) {
      if (String(labels[m[1]] ?? '') === m[2].trim() && m[1] in labels) return false;
    } else if ((m = /^([^\s!=]+)\s*==?\s*(.*)$/.exec(c))) {
      if (!(m[1] in labels) || String(labels[m[1]]) !== m[2].trim()) return false;
    } else if ((m = /^!\s*(\S+)$/.exec(c))) {
      if (m[1] in labels) return false;
    } else if (!(c in labels)) {
      return false;
    }
  }
  return true;
}

export function matchesSelector(o: Obj, s: Selector): boolean {
  const apiVersion = typeof o.apiVersion === 'string' ? o.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const m = asObj(o.metadata) ?? {};
  if (s.group !== undefined && s.group !== '' && s.group !== group) return false;
  if (s.version !== undefined && s.version !== '' && s.version !== version) return false;
  if (s.kind && !matchesPattern(s.kind, String(o.kind ?? ''))) return false;
  if (s.name && !matchesPattern(s.name, String(m.name ?? ''))) return false;
  if (s.namespace && !matchesPattern(s.namespace, String(m.namespace ?? ''))) return false;
  if (s.labelSelector && !matchesLabelSelector(s.labelSelector, asObj(m.labels) ?? {})) return false;
  if (s.annotationSelector && !matchesLabelSelector(s.annotationSelector, asObj(m.annotations) ?? {}))
    return false;
  return true;
}

/**
 * A strategic merge patch without the schema: maps merge, `null` deletes, lists of maps with a
 * `name` merge by name (containers, volumes, env: the usual merge keys), other lists replace.
 */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  const t = asObj(target);
  const p = asObj(patch);
  if (!p) return patch;
  if (!t) return stripDirectives(p);
  if (p.$patch === 'replace') return stripDirectives(p);
  const out: Obj = { ...t };
  for (const [k, v] of Object.entries(p)) {
    if (k.startsWith('$')) continue;
    if (v === null) {
      delete out[k];
    } else if (asObj(v)) {
      out[k] = strategicMerge(out[k], v);
    } else if (Array.isArray(v) && Array.isArray(out[k])) {
      out[k] = mergeList(out[k] as unknown[], v);
    } else {
      out[k] = v;
    }
  }
  return out;
}

function stripDirectives(p: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(p)) if (!k.startsWith('$')) out[k] = v;
  return out;
}

function mergeList(target: unknown[], patch: unknown[]): unknown[] {
  const keyed = (l: unknown[]): boolean => l.length > 0 && l.every((x) => typeof asObj(x)?.name === 'string');
  if (!keyed(patch) || !(keyed(target) || target.length === 0)) return patch;
  const out = [...target];
  for (const item of patch) {
    const po = item as Obj;
    const i = out.findIndex((x) => (x as Obj).name === po.name);
    if (po.$patch === 'delete') {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = strategicMerge(out[i], po);
    else out.push(stripDirectives(po));
  }
  return out;
}

function decodePointer(p: string): string[] {
  if (p === '' || p === '/') return p === '/' ? [''] : [];
  return p
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(root: unknown, parts: string[]): unknown {
  let cur = root;
  for (const part of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else cur = asObj(cur)?.[part];
    if (cur === undefined) throw new Error('path not found');
  }
  return cur;
}

function getAt(root: unknown, parts: string[]): unknown {
  let cur = root;
  for (const part of parts) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else cur = asObj(cur)?.[part];
    if (cur === undefined) throw new Error('path not found');
  }
  return cur;
}

function setAt(root: unknown, parts: string[], value: unknown, insert: boolean): void {
  const parent = parentOf(root, parts);
  const last = parts[parts.length - 1];
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new Error('bad index');
    if (insert) parent.splice(i, 0, value);
    else parent[i] = value;
  } else {
    const o = asObj(parent);
    if (!o) throw new Error('path not found');
    if (!insert && !(last in o)) throw new Error('path not found');
    o[last] = value;
  }
}

function removeAt(root: unknown, parts: string[]): unknown {
  const parent = parentOf(root, parts);
  const last = parts[parts.length - 1];
  if (Array.isArray(parent)) return parent.splice(Number(last), 1)[0];
  const o = asObj(parent);
  if (!o || !(last in o)) throw new Error('path not found');
  const v = o[last];
  delete o[last];
  return v;
}

/** RFC 6902 on an object that the caller owns; throws when an operation cannot apply. */
export function applyJsonPatch(target: Obj, ops: unknown[]): Obj {
  let root: unknown = target;
  for (const raw of ops) {
    const op = asObj(raw);
    if (!op || typeof op.op !== 'string' || typeof op.path !== 'string') continue;
    const parts = decodePointer(op.path);
    const value = op.value === undefined ? undefined : structuredClone(op.value);
    if (parts.length === 0) {
      if (op.op === 'add' || op.op === 'replace') root = value;
      continue;
    }
    switch (op.op) {
      case 'add':
        setAt(root, parts, value, true);
        break;
      case 'replace':
        setAt(root, parts, value, false);
        break;
      case 'remove':
        removeAt(root, parts);
        break;
      case 'copy':
        setAt(root, parts, structuredClone(getAt(root, decodePointer(String(op.from)))), true);
        break;
      case 'move':
        setAt(root, parts, removeAt(root, decodePointer(String(op.from))), true);
        break;
      case 'test':
        break;
    }
  }
  return asObj(root) ?? target;
}
