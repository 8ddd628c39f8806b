/**
 * Adds one entry to the `resources` of a kustomization.yaml so that the file differs by that line
 * only: comments, order, quoting and indentation are kept.
 */
import { Document, isSeq, isScalar, parseDocument, type YAMLSeq } from 'yaml';

export type InsertAt = 'end' | 'afterFiles';

export interface AddResourceResult {
  text: string;
  /** False when the entry was already listed (text unchanged). */
  changed: boolean;
}

/** The plain string items of `resources`, or null when the file has none (or is not YAML). */
export function listResources(text: string): string[] | null {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return null;
  const seq = doc.get('resources', true);
  if (!isSeq(seq)) return null;
  return seq.items.map((i) => (isScalar(i) ? String(i.value) : ''));
}

/**
 * The `resources` entry for a new folder written as its sibling folders are (`podinfo`,
 * `podinfo/`, `./podinfo`, `./podinfo/`): the most common form wins, `name/` when none is listed.
 */
export function folderEntry(text: string, name: string): string {
  const folders = (listResources(text) ?? []).filter(
    (e) => e !== '' && !/\.(ya?ml|json)$/i.test(e) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(e) && !e.includes('?'),
  );
  if (folders.length === 0) return `${name}/`;
  const count = (test: (e: string) => boolean) => folders.filter(test).length;
  const dotSlash = count((e) => e.startsWith('./')) * 2 > folders.length;
  const slash = count((e) => e.endsWith('/')) * 2 >= folders.length;
  return `${dotSlash ? './' : ''}${name}${slash ? '/' : ''}`;
}

function splitLines(text: string): string[] {
  return text.split('\n');
}

/** True when `after` is `before` with exactly one line inserted (compared line by line). */
export function isOneLineInsertion(before: string, after: string): boolean {
  const a = splitLines(before.endsWith('\n') ? before.slice(0, -1) : before);
  const b = splitLines(after.endsWith('\n') ? after.slice(0, -1) : after);
  if (b.length !== a.length + 1) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  for (let j = i; j < a.length; j++) if (a[j] !== b[j + 1]) return false;
  return true;
}

function insertIndex(seq: YAMLSeq, at: InsertAt): number {
  if (at === 'end') return seq.items.length;
  let last = -1;
  seq.items.forEach((item, i) => {
    if (isScalar(item) && /\.(ya?ml|json)$/i.test(String(item.value))) last = i;
  });
  return last + 1;
}

/** Keeps the original's (missing) final newline. */
function sameEnding(before: string, after: string): string {
  if (!before.endsWith('\n') && after.endsWith('\n')) return after.slice(0, -1);
  if (before.endsWith('\n') && !after.endsWith('\n')) return `${after}\n`;
  return after;
}

/**
 * When the document's own serialization would touch other lines (comment spacing, mixed
 * indentation), the new item goes in as one line placed with the positions the parsed document
 * gives: the column of a sibling's dash, right after the line of the item it follows.
 */
function spliceLine(text: string, seq: YAMLSeq, index: number, entry: string): string | null {
  if (seq.flow || seq.items.length === 0) return null;
  const sibling = seq.items[Math.max(0, index - 1)];
  if (!isScalar(sibling) || !sibling.range) return null;
  const valueStart = sibling.range[0];
  const lineStart = text.lastIndexOf('\n', valueStart - 1) + 1;
  const prefix = text.slice(lineStart, valueStart);
  const m = /^( *)-( +)$/.exec(prefix);
  if (!m) return null;
  const rendered = new Document(entry).toString().trimEnd();
  if (rendered.includes('\n')) return null;
  const line = `${m[1]}-${m[2]}${rendered}`;
  let at: number;
  if (index === 0) {
    at = lineStart;
    return `${text.slice(0, at)}${line}\n${text.slice(at)}`;
  }
  const nl = text.indexOf('\n', sibling.range[1]);
  if (nl < 0) return `${text}\n${line}`;
  at = nl + 1;
  return `${text.slice(0, at)}${line}\n${text.slice(at)}`;
}

/**
 * Adds `entry` to `resources` with the yaml Document API. Throws when the file is not a
 * kustomization with a block `resources` list that can take one more line.
 */
export function addResource(text: string, entry: string, at: InsertAt = 'end'): AddResourceResult {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`not valid YAML: ${doc.errors[0].message}`);
  const seq = doc.get('resources', true);
  if (!isSeq(seq)) throw new Error('it has no `resources:` list');
  const existing = seq.items.map((i) => (isScalar(i) ? String(i.value) : ''));
  const norm = (s: string) => s.replace(/^\.\//, '').replace(/\/+$/, '');
  if (existing.some((e) => norm(e) === norm(entry))) return { text, changed: false };

  const index = insertIndex(seq, at);
  // Sequence style as the list itself is written: `- x` at the key's column or indented under it.
  const first = seq.items[0];
  let indentSeq = true;
  if (isScalar(first) && first.range) {
    const ls = text.lastIndexOf('\n', first.range[0] - 1) + 1;
    indentSeq = /^ +-/.test(text.slice(ls, first.range[0]));
  }
  const original = doc.clone();
  seq.items.splice(index, 0, doc.createNode(entry));
  const viaDocument = sameEnding(text, doc.toString({ indentSeq, lineWidth: 0 }));
  if (isOneLineInsertion(text, viaDocument)) return { text: viaDocument, changed: true };

  const spliced = spliceLine(text, original.get('resources', true) as YAMLSeq, index, entry);
  if (spliced !== null) {
    const check = listResources(spliced);
    const expected = [...existing];
    expected.splice(index, 0, entry);
    if (check && JSON.stringify(check) === JSON.stringify(expected) && isOneLineInsertion(text, spliced))
      return { text: spliced, changed: true };
  }
  if (seq.flow) return { text: viaDocument, changed: true };
  throw new Error('its `resources:` list cannot take a new line without rewriting other lines');
}
