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
import type { SopsCreationRule } from './sopsRules';
import { matchingSopsRule } from './sopsRules';

export interface CheckHost {
  root: string;
  /** Why a file was not read (too large, binary), and its YAML syntax errors. */
  skipped(file: string): Problem | null;
  yamlErrors(file: string): Array<{ line: number; message: string }>;
  sopsConfigFor(file: string): { file: string; rules: SopsCreationRule[] } | null;
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

/**
 * Problems of what the builds apply; `used` are the files the builds read (YAML errors count
 * there only: a file nothing applies, such as a Helm chart template, is not a manifest).
 */
export function checkApplied(
  host: CheckHost,
  nodes: FluxNode[],
  docs: RepoDoc[],
  extraKnown: string[],
  used: Iterable<string>,
): Problem[] {
  const problems: Problem[] = [];
  const known = new Set<string>(extraKnown);
  const knownByName = new Set<string>();
  for (const n of nodes) {
    for (const o of n.objects) {
      const id = identityOf(o.value);
      known.add(`${id.kind}/${id.namespace || n.namespace}/${id.name}`);
    }
  }
  for (const d of docs) {
    const id = identityOf(d.value);
    if (id.namespace) known.add(`${id.kind}/${id.namespace}/${id.name}`);
    else knownByName.add(`${id.kind}/${id.name}`);
  }
  const isKnown = (kind: string, ns: string, name: string): boolean =>
    known.has(`${kind}/${ns}/${name}`) || knownByName.has(`${kind}/${name}`) || name.includes('${');

  const seenObjects = new Set<Rendered['value']>();
  for (const n of nodes) {
    const seen = new Map<string, Rendered>();
    for (const o of n.objects) {
      const id = identityOf(o.value);
      const ident = `${group(id.apiVersion)}|${id.kind}|${id.namespace}|${id.name}`;
      const first = seen.get(ident);
      const shown = `${id.kind} ${id.namespace ? id.namespace + '/' : ''}${id.name}`;
      if (first) {
        problems.push({
          severity: 'error',
          code: 'duplicate-object',
          file: o.file,
          line: o.line,
          message:
            first.file === o.file && first.line === o.line
              ? `${shown} is listed twice in Kustomization ${n.name}.`
              : `${shown} is also defined at ${relSlash(host.root, first.file)}:${first.line}; Kustomization ${n.name} cannot apply both.`,
        });
        continue;
      }
      seen.set(ident, o);
      const encrypted = isSopsEncrypted(o.value);
      if (encrypted && !asObj(n.spec.decryption)) {
        problems.push({
          severity: 'error',
          code: 'sops-no-decryption',
          file: o.file,
          line: o.line,
          message: `${id.kind} ${id.name} is SOPS-encrypted but Kustomization ${n.name} has no spec.decryption; reconciliation will fail.`,
        });
      }
      if (seenObjects.has(o.value)) continue;
      seenObjects.add(o.value);
      const spec = asObj(o.value.spec) ?? {};
      const ns = id.namespace || n.namespace;
      const ref = (r: unknown, defaultKind: string, what: string, line: number): void => {
        const ro = asObj(r);
        const name = str(ro?.name);
        if (!ro || !name) return;
        const kind = str(ro.kind) ?? defaultKind;
        const rns = str(ro.namespace) ?? ns;
        if (isKnown(kind, rns, name)) return;
        problems.push({
          severity: 'warning',
          code: 'unresolved-reference',
          file: o.file,
          line,
          message: `${what} ${kind} ${rns}/${name} is not in the repository (it may exist only in the cluster).`,
        });
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
        const rule = cfg ? matchingSopsRule(cfg.rules, relSlash(path.dirname(cfg.file), o.file)) : null;
        problems.push(
          cfg && rule
            ? {
                severity: 'error',
                code: 'plaintext-secret',
                file: o.file,
                line: o.line,
                message: `Secret ${id.name} is not encrypted, but ${relSlash(host.root, cfg.file)} says this file must be (${rule.source ? 'path_regex ' + rule.source : 'catch-all rule'}). Encrypt it with sops before committing.`,
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
    }
    const spec = n.spec;
    const refLine = host.lineOf(spec, 'sourceRef') ?? n.line;
    const sref = asObj(spec.sourceRef);
    if (sref && !n.parent) {
      // A root's source is created with it (bootstrap, FluxInstance).
    } else if (
      sref &&
      str(sref.name) &&
      !isKnown(str(sref.kind) ?? 'GitRepository', str(sref.namespace) ?? n.namespace, str(sref.name)!)
    ) {
      problems.push({
        severity: 'warning',
        code: 'unresolved-reference',
        file: n.file,
        line: refLine,
        message: `sourceRef ${str(sref.kind) ?? 'GitRepository'} ${str(sref.namespace) ?? n.namespace}/${str(sref.name)} is not in the repository (it may exist only in the cluster).`,
      });
    }
  }
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
