// Every object the scaffolder writes is accepted by a real kube-apiserver with the Flux v2.7.3
// CRDs: a server-side apply with dryRun=All. Secrets are applied as kustomize-controller would,
// decrypted. Needs `bash test/env/install.sh` first.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { Cluster, startCluster } from '../env/cluster';
import {
  applyPlan,
  isSecretFile,
  listTargets,
  planScaffold,
  type ScaffoldInput,
} from '../../src/core/scaffold';
import type { RepoModel } from '../../src/core/repo';
import {
  copyOwn,
  copyUser,
  docsOf,
  removeTemp,
  scan,
  sopsFor,
  testKey,
  userFixture,
  writeSopsConfig,
  type TestRepo,
} from '../unit/scaffold/helpers';

type Obj = k8s.KubernetesObject & Record<string, unknown>;

function targetKey(model: RepoModel, cluster: string, name: string): string {
  return listTargets(model)
    .find((c) => c.cluster === cluster)!
    .targets.find((t) => t.name === name)!.key;
}

void describe('scaffolded objects against the real kube-apiserver (dry-run apply)', () => {
  let cluster: Cluster | undefined;
  let client: k8s.KubernetesObjectApi;
  let skip: string | undefined;

  before(
    async () => {
      try {
        cluster = await startCluster();
      } catch (e) {
        skip = `no test cluster (${(e as Error).message.split('\n')[0]}); run bash test/env/install.sh`;
        return;
      }
      client = k8s.KubernetesObjectApi.makeApiClient(cluster.kubeConfig('admin'));
    },
    { timeout: 120_000 },
  );
  after(async () => {
    await cluster?.stop();
  });

  /** Namespaces first (dry-run, then created for real so the namespaced dry-runs have one), then the rest. */
  async function dryRunApply(objects: Obj[]): Promise<string[]> {
    const applied: string[] = [];
    const ordered = [
      ...objects.filter((o) => o.kind === 'Namespace'),
      ...objects.filter((o) => o.kind !== 'Namespace'),
    ];
    for (const o of ordered) {
      const what = `${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
      try {
        await client.patch(
          o,
          undefined,
          'All',
          'flux-gitops-scaffold-test',
          true,
          k8s.PatchStrategy.ServerSideApply,
        );
      } catch (e) {
        const body = (e as { body?: unknown }).body;
        assert.fail(`${what} refused: ${typeof body === 'string' ? body : (e as Error).message}`);
      }
      applied.push(what);
      if (o.kind === 'Namespace') {
        try {
          await client.create(o);
        } catch (e) {
          if ((e as { code?: number }).code !== 409) throw e;
        }
      }
    }
    return applied;
  }

  async function scaffoldAndApply(repo: TestRepo, inputs: Array<Omit<ScaffoldInput, 'model' | 'cluster'>>) {
    const key = testKey();
    assert.ok(key, 'age-keygen is installed with the test environment');
    writeSopsConfig(repo, key);
    const sops = sopsFor(repo, key);
    const kinds: string[] = [];
    for (const i of inputs) {
      const model = scan(repo);
      const r = await planScaffold({ ...i, model, cluster: repo.cluster });
      assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
      const secretPaths = new Set(r.plan.create.filter(isSecretFile).map((f) => f.path));
      const written = await applyPlan(r.plan, {
        encrypt: (p, t) => sops.encryptText(p, t, { root: repo.root }),
      });
      const objects: Obj[] = [];
      for (const f of written.created) {
        if (path.basename(f.path) === 'kustomization.yaml') continue;
        const text = secretPaths.has(f.path)
          ? await sops.decryptText(f.path, f.content, { root: repo.root })
          : f.content;
        for (const d of docsOf(text)) {
          delete d.sops;
          objects.push(d as Obj);
        }
      }
      const applied = await dryRunApply(objects);
      kinds.push(...applied.map((a) => a.split(' ')[0]));
      // The check has teeth: the same HelmRelease without its required spec.interval is refused.
      const release = objects.find((o) => o.kind === 'HelmRelease');
      if (release) {
        const broken = structuredClone(release) as Obj & { spec: Record<string, unknown> };
        delete broken.spec.interval;
        await assert.rejects(
          client.patch(
            broken,
            undefined,
            'All',
            'flux-gitops-scaffold-test',
            true,
            k8s.PatchStrategy.ServerSideApply,
          ),
          (e: unknown) => (e as { code?: number }).code === 422,
        );
      }
    }
    return kinds;
  }

  const helmApp = (model: RepoModel, repoCluster: string, source: string) => ({
    target: targetKey(model, repoCluster, 'apps'),
    name: 'hello',
    workload: {
      kind: 'helm' as const,
      source: { existing: { kind: 'HelmRepository' as const, name: source, namespace: 'flux-system' } },
      chart: 'app-template',
      version: '4.1.1',
      values: {
        controllers: { main: { containers: { main: { image: { repository: 'nginx', tag: '1.27' } } } } },
      },
    },
    secret: { data: { TOKEN: 'dry-run-secret' } },
  });
  const plainApp = (model: RepoModel, repoCluster: string) => ({
    target: targetKey(model, repoCluster, 'infra'),
    name: 'static',
    workload: { kind: 'plain' as const, image: 'nginx:1.27', port: 8080 },
    secret: { data: { TOKEN: 'dry-run-secret' } },
  });
  const sourceApps = (model: RepoModel, repoCluster: string) => [
    {
      target: targetKey(model, repoCluster, 'apps'),
      name: 'podinfo',
      workload: {
        kind: 'helm' as const,
        source: {
          new: { type: 'helm' as const, name: 'podinfo', url: 'https://stefanprodan.github.io/podinfo' },
        },
        chart: 'podinfo',
        version: '6.9.2',
      },
    },
    {
      target: targetKey(model, repoCluster, 'apps'),
      name: 'podinfo-oci',
      workload: {
        kind: 'helm' as const,
        source: {
          new: { type: 'oci' as const, name: 'podinfo-oci', url: 'oci://ghcr.io/stefanprodan/charts' },
        },
        chart: 'podinfo',
        version: '6.9.2',
      },
    },
  ];

  test('superbloom-like: helm and plain apps with secrets, new HelmRepository and OCIRepository', async (t) => {
    if (skip) return t.skip(skip);
    const repo = copyOwn();
    try {
      const model = scan(repo);
      const kinds = await scaffoldAndApply(repo, [
        helmApp(model, repo.cluster, 'app-charts'),
        plainApp(model, repo.cluster),
        ...sourceApps(model, repo.cluster),
      ]);
      for (const k of [
        'Namespace',
        'Secret',
        'HelmRelease',
        'Deployment',
        'Service',
        'HelmRepository',
        'OCIRepository',
      ])
        assert.ok(kinds.includes(k), `${k} in ${kinds.join(', ')}`);
      t.diagnostic(`dry-run applied: ${kinds.join(', ')}`);
    } finally {
      removeTemp(repo.root);
    }
  });

  test("superbloom-2025-12 (the user's repository): helm app from bjw-s and a plain app", async (t) => {
    if (skip) return t.skip(skip);
    if (!fs.existsSync(userFixture)) return t.skip(`${userFixture} absent`);
    const repo = copyUser();
    try {
      const model = scan(repo);
      const kinds = await scaffoldAndApply(repo, [
        helmApp(model, repo.cluster, 'bjw-s'),
        plainApp(model, repo.cluster),
      ]);
      assert.equal(kinds.filter((k) => k === 'HelmRelease').length, 1);
      assert.equal(kinds.filter((k) => k === 'Secret').length, 2);
    } finally {
      removeTemp(repo.root);
    }
  });
});
