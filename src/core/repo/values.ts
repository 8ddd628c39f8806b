/** Reading plain YAML values (maps, lists, scalars) without trusting their shape. */

export type Obj = Record<string, unknown>;

/** The value as a map, or null when it is a list, a scalar or absent. */
export function asObj(v: unknown): Obj | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null;
}

/** A scalar as the string Kubernetes would read (`port: 80` and `port: "80"` alike), else null. */
export function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** A document sops has encrypted: a top-level `sops:` block with its mac or lastmodified. */
export function isSopsEncrypted(doc: Obj): boolean {
  const sops = asObj(doc.sops);
  return !!sops && (sops.mac !== undefined || sops.lastmodified !== undefined);
}
