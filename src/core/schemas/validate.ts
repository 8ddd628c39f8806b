// The editor's schema judgement outside the editor: the same yaml-language-server, the same
// generated schemas (dist/schemas, chosen by apiVersion + kind through all.json), the same
// messages, and the same severities (the server reports every schema finding as an error; the
// client turns the deprecation ones back into warnings). `flux-gitops check` and the tests use it.
// Callers bundled with esbuild must load src/language/umdShim.ts before this module.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import { getLanguageService } from 'yaml-language-server/out/server/src/languageservice/yamlLanguageService';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  DISPATCHER_URI,
  deprecationMessages,
  parseSchemaIndex,
  schemaFileOf,
  type SchemaIndex,
} from './catalog';
import { mentionsFluxApi } from './convert';
import type { RemoteSchemas } from './remote';
import { API_DEPRECATED, API_REMOVED } from '../fluxVersion/problems';
import YAML from 'yaml';
import { problem, type FluxKustomization, type Problem, type RepoModel } from '../repo/model';

/** One schema finding, as the editor shows it. */
export interface SchemaFinding {
  /** 1-based line and column of its start. */
  line: number;
  column: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** The finding is the deprecation of an apiVersion (a warning). */
  deprecation: boolean;
}

export interface SchemaValidator {
  readonly index: SchemaIndex;
  /** The findings for one file's text; none when it holds no Flux object. */
  validate(file: string, text: string): Promise<SchemaFinding[]>;
}

const LSP_ERROR = 1;
const LSP_WARNING = 2;

/** The severity the editor shows: the server's warnings become errors, deprecations stay warnings. */
export function editorSeverity(
  lspSeverity: number | undefined,
  message: string,
  deprecations: ReadonlySet<string>,
): SchemaFinding['severity'] {
  if (deprecations.has(message)) return 'warning';
  return lspSeverity === undefined || lspSeverity === LSP_ERROR || lspSeverity === LSP_WARNING
    ? 'error'
    : 'info';
}

/**
 * A validator over the schemas generated into `schemaDir` (dist/schemas); `l10nDir` holds
 * yaml-language-server's message bundle (dist/schemas/l10n), without which messages are keys.
 */
export async function createSchemaValidator(
  schemaDir: string,
  options: {
    /** Schemas files name in `$schema=https://…` modelines, with the editor's stand-in when unreachable. */
    remote?: RemoteSchemas;
    l10nDir?: string;
  } = {},
): Promise<SchemaValidator> {
  const l10nDir = options.l10nDir ?? path.join(schemaDir, 'l10n');
  const index = parseSchemaIndex(fs.readFileSync(path.join(schemaDir, 'index.json'), 'utf8'));
  const bundle = path.join(l10nDir, 'bundle.l10n.json');
  if (fs.existsSync(bundle)) l10n.config({ fsPath: bundle });
  const deprecations = deprecationMessages(index);
  const service = getLanguageService({
    schemaRequestService: (uri: string) => {
      const file = schemaFileOf(uri, index);
      if (file) return fs.promises.readFile(path.join(schemaDir, file), 'utf8');
      if (options.remote && /^https?:\/\//.test(uri)) return options.remote.content(uri);
      return Promise.reject(new Error(`unknown schema ${uri}`));
    },
    workspaceContext: {
      resolveRelativePath: (relative: string, resource: string) => new URL(relative, resource).toString(),
    },
  });
  // The settings the extension's own server runs with (src/language/client.ts yamlSettings).
  service.configure({
    validate: true,
    hover: false,
    completion: false,
    format: false,
    isKubernetes: false,
    keyOrdering: false,
    customTags: [],
    schemas: [{ uri: DISPATCHER_URI, fileMatch: ['*'] }],
  });
  let version = 0;
  return {
    index,
    async validate(file, text) {
      if (!mentionsFluxApi(text)) return [];
      const uri = `file://${file.split(path.sep).join('/')}`;
      const diagnostics = await service.doValidation(
        TextDocument.create(uri, 'yaml', ++version, text),
        false,
      );
      const seen = new Set<string>();
      const findings: SchemaFinding[] = [];
      for (const d of diagnostics) {
        const message = typeof d.message === 'string' ? d.message : d.message.value;
        const finding: SchemaFinding = {
          line: d.range.start.line + 1,
          column: d.range.start.character + 1,
          severity: editorSeverity(d.severity, message, deprecations),
          message,
          deprecation: deprecations.has(message),
        };
        const key = `${finding.line}:${finding.column}:${finding.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push(finding);
      }
      return findings;
    },
  };
}

/** Problem code of a schema finding (the editor shows the same finding with source yaml-schema). */
export const SCHEMA_PROBLEM = 'schema';

/**
 * The schema findings of every file that holds a Flux object of the model, as problems. A
 * deprecation the model already reports with the cluster's Flux version (api-deprecated or
 * api-removed, with its migration) is not said twice.
 */
export async function schemaProblems(
  model: RepoModel,
  validator: SchemaValidator,
  readText: (file: string) => string | null,
): Promise<Problem[]> {
  const judged = new Set(
    model.problems.filter((p) => p.code === API_REMOVED || p.code === API_DEPRECATED).map((p) => p.file),
  );
  const files = [
    ...new Set(model.objects.filter((o) => FLUX_GROUP.test(o.apiVersion)).map((o) => o.file)),
  ].sort();
  const builtByFile = new Map<string, FluxKustomization[]>();
  for (const k of model.kustomizations.values()) {
    if (!k.builtSpec) continue;
    const list = builtByFile.get(k.file) ?? [];
    list.push(k);
    builtByFile.set(k.file, list);
  }
  // Flux never reads a file that no Kustomization applies (disabled, an example, a leftover): its
  // schema findings are worth seeing, but they are not a reason for `check` to fail.
  const applied = new Set(model.objects.filter((o) => o.appliedBy.length > 0).map((o) => o.file));
  const problems: Problem[] = [];
  for (const file of files) {
    const text = readText(file);
    if (text === null) continue;
    let findings = await validator.validate(file, text);
    const built = builtByFile.get(file);
    if (built && findings.length > 0) findings = await asApplied(validator, file, text, findings, built);
    for (const finding of findings) {
      if (finding.deprecation && judged.has(file)) continue;
      const severity = finding.severity === 'error' && !applied.has(file) ? 'warning' : finding.severity;
      problems.push(problem(severity, SCHEMA_PROBLEM, file, finding.line, finding.message));
    }
  }
  return problems;
}

/**
 * A Kustomization document that its parent patches (or postBuild substitutes) is judged as Flux
 * applies it: the parent may supply `interval` or `prune` the file leaves out. Findings inside
 * such a document are replaced by those of the object as built, reported on its first line.
 */
async function asApplied(
  validator: SchemaValidator,
  file: string,
  text: string,
  findings: SchemaFinding[],
  built: readonly FluxKustomization[],
): Promise<SchemaFinding[]> {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number): number => lineStarts.filter((s) => s <= offset).length;
  let result = findings;
  for (const doc of YAML.parseAllDocuments(text)) {
    if (!(doc instanceof YAML.Document)) continue;
    const first = lineOf(doc.range[0]);
    const last = lineOf(Math.max(doc.range[0], doc.range[2] - 1));
    const k = built.find((b) => b.line >= first && b.line <= last);
    const own = doc.toJS() as {
      spec?: unknown;
      apiVersion?: unknown;
      kind?: unknown;
      metadata?: unknown;
    } | null;
    if (!k?.builtSpec || !own || JSON.stringify(own.spec) === JSON.stringify(k.builtSpec)) continue;
    const inside = (f: SchemaFinding): boolean => f.line >= first && f.line <= last;
    if (!result.some(inside)) continue;
    const applied = YAML.stringify({ ...own, spec: k.builtSpec });
    const again = (await validator.validate(file, applied)).map((f) => ({ ...f, line: k.line, column: 1 }));
    result = [...result.filter((f) => !inside(f)), ...again];
  }
  return result;
}

const FLUX_GROUP = /^[a-z]+\.toolkit\.fluxcd\.io\//;
