/**
 * Problems of what is applied: YAML errors in applied files, objects a build holds twice, SOPS
 * files without decryption, plaintext Secrets, references to objects nowhere in the repository.
 */
import * as path from 'node:path';
import { relSlash } from './fsCache';
import type { FluxNode } from './graph';
import { identityOf, type Rendered } from './kustomize';
import { asObj, isSopsEncrypted, str, type Obj } from './values';
import type { Problem } from './model';
import type { RepoDoc } from './roots';
import { findCreationRule, type CreationRule, type SopsConfig } from '../sops/config';

export interface CheckHost {
  root: string;
  /** Why a file was not read (too large, binary), and its YAML syntax errors. */
  skipped(file: string): Problem | null;
  yamlErrors(file: string): Array<{ line: number; message: string }>;
  sopsConfigFor(file: string): SopsConfig | null;
  lineOf(container: unknown, key: string | number): number | undefined;
}

function group(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

// Values that are not secrets themselves: substitution placeholders and secret-manager references.
const REFERENCE_RE =
  /^(?:\$\{[^}]+\}|op:\/\/|ref\+|vault:|<path:|awssm:|gcpsm:|azkv:|bw:|doppler:|infisical:|sops:\/\/|akv:\/\/)/;

function isReference(v: unknown): boolean {
  return typeof v === 'string' && (v === '' || REFERENCE_RE.test(v.trim()));
}

/** True when a plaintext Secret holds real values (not only placeholders or references). */
export function holdsSecretValues(o: Obj): boolean {
  const data = asObj(o.data) ?? {};
  const stringData = asObj(o.stringData) ?? {};
  const values = [
    ...Object.values(stringData),
    ...Object.values(data).map((v) => {
      try {
        return Buffer.from(String(v), 'base64').toString('utf8');
      } catch {
        return String(v);
      }
    }),
  ];
  return values.length > 0 && values.some((v) => !isReference(v));
}

/** Objects the repository holds, for references: `Kind/namespace/name`, and `Kind/name` of documents without a namespace. */
export interface KnownObjects {
  known: Set<string>;
  byName: Set<string>;
}

export function knownObjects(
  host: CheckHost,
  nodes: FluxNode[],
  docs: RepoDoc[],
  extraKnown: string[],
): KnownObjects {
  const known = new Set<string>(extraKnown);
  const byName = new Set<string>();
  for (const n of nodes) for (const k of nodeChecks(host, n).known) known.add(k);
  for (const d of docs) {
    const id = identityOf(d.value);
    if (id.namespace) known.add(`${id.kind}/${id.namespace}/${id.name}`);
    else byName.add(`${id.kind}/${id.name}`);
  }
  return { known, byName };
}

/** A reference to check against every object of the repository: its problem when none matches. */
interface Reference {
  /** `Kind/namespace/name` and `Kind/name`. */
  key: string;
  byName: string;
  /** The name holds a substitution variable: only the cluster knows it. */
  symbolic: boolean;
  problem: Problem;
}

function reference(kind: string, namespace: string, name: string, problem: Problem): Reference {
  return {
    key: `${kind}/${namespace}/${name}`,
    byName: `${kind}/${name}`,
    symbolic: name.includes('${'),
    problem,
  };
}

/** One object of a node's build as the checks see it. */
interface ObjectCheck {
  /** The value, unless the object is a duplicate (whose other checks are skipped). */
  value: Rendered['value'] | null;
  /** Problems of the object in this node. */
  own: Problem[] | null;
  /** Problems of the value itself, found once for all the nodes that hold the same value. */
  ofValue: Array<Problem | Reference> | null;
}

interface NodeChecks {
  known: string[];
  objects: ObjectCheck[];
  sourceRef: Reference | null;
}

/**
 * What the checks find in one node, whatever the other nodes hold: kept as long as the node's
 * objects are (an incremental update rebuilds few nodes; the others keep theirs).
 */
const nodeChecksMemo = new WeakMap<Rendered[], NodeChecks>();

function nodeChecks(host: CheckHost, n: FluxNode): NodeChecks {
  let c = nodeChecksMemo.get(n.objects);
  if (c) return c;
  c = { known: [], objects: [], sourceRef: null };
  const seen = new Map<string, Rendered>();
  for (const o of n.objects) {
    const id = identityOf(o.value);
    c.known.push(`${id.kind}/${id.namespace || n.namespace}/${id.name}`);
    const ident = `${group(id.apiVersion)}|${id.kind}|${id.namespace}|${id.name}`;
    const first = seen.get(ident);
    const shown = `${id.kind} ${id.namespace ? id.namespace + '/' : ''}${id.name}`;
    if (first) {
      c.objects.push({
        value: null,
        own: [
          {
            severity: 'error',
            code: 'duplicate-object',
            file: o.file,
            line: o.line,
            message:
              first.file === o.file && first.line === o.line
                ? `${shown} is listed twice in Kustomization ${n.name}.`
                : `${shown} is also defined at ${relSlash(host.root, first.file)}:${first.line}; Kustomization ${n.name} cannot apply both.`,
          },
        ],
        ofValue: null,
      });
      continue;
    }
    seen.set(ident, o);
    const check: ObjectCheck = { value: o.value, own: null, ofValue: null };
    c.objects.push(check);
    const encrypted = isSopsEncrypted(o.value);
    if (encrypted && !asObj(n.spec.decryption)) {
      check.own = [
        {
          severity: 'error',
          code: 'sops-no-decryption',
          file: o.file,
          line: o.line,
          message: `${id.kind} ${id.name} is SOPS-encrypted but Kustomization ${n.name} has no spec.decryption; reconciliation will fail.`,
        },
      ];
    }
    const found: Array<Problem | Reference> = [];
    const spec = asObj(o.value.spec) ?? {};
    const ns = id.namespace || n.namespace;
    const ref = (r: unknown, defaultKind: string, what: string, line: number): void => {
      const ro = asObj(r);
      const name = str(ro?.name);
      if (!ro || !name) return;
      const kind = str(ro.kind) ?? defaultKind;
      const rns = str(ro.namespace) ?? ns;
      found.push(
        reference(kind, rns, name, {
          severity: 'warning',
          code: 'unresolved-reference',
          file: o.file,
          line,
          message: `${what} ${kind} ${rns}/${name} is not in the repository (it may exist only in the cluster).`,
          fix: { kind: 'reference', refKind: kind, namespace: rns, name },
        }),
      );
    };
    if (id.kind === 'HelmRelease' && id.apiVersion.startsWith('helm.toolkit.fluxcd.io/')) {
      const chartSpec = asObj(asObj(spec.chart)?.spec);
      if (chartSpec)
        ref(
          chartSpec.sourceRef,
          'HelmRepository',
          'Chart sourceRef',
          host.lineOf(chartSpec, 'sourceRef') ?? o.line,
        );
      ref(spec.chartRef, 'OCIRepository', 'chartRef', host.lineOf(spec, 'chartRef') ?? o.line);
      for (const [i, d] of (Array.isArray(spec.dependsOn) ? spec.dependsOn : []).entries())
        ref(d, 'HelmRelease', 'dependsOn', host.lineOf(spec.dependsOn, i) ?? o.line);
    }
    if (id.kind === 'Secret' && !encrypted && o.docIndex >= 0 && holdsSecretValues(o.value)) {
      const cfg = host.sopsConfigFor(o.file);
      let rule: CreationRule | undefined;
      try {
        rule = cfg ? findCreationRule(o.file, cfg) : undefined;
      } catch {
        rule = undefined;
      }
      found.push(
        cfg && rule
          ? {
              severity: 'error',
              code: 'plaintext-secret',
              file: o.file,
              line: o.line,
              message: `Secret ${id.name} is not encrypted, but ${relSlash(host.root, cfg.path)} says this file must be (${rule.pathRegex ? 'path_regex ' + rule.pathRegex : 'catch-all rule'}). Encrypt it with sops before committing.`,
              fix: { kind: 'encrypt', file: o.file },
            }
          : {
              severity: 'warning',
              code: 'plaintext-secret',
              file: o.file,
              line: o.line,
              message: `Secret ${id.name} is stored in plain text in Git.`,
            },
      );
    }
    if (found.length > 0) check.ofValue = found;
  }
  const spec = n.spec;
  const sref = asObj(spec.sourceRef);
  // A root's source is created with it (bootstrap, FluxInstance).
  if (sref && n.parent && str(sref.name)) {
    const kind = str(sref.kind) ?? 'GitRepository';
    const namespace = str(sref.namespace) ?? n.namespace;
    c.sourceRef = reference(kind, namespace, str(sref.name)!, {
      severity: 'warning',
      code: 'unresolved-reference',
      file: n.file,
      line: host.lineOf(spec, 'sourceRef') ?? n.line,
      message: `sourceRef ${kind} ${namespace}/${str(sref.name)} is not in the repository (it may exist only in the cluster).`,
      fix: { kind: 'reference', refKind: kind, namespace, name: str(sref.name)! },
    });
  }
  nodeChecksMemo.set(n.objects, c);
  return c;
}

/** Problems of the objects the builds apply. */
export function checkApplied(host: CheckHost, nodes: FluxNode[], known: KnownObjects): Problem[] {
  const problems: Problem[] = [];
  const isKnown = (r: Reference): boolean =>
    known.known.has(r.key) || known.byName.has(r.byName) || r.symbolic;
  const seenValues = new Set<Rendered['value']>();
  for (const n of nodes) {
    const c = nodeChecks(host, n);
    for (const o of c.objects) {
      if (o.own) problems.push(...o.own);
      if (o.value === null || seenValues.has(o.value)) continue;
      seenValues.add(o.value);
      if (!o.ofValue) continue;
      for (const p of o.ofValue) {
        if (!('key' in p)) problems.push(p);
        else if (!isKnown(p)) problems.push(p.problem);
      }
    }
    if (c.sourceRef && !isKnown(c.sourceRef)) problems.push(c.sourceRef.problem);
  }
  return problems;
}

/**
 * Files the builds read that could not be read or parsed. Only `used` files count: a file nothing
 * applies, such as a Helm chart template, is not a manifest.
 */
export function usedFileProblems(host: CheckHost, used: Iterable<string>): Problem[] {
  const problems: Problem[] = [];
  for (const f of used) {
    if (!/\.ya?ml$/i.test(f) && path.basename(f) !== 'Kustomization') continue;
    const skipped = host.skipped(f);
    if (skipped) problems.push(skipped);
    for (const e of host.yamlErrors(f))
      problems.push({
        severity: 'error',
        code: 'yaml-syntax',
        file: f,
        line: e.line,
        message: `YAML syntax error: ${e.message}`,
      });
  }
  return problems;
}
