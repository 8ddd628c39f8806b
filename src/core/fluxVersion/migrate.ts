// Rewrites Flux objects whose apiVersion the target Flux removed or deprecated, as `flux migrate -f`
// does: the apiVersion becomes the newest the release serves for the kind. flux migrate only
// replaces the version on the apiVersion line; where the newer version dropped fields, this also
// moves them to what replaced them, so the object is valid for the newer version:
//   Kustomization          spec.patchesStrategicMerge / spec.patchesJson6902 → spec.patches; spec.validation dropped
//   HelmRelease            spec.chart.spec.valuesFile → first of valuesFiles;
//                          spec.postRenderers[].kustomize.patchesStrategicMerge / patchesJson6902 → patches
//   HelmChart              spec.valuesFile → first of spec.valuesFiles; spec.accessFrom dropped
//   GitRepository          spec.gitImplementation and spec.accessFrom dropped (no-ops since Flux 2.0)
//   Bucket                 spec.accessFrom dropped (never implemented)
// A document that needs only the apiVersion keeps every other byte; one whose fields move is
// written again by the `yaml` package (comments kept).
import YAML, { isMap, isSeq, type Document, type YAMLMap } from 'yaml';
import { judgeApiVersion, splitApiVersion } from './apis';
import type { FluxVersion } from './releases';

/** Replace `length` characters at `offset` with `newText`. */
export interface TextEdit {
  offset: number;
  length: number;
  newText: string;
}

/** One object to migrate: where it is, what it becomes, and the edits that do it. */
export interface ObjectMigration {
  /** 0-based index of the YAML document in the file. */
  documentIndex: number;
  /** 1-based line of its apiVersion. */
  line: number;
  kind: string;
  name: string;
  from: string;
  to: string;
  /** The apiVersion is removed in the target Flux (else only deprecated). */
  removed: boolean;
  /** Field changes beyond the apiVersion, as `spec.validation dropped`. */
  fieldChanges: string[];
  edits: TextEdit[];
}

type Changes = string[];

function scalarString(doc: Document, path: readonly string[]): string | undefined {
  const value = doc.getIn(path);
  return typeof value === 'string' ? value : undefined;
}

/** A YAML text for a patch value (a map, or a list of JSON 6902 operations) as Flux v1 wants it. */
function patchText(doc: Document, value: unknown): string {
  const node = doc.createNode(
    value instanceof Object && 'toJSON' in value ? (value as YAML.Node).toJSON() : value,
  );
  return new YAML.Document(node).toString().trimEnd();
}

/**
 * Moves `patchesStrategicMerge` and `patchesJson6902` of the map at `path` into `patches`:
 * a strategic merge patch becomes `{patch: <yaml>}` (kustomize finds its target by the patch's own
 * kind and name), a JSON 6902 patch `{target, patch: <yaml list of operations>}`.
 */
function movePatches(doc: Document, path: readonly (string | number)[], changes: Changes, at: string): void {
  const map = doc.getIn(path, true);
  if (!isMap(map)) return;
  const moved: YAML.Node[] = [];
  const strategic = map.get('patchesStrategicMerge', true);
  if (isSeq(strategic)) {
    for (const item of strategic.items) moved.push(doc.createNode({ patch: patchText(doc, item) }));
    changes.push(`${at}.patchesStrategicMerge → ${at}.patches`);
  }
  const json6902 = map.get('patchesJson6902', true);
  if (isSeq(json6902)) {
    for (const item of json6902.items) {
      if (!isMap(item)) continue;
      const entry: Record<string, unknown> = {};
      const target = item.get('target', true);
      if (target) entry.target = (target as YAML.Node).toJSON();
      entry.patch = patchText(doc, item.get('patch', true) ?? []);
      moved.push(doc.createNode(entry));
    }
    changes.push(`${at}.patchesJson6902 → ${at}.patches`);
  }
  if (moved.length === 0) return;
  map.delete('patchesStrategicMerge');
  map.delete('patchesJson6902');
  const existing = map.get('patches', true);
  if (isSeq(existing)) existing.items.push(...moved);
  else map.set('patches', doc.createNode(moved));
}

/** `valuesFile` (merged before valuesFiles) becomes the first entry of `valuesFiles`. */
function moveValuesFile(doc: Document, path: readonly string[], changes: Changes, at: string): void {
  const valuesFile = scalarString(doc, [...path, 'valuesFile']);
  if (valuesFile === undefined) return;
  const files = doc.getIn([...path, 'valuesFiles'], true);
  if (isSeq(files)) files.items.unshift(doc.createNode(valuesFile));
  else doc.setIn([...path, 'valuesFiles'], doc.createNode([valuesFile]));
  doc.deleteIn([...path, 'valuesFile']);
  changes.push(`${at}.valuesFile → ${at}.valuesFiles`);
}

function drop(doc: Document, path: readonly string[], changes: Changes, why: string): void {
  if (!doc.hasIn(path)) return;
  doc.deleteIn(path);
  changes.push(`${path.join('.')} dropped (${why})`);
}

/** The field changes a kind needs on its way to the version the target Flux serves. */
function migrateFields(doc: Document, group: string, kind: string): Changes {
  const changes: Changes = [];
  if (group === 'kustomize.toolkit.fluxcd.io' && kind === 'Kustomization') {
    drop(doc, ['spec', 'validation'], changes, 'removed from the API: the server-side apply validates');
    movePatches(doc, ['spec'], changes, 'spec');
  } else if (group === 'helm.toolkit.fluxcd.io' && kind === 'HelmRelease') {
    moveValuesFile(doc, ['spec', 'chart', 'spec'], changes, 'spec.chart.spec');
    const renderers = doc.getIn(['spec', 'postRenderers'], true);
    if (isSeq(renderers))
      renderers.items.forEach((_, i) =>
        movePatches(
          doc,
          ['spec', 'postRenderers', i, 'kustomize'],
          changes,
          `spec.postRenderers[${i}].kustomize`,
        ),
      );
  } else if (group === 'source.toolkit.fluxcd.io') {
    if (kind === 'HelmChart') moveValuesFile(doc, ['spec'], changes, 'spec');
    if (kind === 'GitRepository') drop(doc, ['spec', 'gitImplementation'], changes, 'a no-op since Flux 2.0');
    if (kind === 'GitRepository' || kind === 'HelmChart' || kind === 'Bucket')
      drop(doc, ['spec', 'accessFrom'], changes, 'never implemented, gone from v1');
  }
  return changes;
}

/** Whether block sequences in `text` sit at their key's indentation (`key:\n- a`) rather than under it. */
function sequencesUnindented(text: string): boolean {
  return /^([ \t]*)[^\s#-][^\n]*:[ \t]*\n\1- /m.test(text);
}

/**
 * The objects of a YAML text to migrate for `flux` (only those whose apiVersion it removed or
 * deprecated); `onlyLine` (1-based) keeps the one whose document spans that line.
 */
export function planMigrations(text: string, flux: FluxVersion, onlyLine?: number): ObjectMigration[] {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOfOffset = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const result: ObjectMigration[] = [];
  let documentIndex = -1;
  for (const doc of YAML.parseAllDocuments(text)) {
    documentIndex++;
    if (!(doc instanceof YAML.Document) || doc.errors.length > 0 || !isMap(doc.contents)) continue;
    const contents = doc.contents as YAMLMap;
    const range = contents.range;
    if (!range) continue;
    if (
      onlyLine !== undefined &&
      (onlyLine < lineOfOffset(doc.range[0]) || onlyLine > lineOfOffset(doc.range[2]))
    )
      continue;
    const apiNode = contents.get('apiVersion', true);
    const apiVersion = scalarString(doc, ['apiVersion']);
    const kind = scalarString(doc, ['kind']);
    if (!apiVersion || !kind || !YAML.isScalar(apiNode) || !apiNode.range) continue;
    const parts = splitApiVersion(apiVersion);
    const judged = judgeApiVersion(apiVersion, kind, flux);
    if (!parts || judged.state === 'current' || !judged.target) continue;
    const to = judged.target;
    const name = scalarString(doc, ['metadata', 'name']) ?? '';
    const line = lineOfOffset(apiNode.range[0]);

    const changed = doc.clone();
    const fieldChanges = migrateFields(changed, parts.group, kind);
    let edits: TextEdit[];
    if (fieldChanges.length === 0) {
      // Only the version: the value's own characters, quotes kept, as flux migrate does.
      const source = text.slice(apiNode.range[0], apiNode.range[1]);
      edits = [
        {
          offset: apiNode.range[0],
          length: apiNode.range[1] - apiNode.range[0],
          newText: source.replace(apiVersion, to),
        },
      ];
    } else {
      changed.set('apiVersion', to);
      const out = new YAML.Document(changed.contents);
      const original = text.slice(range[0], range[2]);
      let newText = out.toString({ indentSeq: !sequencesUnindented(original), lineWidth: 0 });
      if (!original.endsWith('\n')) newText = newText.replace(/\n$/, '');
      edits = [{ offset: range[0], length: range[2] - range[0], newText }];
    }
    result.push({
      documentIndex,
      line,
      kind,
      name,
      from: apiVersion,
      to,
      removed: judged.state === 'removed',
      fieldChanges,
      edits,
    });
  }
  return result;
}

/** Applies non-overlapping edits to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.offset - a.offset))
    out = out.slice(0, edit.offset) + edit.newText + out.slice(edit.offset + edit.length);
  return out;
}

/** The text with every object migrated for `flux`, and what was migrated. */
export function migrateText(
  text: string,
  flux: FluxVersion,
): { text: string; migrations: ObjectMigration[] } {
  const migrations = planMigrations(text, flux);
  return {
    text: applyEdits(
      text,
      migrations.flatMap((m) => m.edits),
    ),
    migrations,
  };
}
