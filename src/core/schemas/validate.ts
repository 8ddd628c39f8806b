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
  l10nDir = path.join(schemaDir, 'l10n'),
): Promise<SchemaValidator> {
  const index = parseSchemaIndex(fs.readFileSync(path.join(schemaDir, 'index.json'), 'utf8'));
  const bundle = path.join(l10nDir, 'bundle.l10n.json');
  if (fs.existsSync(bundle)) l10n.config({ fsPath: bundle });
  const deprecations = deprecationMessages(index);
  const service = getLanguageService({
    schemaRequestService: (uri: string) => {
      const file = schemaFileOf(uri, index);
      return file
        ? fs.promises.readFile(path.join(schemaDir, file), 'utf8')
        : Promise.reject(new Error(`unknown schema ${uri}`));
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
