/**
 * One YAML file as the repository model reads it: its Kubernetes documents (identity and whole
 * value), its kustomize config when it is a kustomization file, and its syntax errors.
 */
import { parseYaml, type YamlIssue } from './yaml';
import { asObj, str, type Obj } from './values';

export type { Obj };

export interface DocSummary {
  index: number;
  line: number;
  apiVersion: string;
  kind: string;
  name: string;
  /** metadata.namespace as written ('' when absent). */
  namespace: string;
  /** The whole document as plain JS: what a kustomize build starts from. Never mutated. */
  value: Obj;
}

export interface ParsedFile {
  path: string;
  docs: DocSummary[];
  errors: YamlIssue[];
  /** The kustomize config document when the file is its folder's kustomization file. */
  kustomizeValue?: Obj;
  /** Raw first document, kept only for `.sops.yaml`. */
  raw?: unknown;
  /** True when at least one document is a Kubernetes object (apiVersion and kind). */
  hasManifests: boolean;
  fast: boolean;
}

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** True for kustomize's own config kinds, which are never applied to a cluster. */
export function isKustomizeConfig(apiVersion: string): boolean {
  return apiVersion.startsWith('kustomize.config.k8s.io/');
}

/** Summarises one YAML file; never throws. `basename` decides whether it is a kustomize config. */
export function summarizeFile(path: string, text: string, basename: string): ParsedFile {
  const { docs, errors, fast } = parseYaml(text);
  const out: ParsedFile = { path, docs: [], errors, hasManifests: false, fast };
  const isKustFile = KUSTOMIZATION_FILES.includes(basename);
  if (basename === '.sops.yaml') out.raw = docs[0]?.value ?? null;
  for (const d of docs) {
    const doc = asObj(d.value);
    if (!doc) continue;
    const apiVersion = str(doc.apiVersion) ?? '';
    const kind = str(doc.kind) ?? '';
    if (isKustFile && d.index === 0 && (apiVersion === '' || isKustomizeConfig(apiVersion))) {
      out.kustomizeValue = doc;
      continue;
    }
    if (!apiVersion || !kind) continue;
    const meta = asObj(doc.metadata);
    out.docs.push({
      index: d.index,
      line: d.line,
      apiVersion,
      kind,
      name: str(meta?.name) ?? '',
      namespace: str(meta?.namespace) ?? '',
      value: doc,
    });
    if (!isKustomizeConfig(apiVersion)) out.hasManifests = true;
  }
  return out;
}
