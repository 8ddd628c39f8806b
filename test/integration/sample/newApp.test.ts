import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { createNewAppCommand, type NewAppResult } from '../../../src/commands/newApp';
import { scanRepository } from '../../../src/core/repo';
import type { AskQuestion, PickQuestion, Reply, WizardUi } from '../../../src/core/wizard';
import type { RepositoryService } from '../../../src/platform/repositoryService';
import { CommandId } from '../../../src/platform/commandIds';
import { getExtension, workspaceRoot } from '../helpers';
import { scannedTree } from '../treeHelpers';

describe('Flux: New App with a Secret in the sample (its own test key)', () => {
  it('encrypts the Secret by the .sops.yaml rule, and the real sops decrypts it with the sample key', async () => {
    await scannedTree();
    const result = await vscode.commands.executeCommand<NewAppResult>(CommandId.newApp, {
      target: 'apps',
      name: 'guestbook',
      workload: {
        kind: 'helm',
        source: { existing: { kind: 'HelmRepository', name: 'bitnami', namespace: 'redis' } },
        chart: 'nginx',
        version: '18.x',
      },
      secret: { data: { PASSWORD: 'sample-secret-1', USER: 'guest' } },
      open: false,
    });
    assert.ok(result.ok, JSON.stringify(result));
    const secretFile = path.join(
      workspaceRoot(),
      'flux',
      'clusters',
      'homelab',
      'apps',
      'guestbook',
      'secrets.yaml',
    );
    const text = fs.readFileSync(secretFile, 'utf8');
    assert.ok(!text.includes('sample-secret-1'));
    const sops = path.join(
      process.env.FLUX_GITOPS_CACHE || path.join(os.homedir(), '.cache', 'flux-gitops'),
      'bin',
      'sops',
    );
    const decrypted = execFileSync(sops, ['--decrypt', secretFile], {
      env: {
        ...process.env,
        SOPS_AGE_KEY_FILE: path.join(workspaceRoot(), 'demo-age-key.txt'),
        SOPS_DISABLE_VERSION_CHECK: '1',
      },
      encoding: 'utf8',
    });
    assert.match(decrypted, /PASSWORD: sample-secret-1/);
    assert.match(decrypted, /USER: guest/);
    await result.applied.undo();
    await getExtension().exports.rescan();
    assert.ok(!fs.existsSync(path.dirname(secretFile)));
  });
});

/** A WizardUi that plays `script` (expected question → reply) and records the questions asked. */
function scriptedUi(script: Array<[string, string | 'back' | 'accept']>): WizardUi & { seen: string[] } {
  const seen: string[] = [];
  const next = (question: string, prefilled: string) => {
    seen.push(`${question} [${prefilled}]`);
    const step = script.shift();
    if (!step || !question.includes(step[0]))
      throw new Error(
        `unexpected question "${question}"; expected ${JSON.stringify(step)}; seen: ${seen.join(' | ')}`,
      );
    return step[1];
  };
  return {
    seen,
    pick<T>(q: PickQuestion<T>): Promise<Reply<T>> {
      const reply = next(q.placeholder, q.active === undefined ? '' : q.items[q.active].label);
      if (reply === 'back') return Promise.resolve('back');
      const item = reply === 'accept' ? q.items[q.active ?? 0] : q.items.find((i) => i.label.includes(reply));
      if (!item) throw new Error(`no item "${reply}" in ${q.items.map((i) => i.label).join(', ')}`);
      return Promise.resolve({ value: item.value });
    },
    ask(q: AskQuestion): Promise<Reply<string>> {
      const reply = next(q.prompt, q.value);
      if (reply === 'back') return Promise.resolve('back');
      const text = reply === 'accept' ? q.value : reply;
      const error = q.validate(text.trim());
      if (error) throw new Error(`"${text}" refused for "${q.prompt}": ${error}`);
      return Promise.resolve({ value: text });
    },
  };
}

describe('Flux: New App through a scripted UI (the wizard the quick input shows)', () => {
  it("goes back two steps, changes the name, and writes an app-template release in the siblings' style", async () => {
    const root = workspaceRoot();
    const model = scanRepository([root]);
    // The command needs the model and a way to tell the repository what changed: a stand-in.
    const repository = {
      store: { value: { model } },
      rescan: () => Promise.resolve(model),
      update: () => Promise.resolve(model),
    } as unknown as RepositoryService;
    const log = vscode.window.createOutputChannel('Flux GitOps (New App test)', { log: true });
    const ui = scriptedUi([
      ['Add the app to which Flux Kustomization?', 'apps'],
      ['App name', 'web'],
      ['Namespace', 'accept'],
      ['What does the app deploy?', 'back'],
      ['Namespace', 'back'],
      ['App name', 'whoami'],
      ['Namespace', 'accept'],
      ['What does the app deploy?', 'Helm chart'],
      ['Chart source', 'Add a chart repository'],
      ['Chart repository URL', 'https://bjw-s-labs.github.io/helm-charts'],
      ['Name of the new source', 'bjw-s'],
      ['Chart name', 'app-template'],
      ['Chart version', '4.1.1'],
      ['Container image', 'ghcr.io/traefik/whoami:v1.10'],
      ['Container port', 'accept'],
      ['Add a Secret', 'No Secret'],
    ]);
    try {
      const result = await createNewAppCommand({ log, repository, ui })({ open: false });
      assert.ok(result.ok, `${JSON.stringify(result)}; asked: ${ui.seen.join(' | ')}`);
      assert.ok(
        ui.seen.includes('App name (a DNS-1123 label: lower-case letters, digits and -) [web]'),
        ui.seen.join(' | '),
      );
      const cluster = path.join(root, 'flux', 'clusters', 'homelab');
      assert.ok(!fs.existsSync(path.join(cluster, 'apps', 'web')));
      const release = fs.readFileSync(path.join(cluster, 'apps', 'whoami', 'release.yaml'), 'utf8');
      assert.match(release, /repository: ghcr\.io\/traefik\/whoami\n\s+tag: v1\.10/);
      assert.match(release, /controller: whoami/);
      // Beside jetstack.yaml, listed in infra/kustomization.yaml; the app listed as `- whoami` like `- redis`.
      assert.ok(fs.existsSync(path.join(cluster, 'infra', 'bjw-s.yaml')));
      assert.match(
        fs.readFileSync(path.join(cluster, 'infra', 'kustomization.yaml'), 'utf8'),
        /- bjw-s\.yaml\n/,
      );
      assert.match(
        fs.readFileSync(path.join(cluster, 'apps', 'kustomization.yaml'), 'utf8'),
        /- redis\n\s+- whoami\n/,
      );
      await result.applied.undo();
      assert.ok(!fs.existsSync(path.join(cluster, 'apps', 'whoami')));
      assert.ok(!fs.existsSync(path.join(cluster, 'infra', 'bjw-s.yaml')));
    } finally {
      log.dispose();
      await getExtension().exports.rescan();
    }
  });
});
