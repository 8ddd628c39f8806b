// What an experienced maintainer would write for a new app: a new chart source beside the shared
// sources (never in another app's folder), a working app-template release, the Secret referenced
// by the workload, and the parent entry in the siblings' style. On a copy of samples/homelab,
// whose HelmRepositories sit partly in app folders and whose apps are listed as `- podinfo`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanRepository, type RepoModel } from '../../../src/core/repo';
import {
  folderEntry,
  isSecretFile,
  listTargets,
  planScaffold,
  sourcePlacement,
  type PlannedFile,
  type ScaffoldInput,
} from '../../../src/core/scaffold';
import { copyOwn, docsOf, removeTemp, repoRoot, tempCopy } from './helpers';

const sample = path.join(repoRoot, 'samples', 'homelab');
const clusterRel = path.join('flux', 'clusters', 'homelab');

function targetKey(model: RepoModel, name: string): string {
  return listTargets(model)[0].targets.find((t) => t.name === name)!.key;
}

function withSample(body: (root: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const root = tempCopy(sample, 'homelab');
    try {
      await body(root);
    } finally {
      removeTemp(root);
    }
  };
}

const file = (files: Array<{ path: string }>, p: string): PlannedFile => {
  const found = files.find((f) => f.path === p);
  assert.ok(found && !isSecretFile(found as PlannedFile), `${p} in ${files.map((f) => f.path).join(', ')}`);
  return found as PlannedFile;
};

test(
  'a new HelmRepository goes beside jetstack.yaml in infra/ (flux-system), not into an app folder, and apps are listed as siblings are',
  withSample(async (root) => {
    const model = scanRepository([root]);
    const infra = path.join(root, clusterRel, 'infra');
    assert.deepEqual(sourcePlacement(model, 'homelab'), { folder: infra, namespace: 'flux-system' });
    const planned = await planScaffold({
      model,
      cluster: 'homelab',
      target: targetKey(model, 'apps'),
      name: 'grafana',
      workload: {
        kind: 'helm',
        source: { new: { type: 'helm', name: 'grafana', url: 'https://grafana.github.io/helm-charts' } },
        chart: 'grafana',
        version: '8.x',
      },
    });
    assert.ok(planned.ok, JSON.stringify(!planned.ok && planned.issues));
    const repo = docsOf(file(planned.plan.create, path.join(infra, 'grafana.yaml')).content)[0];
    assert.deepEqual(repo.metadata, { name: 'grafana', namespace: 'flux-system' });
    const edits = Object.fromEntries(planned.plan.edit.map((e) => [path.relative(root, e.path), e.after]));
    assert.deepEqual(Object.keys(edits).sort(), [
      path.join(clusterRel, 'apps', 'kustomization.yaml'),
      path.join(clusterRel, 'infra', 'kustomization.yaml'),
    ]);
    assert.match(
      edits[path.join(clusterRel, 'infra', 'kustomization.yaml')],
      /- jetstack\.yaml\n {2}- grafana\.yaml\n/,
    );
    // Siblings are `- podinfo` and `- redis`: no trailing slash.
    assert.match(edits[path.join(clusterRel, 'apps', 'kustomization.yaml')], /- redis\n {2}- grafana\n$/);
  }),
);

test(
  'with every source inside an app folder, a new one goes to the folder of the Kustomization applying most of them, in flux-system',
  withSample(async (root) => {
    const infra = path.join(root, clusterRel, 'infra');
    fs.rmSync(path.join(infra, 'jetstack.yaml'));
    const k = path.join(infra, 'kustomization.yaml');
    fs.writeFileSync(k, fs.readFileSync(k, 'utf8').replace('  - jetstack.yaml\n', ''));
    const model = scanRepository([root]);
    // Left: bitnami (apps/redis), podinfo's OCIRepository (apps/podinfo), ingress-nginx
    // (infra/ingress-nginx), each in its app's folder and namespace. apps applies two of them.
    const apps = path.join(root, clusterRel, 'apps');
    assert.deepEqual(sourcePlacement(model, 'homelab'), { folder: apps, namespace: 'flux-system' });
  }),
);

test(
  'an app-template release gets a controller with the image asked for, a Service for its port, and envFrom of its Secret',
  withSample(async (root) => {
    const model = scanRepository([root]);
    const input: ScaffoldInput = {
      model,
      cluster: 'homelab',
      target: targetKey(model, 'apps'),
      name: 'whoami',
      workload: {
        kind: 'helm',
        source: { new: { type: 'helm', name: 'bjw-s', url: 'https://bjw-s-labs.github.io/helm-charts' } },
        chart: 'app-template',
        version: '4.1.1',
        container: { image: 'ghcr.io/traefik/whoami:v1.10', port: 80 },
      },
      secret: { data: { WHOAMI_NAME: 'sample' } },
    };
    const planned = await planScaffold(input);
    assert.ok(planned.ok, JSON.stringify(!planned.ok && planned.issues));
    const release = docsOf(file(planned.plan.create, planned.plan.mainFile).content)[0];
    const spec = release.spec as Record<string, unknown>;
    assert.deepEqual(spec.values, {
      controllers: {
        whoami: {
          containers: {
            app: {
              image: { repository: 'ghcr.io/traefik/whoami', tag: 'v1.10' },
              envFrom: [{ secretRef: { name: 'whoami-env' } }],
            },
          },
        },
      },
      service: { app: { controller: 'whoami', ports: { http: { port: 80 } } } },
    });
    assert.equal(spec.valuesFrom, undefined);
    const secret = planned.plan.create.find(isSecretFile);
    assert.ok(secret && /name: whoami-env/.test(secret.plaintext));

    // Without a tag the image is refused (app-template needs one).
    const untagged = await planScaffold({
      ...input,
      workload: {
        ...input.workload,
        container: { image: 'ghcr.io/traefik/whoami' },
      } as ScaffoldInput['workload'],
    });
    assert.ok(!untagged.ok && untagged.issues.some((i) => i.field === 'image'), JSON.stringify(untagged));
  }),
);

test('another chart reads its Secret through valuesFrom, one entry per key', async () => {
  const repo = copyOwn();
  try {
    const model = scanRepository([repo.root]);
    const c = listTargets(model).find((x) => x.cluster === repo.cluster)!;
    const planned = await planScaffold({
      model,
      cluster: repo.cluster,
      target: c.targets.find((t) => t.name === 'apps')!.key,
      name: 'metrics',
      workload: {
        kind: 'helm',
        source: { existing: { kind: 'HelmRepository', name: 'app-charts', namespace: 'flux-system' } },
        chart: 'metrics-server',
        version: '3.x',
      },
      secret: { data: { token: 'x', 'auth.password': 'y' } },
      allowPlaintextSecret: true,
    });
    assert.ok(planned.ok, JSON.stringify(!planned.ok && planned.issues));
    const release = docsOf(file(planned.plan.create, planned.plan.mainFile).content)[0];
    assert.deepEqual((release.spec as Record<string, unknown>).valuesFrom, [
      { kind: 'Secret', name: 'metrics-env', valuesKey: 'token', targetPath: 'token' },
      { kind: 'Secret', name: 'metrics-env', valuesKey: 'auth.password', targetPath: 'auth.password' },
    ]);
    assert.match(planned.plan.notes.join('\n'), /targetPath/);
  } finally {
    removeTemp(repo.root);
  }
});

test('the parent entry follows the sibling folders: podinfo, podinfo/, ./podinfo', () => {
  const k = (items: string[]) => `resources:\n${items.map((i) => `  - ${i}\n`).join('')}`;
  assert.equal(folderEntry(k(['podinfo', 'redis']), 'api'), 'api');
  assert.equal(folderEntry(k(['valkey/', 'nexus/']), 'api'), 'api/');
  assert.equal(folderEntry(k(['./a', './b']), 'api'), './api');
  assert.equal(folderEntry(k(['./a/', './b/']), 'api'), './api/');
  assert.equal(folderEntry(k(['repos.yaml', 'a', 'b']), 'api'), 'api', 'files do not count');
  assert.equal(folderEntry(k(['repos.yaml']), 'api'), 'api/', 'no folder listed: api/');
  assert.equal(folderEntry('kind: Kustomization\n', 'api'), 'api/');
});
