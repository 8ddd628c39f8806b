// Flux schemas in the YAML editor, offline. Either we run the bundled yaml-language-server over
// IPC, or, when redhat.vscode-yaml is installed, we hand it our schemas through its contributor
// API, so one YAML server serves each file. Schemas are chosen by apiVersion + kind (the
// dispatcher schema in dist/schemas/all.json), never by file name, and the schema store is off.
// A schema a file names in a `$schema=https://…` modeline is fetched by this client (vscode/content),
// so that one that cannot be fetched is logged and replaced by the Flux schemas, not an error.
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import {
  CloseAction,
  type CloseHandlerResult,
  ErrorAction,
  type ErrorHandler,
  type ErrorHandlerResult,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import {
  DISPATCHER_URI,
  SCHEMA_SCHEME,
  deprecationMessages,
  parseSchemaIndex,
  schemaFileOf,
  type SchemaIndex,
} from '../core/schemas/catalog';
import { mentionsFluxApi } from '../core/schemas/convert';
import { createRemoteSchemas, type RemoteSchemas } from '../core/schemas/remote';

export const REDHAT_YAML_EXTENSION_ID = 'redhat.vscode-yaml';

/** Crashes tolerated within CRASH_WINDOW_MS before the server is left stopped. */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 3 * 60 * 1000;

export interface YamlLanguageDeps {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
}

/** The part of redhat.vscode-yaml's exported API we use. */
interface RedHatYamlApi {
  registerContributor(
    schema: string,
    requestSchema: (resource: string) => string | undefined,
    requestSchemaContent: (uri: string) => Promise<string> | string,
    label?: string,
  ): boolean;
}

/**
 * Starts Flux schema support for YAML files: our own yaml-language-server, or a schema
 * contributor in redhat.vscode-yaml when that extension is installed. Dispose to stop it.
 */
export function createYamlLanguageClient(deps: YamlLanguageDeps): vscode.Disposable {
  const support = new YamlLanguageSupport(deps);
  void support.start();
  return support;
}

class YamlLanguageSupport implements vscode.Disposable {
  private readonly schemaDir: vscode.Uri;
  private index: SchemaIndex | undefined;
  private readonly contents = new Map<string, Promise<string>>();
  private client: LanguageClient | undefined;
  private contributed = false;
  private disposed = false;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly remoteSchemas: RemoteSchemas;

  constructor(private readonly deps: YamlLanguageDeps) {
    this.schemaDir = vscode.Uri.joinPath(deps.context.extensionUri, 'dist', 'schemas');
    this.remoteSchemas = createRemoteSchemas({ log: (line) => deps.log.warn(line) });
  }

  async start(): Promise<void> {
    const { log } = this.deps;
    try {
      this.index = parseSchemaIndex(
        await fs.readFile(vscode.Uri.joinPath(this.schemaDir, 'index.json').fsPath, 'utf8'),
      );
    } catch (error) {
      log.error(
        `Flux schemas: cannot read dist/schemas/index.json (${errorText(error)}); YAML validation of Flux files is off`,
      );
      return;
    }
    if (this.index.missingModules.length > 0) {
      log.warn(`Flux schemas: no schemas for the kinds of ${this.index.missingModules.join(', ')}`);
    }
    // redhat.vscode-yaml may be installed or enabled while we run: then hand over to it.
    this.subscriptions.push(vscode.extensions.onDidChange(() => void this.preferRedHat()));
    if (await this.preferRedHat()) return;
    if (!this.disposed) await this.startServer();
  }

  /** Contributes to redhat.vscode-yaml when it is present; true when it now serves our schemas. */
  private async preferRedHat(): Promise<boolean> {
    if (this.contributed || this.disposed) return this.contributed;
    const extension = vscode.extensions.getExtension<RedHatYamlApi>(REDHAT_YAML_EXTENSION_ID);
    if (!extension) return false;
    const { log } = this.deps;
    try {
      const api = extension.isActive ? extension.exports : await extension.activate();
      if (typeof api?.registerContributor !== 'function')
        throw new Error('its API has no registerContributor');
      // The API cannot unregister: after dispose() the callbacks answer "no schema".
      const registered = api.registerContributor(
        SCHEMA_SCHEME,
        (resource) => (this.disposed ? undefined : this.schemaFor(resource)[0]),
        (uri) => this.schemaContent(uri),
        'Flux',
      );
      if (!registered) throw new Error('registerContributor returned false');
      this.contributed = true;
      log.info(`Flux schemas: contributed to ${REDHAT_YAML_EXTENSION_ID} (our YAML server is not started)`);
      await this.stopServer();
      return true;
    } catch (error) {
      log.warn(
        `Flux schemas: cannot use ${REDHAT_YAML_EXTENSION_ID} (${errorText(error)}); starting our own YAML server`,
      );
      return false;
    }
  }

  /** The schema URIs for a file: the dispatcher when it holds a Flux object, else none. */
  private schemaFor(resource: string): string[] {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === resource);
    return document && mentionsFluxApi(document.getText()) ? [DISPATCHER_URI] : [];
  }

  private schemaContent(uri: string): Promise<string> {
    const file = this.index ? schemaFileOf(uri, this.index) : undefined;
    if (!file) return Promise.reject(new Error(`unknown schema ${uri}`));
    let content = this.contents.get(file);
    if (!content) {
      content = fs.readFile(vscode.Uri.joinPath(this.schemaDir, file).fsPath, 'utf8');
      this.contents.set(file, content);
      void content.catch(() => this.contents.delete(file));
    }
    return content;
  }

  private async startServer(): Promise<void> {
    const { context, log } = this.deps;
    const index = this.index;
    if (!index) return;
    const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'yaml-server.js').fsPath;
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const deprecations = deprecationMessages(index);
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'yaml' }],
      outputChannel: log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      // yaml-language-server looks for its messages next to its own file; the bundle moved them.
      initializationOptions: { l10nPath: vscode.Uri.joinPath(this.schemaDir, 'l10n').fsPath },
      errorHandler: this.errorHandler(),
      middleware: {
        workspace: {
          // The server pulls the `yaml` section; without redhat.vscode-yaml nobody contributes it,
          // and its defaults would fetch the schema store (by file name, and over the network).
          configuration: async (params, token, next) => {
            const answers = await next(params, token);
            if (!Array.isArray(answers)) return answers;
            return params.items.map((item, i) => (item.section === 'yaml' ? yamlSettings() : answers[i]));
          },
        },
        // The server's lens only names the schema (always ours); the Flux lenses say more.
        provideCodeLenses: () => [],
        // We only speak for Flux files; the server turns every warning into an error, so ours
        // (deprecated apiVersion) are turned back into warnings.
        handleDiagnostics: (uri, diagnostics, next) => {
          const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
          if (!document || !mentionsFluxApi(document.getText())) return next(uri, []);
          for (const diagnostic of diagnostics) {
            if (deprecations.has(diagnostic.message)) {
              diagnostic.severity = vscode.DiagnosticSeverity.Warning;
              diagnostic.tags = [vscode.DiagnosticTag.Deprecated];
            }
          }
          next(uri, diagnostics);
        },
      },
    };
    const client = new LanguageClient('fluxGitops.yaml', 'Flux GitOps YAML', serverOptions, clientOptions);
    client.onRequest('custom/schema/request', (resource: unknown) => this.schemaFor(firstString(resource)));
    client.onRequest('custom/schema/content', (uri: unknown) => this.schemaContent(firstString(uri)));
    // http(s) schemas (modelines): the server would fetch them itself and turn a failed fetch into
    // an error on the file; we fetch them and stand in for the ones we cannot.
    client.onRequest('vscode/content', (uri: unknown) => this.remoteSchemas.content(firstString(uri)));
    // Each server process (the first and every restart) learns that we answer its schema requests.
    // The files VS Code had open are sent before these registrations and may have been validated
    // without them (a modeline schema fetched by the server, its failure cached as an error): an
    // empty schema association makes the server pull its settings again, forget every schema and
    // validate the open files once more, now through us. Notifications are handled in order.
    client.onDidChangeState(async (event) => {
      if (event.newState !== State.Running) return;
      try {
        await client.sendNotification('yaml/registerCustomSchemaRequest');
        await client.sendNotification('yaml/registerContentRequest');
        await client.sendNotification('json/schemaAssociations', {});
      } catch (error) {
        log.warn(`Flux schemas: cannot register the schema provider: ${errorText(error)}`);
      }
    });
    this.client = client;
    try {
      await client.start();
      log.info(
        `Flux schemas: YAML language server started (Flux ${index.flux}, ${index.schemas.length} schemas)`,
      );
    } catch (error) {
      log.error(`Flux schemas: the YAML language server did not start: ${errorText(error)}`);
    }
  }

  private errorHandler(): ErrorHandler {
    const crashes: number[] = [];
    const { log } = this.deps;
    return {
      error: (_error, _message, count): ErrorHandlerResult => ({
        action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
      }),
      closed: (): CloseHandlerResult => {
        const now = Date.now();
        crashes.push(now);
        while (crashes.length > 0 && (crashes[0] ?? now) < now - CRASH_WINDOW_MS) crashes.shift();
        if (crashes.length < MAX_CRASHES) {
          log.warn(
            `Flux schemas: the YAML language server stopped unexpectedly; restarting (${crashes.length} of ${MAX_CRASHES})`,
          );
          return { action: CloseAction.Restart, handled: true };
        }
        const message =
          `Flux GitOps: the YAML language server crashed ${MAX_CRASHES} times in the last 3 minutes and will not be ` +
          'restarted. Flux schema validation is off until the window is reloaded.';
        log.error(message);
        void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
          if (choice) log.show(true);
        });
        return { action: CloseAction.DoNotRestart, message, handled: true };
      },
    };
  }

  private async stopServer(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      await client.stop(2000);
    } catch (error) {
      this.deps.log.warn(`Flux schemas: stopping the YAML language server: ${errorText(error)}`);
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
    void this.stopServer();
  }
}

/** The `yaml` settings our server runs with: schema features on, no network, no formatter. */
function yamlSettings(): Record<string, unknown> {
  return {
    validate: true,
    hover: true,
    completion: true,
    schemas: {},
    schemaStore: { enable: false, url: '' },
    format: { enable: false },
    keyOrdering: false,
  };
}

/** Requests with one string parameter may arrive as that string or as a one-element array. */
function firstString(params: unknown): string {
  if (Array.isArray(params)) return String(params[0] ?? '');
  return String(params ?? '');
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
