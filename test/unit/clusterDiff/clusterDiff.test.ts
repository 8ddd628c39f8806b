// Pure logic of "Diff with cluster": flux's output, argument arrays, normalisation and masking.
// The output sample is what flux v2.9.5 printed in test/cluster/clusterDiff.test.ts's scenario;
// that test checks the parser against the live binary too.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  compareVersions,
  diffKustomization,
  fluxBuildArgs,
  fluxDiffArgs,
  formatSubject,
  locateFluxCli,
  maskBuildOutput,
  maskSecrets,
  normaliseObject,
  objectYaml,
  parseFluxClientVersion,
  parseFluxDiffOutput,
  parseObjects,
  parseSubject,
  type DiffOutcome,
  type FluxCli,
  type KubeObject,
} from '../../../src/core/clusterDiff';
import { findOnPath } from '../../../src/core/process';
import type { ProcessResult } from '../../../src/core/process';

const FLUX_295_OUTPUT =
  '► Deployment/apps/web drifted\n\nmetadata.generation\n± value change\n- 1\n+ 2\n\nspec.replicas\n± value change\n- 1\n+ 3\n\n' +
  '► ConfigMap/apps/new created\n► Secret/apps/s1 drifted\n\ndata.password\n± value change\n- *** (before)\n+ *** (after)\n\n' +
  '► ConfigMap/apps/old deleted\n';

void describe('flux diff output', () => {
  test('each object line becomes a change with its action, subject and drift report', () => {
    const changes = parseFluxDiffOutput(FLUX_295_OUTPUT);
    assert.deepEqual(
      changes.map((c) => [c.action, formatSubject(c.subject)]),
      [
        ['drifted', 'Deployment/apps/web'],
        ['created', 'ConfigMap/apps/new'],
        ['drifted', 'Secret/apps/s1'],
        ['deleted', 'ConfigMap/apps/old'],
      ],
    );
    assert.equal(
      changes[0].report,
      'metadata.generation\n± value change\n- 1\n+ 2\n\nspec.replicas\n± value change\n- 1\n+ 3',
    );
    assert.equal(changes[1].report, '');
  });

  test('colours, cluster-scoped subjects, skipped objects and recursive folder lines', () => {
    const text =
      '\u001b[32m► Namespace/apps created\u001b[0m\n► ConfigMap/apps/keep skipped\n' +
      '📁 Kustomization/flux-system/child changed\n► ClusterRole/viewer drifted\n\nrules\n± change\n';
    const changes = parseFluxDiffOutput(text);
    assert.deepEqual(
      changes.map((c) => [c.action, c.subject.kind, c.subject.namespace, c.subject.name, c.report]),
      [
        ['created', 'Namespace', '', 'apps', ''],
        ['skipped', 'ConfigMap', 'apps', 'keep', ''],
        ['drifted', 'ClusterRole', '', 'viewer', 'rules\n± change'],
      ],
    );
  });

  test('subjects', () => {
    assert.deepEqual(parseSubject('Deployment/apps/web'), {
      kind: 'Deployment',
      namespace: 'apps',
      name: 'web',
    });
    assert.deepEqual(parseSubject('Namespace/apps'), { kind: 'Namespace', namespace: '', name: 'apps' });
    assert.equal(parseSubject('a/b/c/d'), undefined);
    assert.equal(parseSubject('nothing'), undefined);
  });
});

const cli: FluxCli = { path: '/usr/bin/flux', version: '2.9.5', inMemoryBuild: true };

void describe('flux arguments', () => {
  const target = {
    name: 'apps',
    namespace: 'flux-system',
    cwd: '/repo',
    path: '/repo/apps/prod',
    kustomizationFile: '/repo/clusters/prod/apps.yaml',
    context: 'prod',
  };

  test('diff: relative paths under the repository, in-memory build, context, no progress bar', () => {
    assert.deepEqual(fluxDiffArgs(target, cli, 120), [
      'diff',
      'kustomization',
      'apps',
      '--namespace',
      'flux-system',
      '--path',
      './apps/prod',
      '--kustomization-file',
      './clusters/prod/apps.yaml',
      '--in-memory-build',
      '--context',
      'prod',
      '--progress-bar=false',
      '--timeout',
      '120s',
    ]);
  });

  test('build: --dry-run drops the context; a flux without --in-memory-build does not get it', () => {
    const old = { ...cli, inMemoryBuild: false };
    assert.deepEqual(fluxBuildArgs({ ...target, path: '/repo' }, old, { dryRun: true, timeoutSeconds: 30 }), [
      'build',
      'kustomization',
      'apps',
      '--namespace',
      'flux-system',
      '--path',
      '.',
      '--kustomization-file',
      './clusters/prod/apps.yaml',
      '--timeout',
      '30s',
      '--dry-run',
    ]);
    assert.ok(fluxBuildArgs(target, cli, { dryRun: false, timeoutSeconds: 30 }).includes('--context'));
  });
});

void describe('flux version', () => {
  test('parsed from flux version --client', () => {
    assert.equal(parseFluxClientVersion('flux: v2.9.5\n'), '2.9.5');
    assert.equal(parseFluxClientVersion('flux: v2.10.0-rc.1\n'), '2.10.0-rc.1');
    assert.equal(parseFluxClientVersion('something else'), undefined);
    assert.ok(compareVersions('2.10.0', '2.9.5') > 0);
    assert.ok(compareVersions('0.41.2', '2.0.0') < 0);
    assert.equal(compareVersions('2.0.0-rc.1', '2.0.0'), 0);
  });

  test('located on PATH (never a relative PATH entry), checked, in-memory build read from its help', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'which-'));
    try {
      writeFileSync(join(dir, 'flux'), '#!/bin/sh\n');
      chmodSync(join(dir, 'flux'), 0o755);
      assert.equal(findOnPath('flux', { PATH: `.:relative:${dir}` }, 'linux'), join(dir, 'flux'));
      assert.equal(findOnPath('flux', { PATH: '.' }, 'linux'), undefined);
      const calls: string[][] = [];
      const run =
        (version: string, help: string) =>
        async (_c: string, args: readonly string[]): Promise<ProcessResult> => {
          calls.push([...args]);
          return { kind: 'ok', stdout: args[0] === 'version' ? version : help, stderr: '' };
        };
      const found = await locateFluxCli({
        env: { PATH: dir },
        run: run('flux: v2.9.5\n', '  --in-memory-build   Use …'),
      });
      assert.deepEqual(found, {
        kind: 'found',
        cli: { path: join(dir, 'flux'), version: '2.9.5', inMemoryBuild: true },
      });
      assert.deepEqual(calls, [
        ['version', '--client'],
        ['build', 'kustomization', '--help'],
      ]);
      const old = await locateFluxCli({ env: { PATH: dir }, run: run('flux: v0.41.2\n', '') });
      assert.equal(old.kind, 'unusable');
      assert.match((old as { message: string }).message, /0\.41\.2 is too old/);
      const missing = await locateFluxCli({ env: { PATH: '/nonexistent' }, run: run('', '') });
      assert.equal(missing.kind, 'missing');
      assert.match((missing as { message: string }).message, /Install the flux CLI/);
      const relative = await locateFluxCli({ configuredPath: 'bin/flux', run: run('', '') });
      assert.equal(relative.kind, 'unusable');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const live: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'apps',
    uid: 'u-1',
    resourceVersion: '42',
    generation: 3,
    creationTimestamp: '2026-12-01T00:00:00Z',
    managedFields: [{ manager: 'kustomize-controller' }],
    labels: {
      app: 'web',
      'kustomize.toolkit.fluxcd.io/name': 'apps',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    },
    annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' },
  },
  spec: { replicas: 1 },
  status: { readyReplicas: 1 },
};

void describe('normalised objects', () => {
  test('status, server metadata and kustomize-controller labels and annotations are left out', () => {
    assert.deepEqual(normaliseObject(live), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'apps', labels: { app: 'web' } },
      spec: { replicas: 1 },
    });
    assert.equal(live.metadata.uid, 'u-1', 'the input is not modified');
  });

  test('YAML keys sorted, so both sides line up', () => {
    assert.equal(
      objectYaml({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'a' }, data: { b: '1', a: '2' } }),
      'apiVersion: v1\ndata:\n  a: "2"\n  b: "1"\nkind: ConfigMap\nmetadata:\n  name: a\n',
    );
    assert.equal(objectYaml(undefined), '');
  });
});

void describe('Secrets masked', () => {
  const secret = (data: Record<string, string>, stringData?: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', namespace: 'apps' },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    ...(stringData ? { stringData } : {}),
  });

  test('changed values show before/after, equal ones ***, no value or base64 of it survives', () => {
    const [before, after] = maskSecrets(
      secret({ password: 'hunter2', user: 'admin', gone: 'x' }),
      secret({ user: 'admin' }, { password: 'changed', added: 'new' }),
    );
    assert.deepEqual(before?.data, { gone: '***', password: '*** (before)', user: '***' });
    assert.deepEqual(after?.data, { added: '***', password: '*** (after)', user: '***' });
    assert.equal(after?.stringData, undefined);
    const text = objectYaml(before) + objectYaml(after);
    for (const value of ['hunter2', 'changed', 'admin', 'new', Buffer.from('hunter2').toString('base64')]) {
      assert.ok(!text.includes(value), `${value} leaked:\n${text}`);
    }
  });

  test('a value still SOPS-encrypted in Git is not called changed (flux compares such Secrets by keys)', () => {
    const [before, after] = maskSecrets(secret({ token: 'live-value' }), secret({ token: '**SOPS**' }));
    assert.deepEqual(before?.data, { token: '***' });
    assert.deepEqual(after?.data, { token: '***' });
  });

  test('other kinds untouched; a build printed for reading has every Secret value masked', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    assert.deepEqual(maskSecrets(cm, cm), [cm, cm]);
    const text = maskBuildOutput(
      parseObjects(`${objectYaml(cm)}---\n${objectYaml(secret({ k: 'plain' }, { s: 'text' }))}`),
    );
    assert.equal(
      text,
      'apiVersion: v1\ndata:\n  a: b\nkind: ConfigMap\nmetadata:\n  name: c\n---\n' +
        'apiVersion: v1\ndata:\n  k: "***"\n  s: "***"\nkind: Secret\nmetadata:\n  name: s\n  namespace: apps\n',
    );
  });
});

void describe('diffKustomization with a scripted flux and API server', () => {
  const target = { name: 'apps', namespace: 'flux-system', cwd: '/repo', path: '/repo/apps' };
  const built =
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: new\n  namespace: apps\n---\n' +
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  replicas: 3\n';
  const fluxSays =
    (diff: ProcessResult) =>
    async (_command: string, args: readonly string[]): Promise<ProcessResult> =>
      args[0] === 'diff' ? diff : { kind: 'ok', stdout: built, stderr: '' };
  const liveObjects: KubeObject[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'apps' },
      spec: { replicas: 1 },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old', namespace: 'apps' }, data: { a: '1' } },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'apps', namespace: 'flux-system' },
      status: {
        inventory: {
          entries: [
            { id: 'apps_old__ConfigMap', v: 'v1' },
            { id: 'apps_web_apps_Deployment', v: 'v1' },
          ],
        },
      },
    },
  ];
  const reads: string[] = [];
  const reader = {
    read: async (o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>) => {
      reads.push(`${o.apiVersion} ${o.kind} ${o.metadata.name}`);
      return liveObjects.find(
        (l) => l.kind === o.kind && l.metadata.name === o.metadata.name && l.apiVersion === o.apiVersion,
      );
    },
    dryRunApply: async (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, uid: 'dry-run' } }),
  };

  test('created, changed, pruned in that order; a pruned object read at its inventory version', async () => {
    const outcome = await diffKustomization({
      cli,
      target,
      reader,
      run: fluxSays({
        kind: 'failed',
        code: 1,
        stdout:
          '► ConfigMap/apps/old deleted\n► Deployment/apps/web drifted\n\nspec.replicas\n± value change\n- 1\n+ 3\n► ConfigMap/apps/new created\n',
        stderr: '⚠️ identified at least one change, exiting with non-zero exit code\n',
      }),
    });
    assert.equal(outcome.kind, 'diff', JSON.stringify(outcome));
    const { changes, built: count } = outcome as Extract<DiffOutcome, { kind: 'diff' }>;
    assert.equal(count, 2);
    assert.deepEqual(
      changes.map((c) => [c.action, c.subject, c.live, c.wouldBe]),
      [
        [
          'created',
          'ConfigMap/apps/new',
          '',
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: new\n  namespace: apps\n',
        ],
        [
          'drifted',
          'Deployment/apps/web',
          'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  replicas: 1\n',
          'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  replicas: 3\n',
        ],
        [
          'deleted',
          'ConfigMap/apps/old',
          'apiVersion: v1\ndata:\n  a: "1"\nkind: ConfigMap\nmetadata:\n  name: old\n  namespace: apps\n',
          '',
        ],
      ],
    );
    assert.ok(reads.includes('v1 ConfigMap old'), reads.join('\n'));
  });

  test("flux's own failures are failures, with its message; exit 0 is no change", async () => {
    const failed = await diffKustomization({
      cli,
      target,
      reader,
      run: fluxSays({ kind: 'failed', code: 1, stdout: '', stderr: '✗ invalid kustomization file "x"\n' }),
    });
    assert.deepEqual(failed, {
      kind: 'failed',
      message: 'flux diff failed: exit 1: ✗ invalid kustomization file "x"',
    });
    const none = await diffKustomization({
      cli,
      target,
      reader,
      run: fluxSays({ kind: 'ok', stdout: '', stderr: '' }),
    });
    assert.deepEqual(none, { kind: 'diff', changes: [], built: 2 });
    const timedOut = await diffKustomization({
      cli,
      target,
      reader,
      run: fluxSays({ kind: 'timeout', stderr: '' }),
    });
    assert.deepEqual(timedOut, { kind: 'failed', message: 'flux diff failed: timed out' });
  });
});
