import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import * as vscode from 'vscode';
import { getExtension, waitFor, workspaceRoot } from '../helpers';

// The language server needs no network: every schema comes from dist/schemas through
// custom/schema/content, and the schema store is off.

const SCHEMA_SOURCE = /^yaml-schema: /;
// Files this suite writes live here and are removed afterwards, so the tree suites see the
// sample repository unchanged.
const SCRATCH = 'language-tests';

function writeFile(relative: string, text: string): vscode.Uri {
  const file = path.join(workspaceRoot(), SCRATCH, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return vscode.Uri.file(file);
}

async function open(uri: vscode.Uri): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { preview: false });
  assert.strictEqual(document.languageId, 'yaml');
  return document;
}

/** Waits until the schema diagnostics of `uri` satisfy `ready`, and returns them. */
function schemaDiagnostics(
  uri: vscode.Uri,
  ready: (d: vscode.Diagnostic[]) => boolean,
  what: string,
): Promise<vscode.Diagnostic[]> {
  return waitFor(
    what,
    () => {
      const found = vscode.languages.getDiagnostics(uri).filter((d) => SCHEMA_SOURCE.test(String(d.source)));
      return ready(found) ? found : undefined;
    },
    90_000,
  );
}

function lineOf(document: vscode.TextDocument, text: string): number {
  const line = document
    .getText()
    .split('\n')
    .findIndex((l) => l.includes(text));
  assert.ok(line >= 0, `no line with ${text}`);
  return line;
}

/** PIDs of our yaml-language-server processes, children of this extension host (Linux /proc). */
function serverPids(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (ppid === process.pid && cmdline.includes('yaml-server.js')) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

async function completionLabels(document: vscode.TextDocument, position: vscode.Position): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>(
    'vscode.executeCompletionItemProvider',
    document.uri,
    position,
  );
  return list.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
}

const BROKEN_RELEASE = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: broken
  namespace: podinfo
spec:
  chart:
    spec:
      chart: podinfo
      version: 6.x
      sourceRef:
        kind: HelmRepository
        name: podinfo
  timeout: 5
  notAField: true
`;

describe('Flux schemas in the YAML editor', function () {
  this.timeout(240_000);

  before(async () => {
    const extension = getExtension();
    await waitFor('the extension to activate', () => (extension.isActive ? true : undefined), 90_000);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.join(workspaceRoot(), SCRATCH), { recursive: true, force: true });
    const api = getExtension().exports;
    await api.rescan();
    await waitFor(
      'the tree to forget the scratch files',
      () => (JSON.stringify(api.repositoryTree()).includes(SCRATCH) ? undefined : true),
      90_000,
    );
  });

  it('reports a wrong type, a missing required field and an unknown field of a HelmRelease', async () => {
    const uri = writeFile('broken-release.yaml', BROKEN_RELEASE);
    const document = await open(uri);
    const diagnostics = await schemaDiagnostics(
      uri,
      (d) => d.length >= 3,
      'schema diagnostics on broken-release.yaml',
    );
    const messages = diagnostics.map((d) => `${d.range.start.line}: ${d.message}`);
    const at = (text: string) =>
      diagnostics.filter((d) => d.range.start.line === lineOf(document, text)).map((d) => d.message);
    assert.ok(
      at('timeout: 5').some((m) => /Incorrect type/.test(m)),
      `no type error on timeout: ${messages.join(' | ')}`,
    );
    assert.ok(
      diagnostics.some((d) => /Missing property "interval"/.test(d.message)),
      `no missing interval: ${messages.join(' | ')}`,
    );
    assert.ok(
      at('notAField').some((m) => /notAField is not allowed/.test(m)),
      `no unknown-field error: ${messages.join(' | ')}`,
    );
    assert.ok(
      diagnostics.every((d) => /HelmRelease helm\.toolkit\.fluxcd\.io\/v2$/.test(String(d.source))),
      `a diagnostic from another schema: ${diagnostics.map((d) => d.source).join(', ')}`,
    );
  });

  it('checks a file whose $schema modeline cannot be fetched against the Flux schemas, with no error about the schema', async () => {
    // A port nothing listens on stands for a schema host that is down, offline or behind a proxy.
    const port = await new Promise<number>((resolve) => {
      const server = http.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const unreachable = `http://127.0.0.1:${port}/helmrelease_v2.json`;
    const uri = writeFile(
      'modeline-unreachable.yaml',
      `# yaml-language-server: $schema=${unreachable}\n${BROKEN_RELEASE}`,
    );
    const document = await open(uri);
    const diagnostics = await schemaDiagnostics(
      uri,
      (d) => d.some((x) => /notAField is not allowed/.test(x.message)),
      'the Flux schema errors on modeline-unreachable.yaml',
    );
    const messages = diagnostics.map((d) => `${d.range.start.line}: [${String(d.source)}] ${d.message}`);
    assert.ok(
      diagnostics.some(
        (d) => d.range.start.line === lineOf(document, 'timeout: 5') && /Incorrect type/.test(d.message),
      ),
      `no type error on timeout: ${messages.join(' | ')}`,
    );
    const everything = vscode.languages.getDiagnostics(uri).map((d) => d.message);
    assert.ok(
      everything.every((m) => !m.includes(String(port)) && !/load schema/i.test(m)),
      `a diagnostic about the unreachable schema: ${everything.join(' | ')}`,
    );
  });

  it('uses the schema a $schema modeline names when it can be fetched', async () => {
    // A schema host on 127.0.0.1 whose schema wants a field the Flux schema does not know.
    const server = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ type: 'object', required: ['servedByModeline'] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const uri = writeFile(
        'modeline-reachable.yaml',
        `# yaml-language-server: $schema=http://127.0.0.1:${port}/strict.json\n${BROKEN_RELEASE}`,
      );
      await open(uri);
      const diagnostics = await schemaDiagnostics(
        uri,
        (d) => d.some((x) => /servedByModeline/.test(x.message)),
        "the served schema's missing-property error on modeline-reachable.yaml",
      );
      // Only the named schema applies: the Flux schema's errors (notAField) are not there.
      assert.ok(
        diagnostics.every((d) => !/notAField/.test(d.message)),
        diagnostics.map((d) => d.message).join(' | '),
      );
    } finally {
      server.close();
    }
  });

  it('completes HelmRelease spec keys and sourceRef kinds', async () => {
    const uri = writeFile(
      'completion-release.yaml',
      `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: completion
spec:
  interval: 10m
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: 
        name: podinfo
  
`,
    );
    const document = await open(uri);
    const specKeys = await waitFor(
      'spec key completions',
      async () => {
        const labels = await completionLabels(document, new vscode.Position(document.lineCount - 2, 2));
        return labels.includes('releaseName') ? labels : undefined;
      },
      90_000,
    );
    for (const key of ['chartRef', 'install', 'upgrade', 'values', 'valuesFrom', 'dependsOn']) {
      assert.ok(specKeys.includes(key), `spec completion lacks ${key}: ${specKeys.join(', ')}`);
    }
    const kindLine = lineOf(document, '        kind:');
    const kinds = await completionLabels(
      document,
      new vscode.Position(kindLine, document.lineAt(kindLine).text.length),
    );
    for (const kind of ['HelmRepository', 'GitRepository', 'Bucket']) {
      assert.ok(kinds.includes(kind), `sourceRef.kind completion lacks ${kind}: ${kinds.join(', ')}`);
    }
  });

  it('shows the CRD description on hover', async () => {
    const uri = writeFile(
      'hover-release.yaml',
      BROKEN_RELEASE.replace('  timeout: 5\n  notAField: true\n', '  interval: 5m\n'),
    );
    const document = await open(uri);
    const line = lineOf(document, 'chart:');
    const text = await waitFor(
      'hover on spec.chart',
      async () => {
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
          'vscode.executeHoverProvider',
          uri,
          new vscode.Position(line, 4),
        );
        const joined = hovers
          .flatMap((h) => h.contents)
          .map((c) => (typeof c === 'string' ? c : c.value))
          .join('\n');
        return joined.length > 0 ? joined : undefined;
      },
      90_000,
    );
    assert.match(text, /Chart defines the template of the v1\\?\.HelmChart/);
  });

  it('gives a file named prometheus.yaml the Flux schema of its objects, not a schema by name', async () => {
    const uri = writeFile(
      'infra/prometheus.yaml',
      `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: prometheus
  namespace: flux-system
spec:
  interval: 10m
  path: ./infra/prometheus
  prune: yes-please
  sourceRef:
    kind: GitRepository
    name: flux-system
`,
    );
    await open(uri);
    const diagnostics = await schemaDiagnostics(
      uri,
      (d) => d.length > 0,
      'schema diagnostics on prometheus.yaml',
    );
    assert.ok(
      diagnostics.some((d) => /Incorrect type\. Expected "boolean"/.test(d.message)),
      diagnostics.map((d) => d.message).join(' | '),
    );
    for (const d of diagnostics)
      assert.match(String(d.source), /Kustomization kustomize\.toolkit\.fluxcd\.io\/v1/);
  });

  it('warns (not errors) on a deprecated apiVersion, and validates every document of a file by its own kind', async () => {
    const uri = writeFile(
      'multi.yaml',
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: plain
data:
  anything: goes
---
apiVersion: source.toolkit.fluxcd.io/v1beta2
kind: HelmRepository
metadata:
  name: old
spec:
  interval: 1h
  url: https://stefanprodan.github.io/podinfo
`,
    );
    const document = await open(uri);
    const diagnostics = await schemaDiagnostics(uri, (d) => d.length > 0, 'the deprecation warning');
    assert.strictEqual(diagnostics.length, 1, diagnostics.map((d) => d.message).join(' | '));
    const [warning] = diagnostics;
    assert.ok(warning);
    assert.match(warning.message, /v1beta2 HelmRepository is deprecated/);
    assert.strictEqual(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.strictEqual(warning.range.start.line, lineOf(document, 'source.toolkit.fluxcd.io/v1beta2'));
  });

  it('finds no schema problems in the sample repository releases', async () => {
    const uri = vscode.Uri.file(
      path.join(workspaceRoot(), 'flux/clusters/homelab/apps/podinfo/release.yaml'),
    );
    const document = await open(uri);
    // A hover from the schema proves the server has the document; then expect no problems.
    const line = lineOf(document, 'spec:');
    await waitFor(
      'a schema hover on release.yaml',
      async () => {
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
          'vscode.executeHoverProvider',
          uri,
          new vscode.Position(line, 1),
        );
        return hovers.length > 0 ? true : undefined;
      },
      90_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const problems = vscode.languages.getDiagnostics(uri).filter((d) => SCHEMA_SOURCE.test(String(d.source)));
    assert.deepStrictEqual(
      problems.map((d) => d.message),
      [],
    );
  });

  // Last: it leaves the server stopped for good.
  it('restarts a crashed server, and gives up after 5 crashes in 3 minutes', async function () {
    if (process.platform !== 'linux') this.skip();
    const first = await waitFor('the YAML server process', () => serverPids()[0]);
    process.kill(first, 'SIGKILL');
    const second = await waitFor(
      'a restarted YAML server',
      () => serverPids().find((pid) => pid !== first),
      90_000,
    );
    const uri = writeFile('after-crash.yaml', BROKEN_RELEASE);
    await open(uri);
    await schemaDiagnostics(uri, (d) => d.length >= 3, 'diagnostics from the restarted server');

    let current = second;
    for (let crash = 2; crash <= 5; crash++) {
      process.kill(current, 'SIGKILL');
      if (crash === 5) break;
      const previous = current;
      current = await waitFor(
        `restart after crash ${crash}`,
        () => serverPids().find((pid) => pid !== previous),
        90_000,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 4000));
    assert.deepStrictEqual(serverPids(), [], 'the server was restarted after the 5th crash');
  });
});
