import type { ManifestObject } from './model';

/** Edit distance (insertions, deletions, substitutions) between two names. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * Objects the repository defines that a dangling reference most likely meant: same kind and
 * namespace, names within a few typos (or one containing the other, `podinfo` for
 * `podinfo-chart`), closest first. Nothing when no name is close: a guess would be noise.
 */
export function referenceCandidates(
  objects: readonly ManifestObject[],
  reference: { refKind: string; namespace: string; name: string },
  limit = 3,
): string[] {
  const wanted = reference.name.toLowerCase();
  const scored = new Map<string, number>();
  for (const object of objects) {
    if (object.kind !== reference.refKind || object.namespace !== reference.namespace) continue;
    if (object.name === reference.name || scored.has(object.name)) continue;
    const name = object.name.toLowerCase();
    const distance = editDistance(wanted, name);
    const shorter = Math.min(name.length, wanted.length);
    const contains = shorter >= 4 && (name.includes(wanted) || wanted.includes(name));
    if (distance <= Math.max(2, Math.floor(wanted.length / 3)) || contains) scored.set(object.name, distance);
  }
  return [...scored.entries()]
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([name]) => name);
}

/**
 * Where the referenced name is written: the first `name: <name>` at or after the problem's line
 * (1-based), within the reference's few lines. Returns 0-based line and columns of the name.
 */
export function referenceNameSpan(
  text: string,
  line: number,
  name: string,
): { line: number; start: number; end: number } | undefined {
  const lines = text.split('\n');
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(?:^|[\\s{,-])name:\\s*(["']?)(${escaped})\\1\\s*(?:[,}#]|$)`);
  for (let index = Math.max(0, line - 1); index < Math.min(lines.length, line + 8); index++) {
    const match = pattern.exec(lines[index]);
    if (!match) continue;
    const start = match.index + match[0].indexOf(match[2], match[0].indexOf('name:') + 5);
    return { line: index, start, end: start + name.length };
  }
  return undefined;
}
