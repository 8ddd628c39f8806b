import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { NewAppResult } from '../../../src/commands/newApp';
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
