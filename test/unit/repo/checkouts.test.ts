import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanRepository } from '../../../src/core/repo';
import { checkoutOf } from '../../../src/core/repo/model';
import { write } from './helpers';

test('the model carries each checkout: its Git root, remotes and branch, and which one a file is in', () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'checkouts-')));
  try {
    const repo = path.join(dir, 'repo');
    write(
      path.join(repo, 'clusters/prod/flux-system/gotk-sync.yaml'),
      [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata: { name: flux-system, namespace: flux-system }',
        'spec: { path: ./clusters/prod, sourceRef: { kind: GitRepository, name: flux-system } }',
        '',
      ].join('\n'),
    );
    execFileSync('git', ['init', '-q', '-b', 'trunk', repo]);
    execFileSync('git', ['-C', repo, 'remote', 'add', 'origin', 'git@example.com:team/fleet.git']);
    const model = scanRepository([repo]);
    assert.deepEqual(model.checkouts, [
      { folder: repo, isGit: true, remotes: ['git@example.com:team/fleet.git'], branch: 'trunk' },
    ]);
    assert.equal(checkoutOf(model, path.join(repo, 'clusters/prod'))?.folder, repo);
    assert.equal(checkoutOf(model, `${repo}-other/x.yaml`), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
