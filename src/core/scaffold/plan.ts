/**
 * Turns the scaffolder's inputs into a plan: the files to create and the kustomization.yaml edits
 * to make. Reads the repository (templates, kustomization.yaml, .sops.yaml); writes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Document, isMap, parseAllDocuments, parseDocument, Scalar, type YAMLMap } from 'yaml';
import { KUSTOMIZATION_FILES } from '../repo/manifest';
import type { RepoModel } from '../repo/model';
import { findSopsConfig, matchCreationRule, type SopsFs } from '../sops/config';
import {
  detectStyle,
  listSources,
  readTextSync,
  sourcePlacement,
  type ReadText,
  type RepoStyle,
} from './defaults';
import { isAppTemplate, splitImage } from './questions';
import { addResource, folderEntry, type InsertAt } from './kustomizeEdit';
import { loadTemplate, renderTemplate, type TemplateName, type Values } from './templates';
import type {
  PlannedEdit,
  PlannedFile,
  PlannedSecretFile,
  PlanResult,
  ScaffoldInput,
  ScaffoldIssue,
  SourceRef,
} from './types';
import {
  appFolderFor,
  appNameError,
  defaultNamespaceError,
  chartError,
  dnsLabelError,
  dnsSubdomainError,
  findTarget,
  imageError,
  namespaceExists,
  objectClash,
  portError,
  secretKeyError,
  versionError,
} from './validate';

export interface PlanOptions {
  read?: ReadText;
  exists?: (p: string) => boolean;
  /** For the .sops.yaml lookup (default: node fs). */
  sopsFs?: SopsFs;
  /** Folder the .sops.yaml search and the template folder stop at (default: the model root holding the target). */
  repoRoot?: string;
}

const nodeSopsFs: SopsFs = {
  readFile: (p) => fs.promises.readFile(p, 'utf8'),
  exists: async (p) => fs.existsSync(p),
};

function rootFor(model: RepoModel, folder: string): string {
  const inside = model.roots
    .filter((r) => folder === r || folder.startsWith(r.endsWith(path.sep) ? r : r + path.sep))
    .sort((a, b) => b.length - a.length);
  return inside[0] ?? path.parse(folder).root;
}

/** Folders from the target up to the root: where `.flux-gitops/templates` may be. */
function templateRoots(root: string, from: string): string[] {
  const out: string[] = [];
  let dir = from;
  for (;;) {
    out.push(dir);
    if (dir === root) break;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return out;
}

function findKustomizationFile(folder: string, exists: (p: string) => boolean): string | null {
  for (const n of KUSTOMIZATION_FILES) if (exists(path.join(folder, n))) return path.join(folder, n);
  return null;
}

class Issues {
  list: ScaffoldIssue[] = [];
  add(field: ScaffoldIssue['field'], message: string | null): void {
    if (message) this.list.push({ field, message });
  }
}

interface Rendered {
  docs: Document[];
  override: boolean;
}

// Documents changed through the document API (or built-in): written by yaml in the repository's
// style. An untouched override is written byte for byte as its author wrote it.
const modified = new WeakSet<Document>();

function markModified(d: Document): void {
  modified.add(d);
}

function toText(r: Rendered, style: RepoStyle, original: string): string {
  if (r.override && r.docs.every((d) => !modified.has(d))) return original;
  const opts = { indent: style.indent, indentSeq: style.indentSeq, lineWidth: 0 };
  return r.docs.map((d, i) => (i > 0 ? '---\n' : '') + d.toString(opts)).join('');
}

function versionScalar(version: string, quote: boolean): Scalar {
  const s = new Scalar(version);
  // A plain 1.10 would read back as the number 1.1: quote whenever plain would not stay a string.
  const plainIsString = typeof parseDocument(version).toJS() === 'string';
  s.type = quote || !plainIsString ? Scalar.QUOTE_DOUBLE : Scalar.PLAIN;
  return s;
}

/** Minimal values of an app-template release: one controller with the app's container, a Service for its port. */
function appTemplateValues(
  name: string,
  container: { image: string; port?: number },
  secretName: string | undefined,
): Record<string, unknown> {
  const { repository, tag, digest } = splitImage(container.image);
  const values: Record<string, unknown> = {
    controllers: {
      [name]: {
        containers: {
          app: {
            image: { repository, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) },
            ...(secretName !== undefined ? { envFrom: [{ secretRef: { name: secretName } }] } : {}),
          },
        },
      },
    },
  };
  if (container.port !== undefined)
    values.service = { app: { controller: name, ports: { http: { port: container.port } } } };
  return values;
}

/** Plans a new app; returns the issues instead when an input is wrong (nothing to write then). */
export async function planScaffold(input: ScaffoldInput, options: PlanOptions = {}): Promise<PlanResult> {
  const read = options.read ?? readTextSync;
  const exists = options.exists ?? ((p: string) => fs.existsSync(p));
  const issues = new Issues();
  const { model, cluster, name } = input;
  const namespace = input.namespace ?? name;

  const t = findTarget(model, cluster, input.target);
  if ('error' in t) {
    issues.add('target', t.error);
    return { ok: false, issues: issues.list };
  }
  const target = t.ks;
  issues.add('name', appNameError(model, cluster, input.target, name, exists));
  issues.add('namespace', dnsLabelError(namespace, 'The namespace'));
  issues.add('namespace', defaultNamespaceError(model, cluster, name, input.namespace));
  const folderOrError = appFolderFor(target.resolvedPath, name);
  if (typeof folderOrError !== 'string') {
    issues.add('name', folderOrError.error);
    return { ok: false, issues: issues.list };
  }
  const appFolder = folderOrError;
  const style = detectStyle(model, cluster, read);
  const root = options.repoRoot ?? rootFor(model, target.resolvedPath);
  const troots = templateRoots(root, target.resolvedPath).reverse();
  const notes: string[] = [];

  const w = input.workload;
  let sourceRef: SourceRef | null = null;
  let newSource: { file: string; folder: string; kind: SourceRef['kind']; url: string } | null = null;
  const sourceUrl = (ref: SourceRef) =>
    listSources(model, cluster, read).find(
      (s) => s.kind === ref.kind && s.name === ref.name && s.namespace === ref.namespace,
    )?.url;
  // The chart's name as the chart repository knows it (an OCIRepository's URL ends with it).
  const chartName =
    w.kind !== 'helm'
      ? ''
      : w.chart || ('existing' in w.source ? (sourceUrl(w.source.existing)?.split('/').pop() ?? '') : '');
  const appTemplate = isAppTemplate(chartName);
  if (w.kind === 'helm') {
    // An existing OCIRepository pins one chart at one version itself: nothing to check here.
    if (!('existing' in w.source && w.source.existing.kind === 'OCIRepository')) {
      issues.add('chart', chartError(w.chart));
      issues.add('version', versionError(w.version));
    }
    if ('existing' in w.source) {
      const e = w.source.existing;
      const known = listSources(model, cluster, read).find(
        (s) => s.kind === e.kind && s.name === e.name && s.namespace === e.namespace,
      );
      if (!known)
        issues.add('source', `There is no ${e.kind} ${e.namespace}/${e.name} in cluster ${cluster}.`);
      sourceRef = { kind: e.kind, name: e.name, namespace: e.namespace };
    } else {
      const n = w.source.new;
      const kind = n.type === 'oci' ? 'OCIRepository' : 'HelmRepository';
      issues.add('source', dnsLabelError(n.name, 'The source name'));
      const placement = sourcePlacement(model, cluster);
      const ns = placement?.namespace ?? style.sourceNamespace;
      if (
        listSources(model, cluster, read).some(
          (s) => s.kind === kind && s.name === n.name && s.namespace === ns,
        )
      )
        issues.add('source', `A ${kind} ${ns}/${n.name} already exists: pick it instead of adding one.`);
      if (n.type === 'helm' && !/^https?:\/\/\S+$/.test(n.url))
        issues.add('source', `A Helm repository URL starts with https:// ("${n.url}").`);
      if (n.type === 'oci' && !/^oci:\/\/\S+$/.test(n.url))
        issues.add('source', `An OCI repository URL starts with oci:// ("${n.url}").`);
      const folder = n.folder ?? placement?.folder ?? target.resolvedPath;
      const file = path.join(folder, `${n.name}.yaml`);
      if (path.dirname(file) !== path.resolve(folder))
        issues.add('source', `"${n.name}" would leave the folder ${folder}.`);
      else if (exists(file)) issues.add('source', `${file} already exists.`);
      let url = n.url.replace(/\/+$/, '');
      if (n.type === 'oci' && !url.endsWith(`/${w.chart}`)) url = `${url}/${w.chart}`;
      sourceRef = { kind, name: n.name, namespace: ns };
      newSource = { file, folder, kind, url };
    }
    issues.add('name', objectClash(model, cluster, ['HelmRelease'], namespace, name));
    if (w.container) {
      if (!appTemplate)
        issues.add(
          'image',
          `A container image is written only for the app-template chart, not ${chartName}.`,
        );
      issues.add('image', imageError(w.container.image));
      const image = splitImage(w.container.image);
      if (image.tag === undefined && image.digest === undefined)
        issues.add('image', `Give the image with its tag ("${w.container.image}:1.2.3").`);
      if (w.container.port !== undefined) issues.add('port', portError(w.container.port));
    }
  } else {
    issues.add('image', imageError(w.image));
    if (w.port !== undefined) issues.add('port', portError(w.port));
    issues.add(
      'name',
      objectClash(model, cluster, ['Deployment', 'StatefulSet', 'DaemonSet'], namespace, name),
    );
    if (w.port !== undefined) issues.add('name', objectClash(model, cluster, ['Service'], namespace, name));
  }

  const secretName = input.secret ? (input.secret.name ?? `${name}-env`) : undefined;
  const secretPath = path.join(appFolder, style.fileNames.secret);
  let secretEncrypted = true;
  if (input.secret && secretName !== undefined) {
    issues.add('secret', dnsSubdomainError(secretName, 'The Secret name'));
    issues.add('secret', objectClash(model, cluster, ['Secret'], namespace, secretName));
    const keys = Object.keys(input.secret.data);
    if (keys.length === 0) issues.add('secret', 'The Secret has no keys.');
    for (const k of keys) issues.add('secret', secretKeyError(k));
    try {
      const config = await findSopsConfig(secretPath, root, options.sopsFs ?? nodeSopsFs);
      if (!config) throw new Error(`No .sops.yaml at or above ${path.dirname(secretPath)} (up to ${root}).`);
      matchCreationRule(secretPath, config);
    } catch (e) {
      if (input.allowPlaintextSecret) {
        secretEncrypted = false;
        notes.push(`${(e as Error).message} The Secret is written in plaintext, as confirmed.`);
      } else
        issues.add(
          'secret',
          `${(e as Error).message} The Secret cannot be encrypted; add a creation rule or confirm writing it in plaintext.`,
        );
    }
  }
  if (issues.list.length > 0) return { ok: false, issues: issues.list };

  // Render.
  const values: Values = {
    name,
    namespace,
    interval: style.interval,
    helmReleaseApiVersion: style.apiVersions.helmRelease,
    kustomizeApiVersion: style.apiVersions.kustomize,
  };
  if (sourceRef) {
    values.sourceKind = sourceRef.kind;
    values.sourceName = sourceRef.name;
    values.sourceNamespace = sourceRef.namespace;
  }
  if (w.kind === 'helm') {
    values.chart = w.chart;
    values.version = w.version;
  } else {
    values.image = w.image;
    if (w.port !== undefined) values.port = String(w.port);
  }
  if (secretName !== undefined) values.secretName = secretName;

  const render = (tname: TemplateName, extra: Values = {}): { rendered: Rendered; text: string } => {
    const tpl = loadTemplate(tname, troots, read);
    const label = tpl.override ?? `built-in ${tname}`;
    const text = renderTemplate(tpl.text, { ...values, ...extra }, label);
    const docs = parseAllDocuments(text);
    if (!Array.isArray(docs)) throw new Error(`${label}: renders to no YAML document`);
    for (const d of docs)
      if (d.errors.length > 0) throw new Error(`${label}: renders to invalid YAML: ${d.errors[0].message}`);
    return { rendered: { docs: docs as Document[], override: tpl.override !== null }, text };
  };

  const create: Array<PlannedFile | PlannedSecretFile> = [];
  const listed: string[] = [];
  try {
    if (namespaceExists(model, cluster, namespace)) {
      notes.push(
        `Namespace ${namespace} already exists in cluster ${cluster}: no ${style.fileNames.namespace} written.`,
      );
    } else {
      const ns = render('ns.yaml');
      create.push({
        path: path.join(appFolder, style.fileNames.namespace),
        content: toText(ns.rendered, style, ns.text),
      });
      listed.push(style.fileNames.namespace);
    }

    if (input.secret && secretName !== undefined) {
      const s = render('secrets.yaml');
      const doc = s.rendered.docs[0];
      const field = style.secretField;
      const data: Record<string, string> = {};
      for (const [k, v] of Object.entries(input.secret.data))
        data[k] = field === 'data' ? Buffer.from(v, 'utf8').toString('base64') : v;
      doc.set(field, doc.createNode(data));
      markModified(doc);
      const plaintext = toText(s.rendered, style, s.text);
      if (secretEncrypted) create.push({ path: secretPath, plaintext, encrypt: true });
      else create.push({ path: secretPath, content: plaintext });
      listed.push(style.fileNames.secret);
    }

    let mainFile: string;
    if (w.kind === 'helm') {
      const oci = sourceRef!.kind === 'OCIRepository';
      const r = render(oci ? 'release-oci.yaml' : 'release.yaml');
      const doc = r.rendered.docs[0];
      if (!r.rendered.override) {
        if (!oci) {
          doc.setIn(['spec', 'chart', 'spec', 'version'], versionScalar(w.version, style.quoteVersion));
          if (!style.sourceRefNamespace && sourceRef!.namespace === namespace)
            doc.deleteIn(['spec', 'chart', 'spec', 'sourceRef', 'namespace']);
        }
        markModified(doc);
      }
      let envFromWritten = false;
      if (w.values && Object.keys(w.values).length > 0) {
        doc.setIn(['spec', 'values'], doc.createNode(w.values));
        markModified(doc);
      } else if (w.container && appTemplate) {
        doc.setIn(['spec', 'values'], doc.createNode(appTemplateValues(name, w.container, secretName)));
        envFromWritten = secretName !== undefined;
        markModified(doc);
      }
      if (secretName !== undefined && !envFromWritten && input.secret) {
        // The chart's own values name what each key is for: each key goes to the value of its
        // name until the maintainer points targetPath at the chart's setting.
        doc.setIn(
          ['spec', 'valuesFrom'],
          doc.createNode(
            Object.keys(input.secret.data).map((key) => ({
              kind: 'Secret',
              name: secretName,
              valuesKey: key,
              targetPath: key,
            })),
          ),
        );
        markModified(doc);
        notes.push(
          `The release reads each key of Secret ${secretName} into the value of the same name (spec.valuesFrom): point each targetPath at the chart's setting.`,
        );
      }
      mainFile = path.join(appFolder, style.fileNames.release);
      create.push({ path: mainFile, content: toText(r.rendered, style, r.text) });
      listed.push(style.fileNames.release);
    } else {
      const r = render('deployment.yaml');
      if (!r.rendered.override) {
        const doc = r.rendered.docs[0];
        const container = doc.getIn(['spec', 'template', 'spec', 'containers', 0], true);
        if (isMap(container)) {
          if (w.port !== undefined)
            (container as YAMLMap).set('ports', doc.createNode([{ name: 'http', containerPort: w.port }]));
          if (secretName !== undefined)
            (container as YAMLMap).set('envFrom', doc.createNode([{ secretRef: { name: secretName } }]));
        }
        markModified(doc);
        if (w.port !== undefined) {
          const svc = new Document({
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name, namespace },
            spec: {
              selector: { 'app.kubernetes.io/name': name },
              ports: [{ name: 'http', port: w.port, targetPort: 'http' }],
            },
          });
          markModified(svc);
          r.rendered.docs.push(svc);
        }
      }
      mainFile = path.join(appFolder, style.fileNames.deployment);
      create.push({ path: mainFile, content: toText(r.rendered, style, r.text) });
      listed.push(style.fileNames.deployment);
    }

    const k = render('kustomization.yaml', { resources: listed });
    const kDoc = k.rendered.docs[0];
    if (!k.rendered.override) markModified(kDoc);
    // yaml puts `- ` two columns left of the indent when indentSeq is off: a top-level list at
    // the key's column needs an indent of 2 (the built-in kustomization.yaml nests nothing else).
    const kStyle = style.indentSeq ? style : { ...style, indent: 2 };
    const kText = toText(k.rendered, kStyle, k.text);
    create.push({ path: path.join(appFolder, style.fileNames.kustomization), content: kText });

    // Edits: the source's folder (a file entry) and the target (the app folder).
    const edits = new Map<string, PlannedEdit>();
    const editFile = (folder: string, entry: string, at: InsertAt): void => {
      const file = findKustomizationFile(folder, exists);
      if (!file) {
        notes.push(`${folder} has no kustomization.yaml: Flux generates one that includes ${entry}.`);
        return;
      }
      const prior = edits.get(file);
      const before = prior?.before ?? read(file);
      if (before === undefined) throw new Error(`${file} cannot be read.`);
      const res = addResource(prior?.after ?? before, entry, at);
      if (res.changed) edits.set(file, { path: file, before, after: res.text });
    };
    if (newSource) {
      const tname: TemplateName =
        newSource.kind === 'OCIRepository' ? 'ocirepository.yaml' : 'helmrepository.yaml';
      const s = render(tname, {
        url: newSource.url,
        interval: style.sourceInterval,
        sourceApiVersion:
          newSource.kind === 'OCIRepository'
            ? style.apiVersions.ociRepository
            : style.apiVersions.helmRepository,
      });
      if (!s.rendered.override) markModified(s.rendered.docs[0]);
      create.push({ path: newSource.file, content: toText(s.rendered, style, s.text) });
      editFile(newSource.folder, path.basename(newSource.file), 'afterFiles');
    }
    const parentFile = findKustomizationFile(target.resolvedPath, exists);
    const parentText = parentFile === null ? undefined : (edits.get(parentFile)?.after ?? read(parentFile));
    editFile(
      target.resolvedPath,
      parentText === undefined ? `${name}/` : folderEntry(parentText, name),
      'end',
    );

    const clash = create.find((f) => exists(f.path));
    if (clash)
      return {
        ok: false,
        issues: [{ field: 'name', message: `${clash.path} already exists; nothing is overwritten.` }],
      };
    return { ok: true, plan: { appFolder, create, edit: [...edits.values()], mainFile, notes } };
  } catch (e) {
    return { ok: false, issues: [{ field: 'template', message: (e as Error).message }] };
  }
}
