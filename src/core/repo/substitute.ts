/**
 * Flux's postBuild variable substitution: `${VAR}`, `${VAR:=default}`, `${VAR:-default}` (and the
 * forms without a colon), `$${VAR}` for a literal. Variables whose value the repository cannot
 * tell (a Secret's encrypted value, a ConfigMap only the cluster has) stay as written: the model
 * shows them symbolically instead of guessing.
 */
import type { Obj } from './values';

/** Value of each variable; `null` when it exists but its value cannot be known. */
export type Variables = Map<string, string | null>;

const VAR_RE = /\$(\$?)\{([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[=-])([^}]*))?\}/g;

export function hasVariables(s: string): boolean {
  return s.includes('${');
}

/**
 * Substitutes one string. `strict` is Flux's `substitute: strict` feature flag off by default:
 * an unset variable without a default becomes an empty string.
 */
export function substituteString(s: string, vars: Variables, opaque: boolean): string {
  if (!s.includes('${')) return s;
  return s.replace(
    VAR_RE,
    (whole, escape: string, name: string, op: string | undefined, dflt: string | undefined) => {
      if (escape) return whole.slice(1);
      const has = vars.has(name);
      const value = vars.get(name);
      if (has && value === null) return whole;
      if (op === ':=' || op === ':-') return has && value !== '' ? (value as string) : (dflt ?? '');
      if (op === '=' || op === '-') return has ? (value as string) : (dflt ?? '');
      if (has) return value as string;
      // Unknown variable: Flux makes it empty, unless some substituteFrom source is unreadable,
      // in which case it may well come from there.
      return opaque ? whole : '';
    },
  );
}

function walk(v: unknown, vars: Variables, opaque: boolean): unknown {
  if (typeof v === 'string') return substituteString(v, vars, opaque);
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    v.forEach((x, i) => {
      const y = walk(x, vars, opaque);
      if (y !== x) (out ??= [...v])[i] = y;
    });
    return out ?? v;
  }
  if (v !== null && typeof v === 'object') {
    let out: Obj | null = null;
    for (const [k, x] of Object.entries(v as Obj)) {
      const y = walk(x, vars, opaque);
      const k2 = substituteString(k, vars, opaque);
      if (y !== x || k2 !== k) {
        out ??= { ...(v as Obj) };
        if (k2 !== k) delete out[k];
        out[k2] = y;
      }
    }
    return out ?? v;
  }
  return v;
}

/** True when any string of the value holds `${`: most objects have none and are left alone. */
export function containsVariables(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('${');
  if (Array.isArray(v)) return v.some(containsVariables);
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Obj)) if (k.includes('${') || containsVariables(x)) return true;
  }
  return false;
}

/** The object with its variables substituted (the same object when nothing changed). */
export function substituteObject(o: Obj, vars: Variables, opaque: boolean): Obj {
  const annotations = (o.metadata as Obj | undefined)?.annotations as Obj | undefined;
  if (annotations?.['kustomize.toolkit.fluxcd.io/substitute'] === 'disabled') return o;
  if (!containsVariables(o)) return o;
  return walk(o, vars, opaque) as Obj;
}
