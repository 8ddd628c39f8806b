// Scaffolds apps into temp copies of the project's superbloom-like fixture and of the user's real
// repository, writes them with the real SOPS engine and an age key made now, and checks the result
// with the repository model: the app is where Flux applies it, and no problem appears.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RepoModel } from '../../../src/core/repo';
import {
  applyPlan,
  isOneLineInsertion,
  isSecretFile,
  listSources,
  listTargets,
  planScaffold,
  type HelmWorkload,
  type PlainWorkload,
  type ScaffoldInput,
  type ScaffoldPlan,
} from '../../../src/core/scaffold';
import {
  checkSchema,
  copyOwn,
  copyUser,
  docsOf,
  loadSchema,
  problemSet,
  removeTemp,
  scan,
  snapshot,
  sopsFor,
  testKey,
  userFixture,
  writeSopsConfig,
  type TestRepo,
} from './helpers';

type Which = 'own' | 'user';

function prepare(t: TestContext, which: Which): TestRepo | null {
  if (which === 'user' && !fs.existsSync(userFixture)) {
    t.skip(`the user's repository is absent (${userFixture}); nothing to copy`);
    return null;
  }
  return which === 'own' ? copyOwn() : copyUser();
}

function targetKey(model: RepoModel, cluster: string, name: string): string {
  const c = listTargets(model).find((x) => x.cluster === cluster)!;
  const target = c.targets.find((x) => x.name === name);
  assert.ok(target, `target ${name} in ${c.targets.map((x) => x.name).join(', ')}`);
  return target.key;
}

function appsOf(model: RepoModel, key: string): string[] {
  return model.kustomizations.get(key)!.entries.map((e) => e.name);
}

const helm = (chart = 'app-template', version = '4.1.1'): HelmWorkload => ({
  kind: 'helm',
  source: { existing: { kind: 'HelmRepository', name: 'SOURCE', namespace: 'flux-system' } },
  chart,
  version,
  values: {
    controllers: {
      main: { containers: { main: { image: { repository: 'ghcr.io/example/api', tag: '1.0.0' } } } },
    },
  },
});
const plain: PlainWorkload = { kind: 'plain', image: 'ghcr.io/example/api:1.0.0', port: 8080 };

const SOURCE = { own: 'app-charts', user: 'bjw-s' };

interface Case {
  which: Which;
  form: 'helm' | 'plain';
  secret: boolean;
  target: 'apps' | 'infra';
}

const cases: Case[] = [];
for (const which of ['own', 'user'] as const)
  for (const form of ['helm', 'plain'] as const)
    for (const secret of [false, true])
      cases.push({ which, form, secret, target: secret ? 'infra' : 'apps' });

for (const c of cases) {
  test(`${c.which === 'own' ? 'superbloom-like' : 'superbloom-2025-12'}: ${c.form} app${
    c.secret ? ' with an encrypted secret' : ''
  } in ${c.target}`, async (t) => {
    const key = testKey();
    if (!key) {
      t.skip('age-keygen is not installed (bash test/env/install.sh)');
      return;
    }
    const repo = prepare(t, c.which);
    if (!repo) return;
    try {
      writeSopsConfig(repo, key);
      const sops = sopsFor(repo, key);
      const before = scan(repo);
      const target = targetKey(before, repo.cluster, c.target);
      const targetFolder = before.kustomizations.get(target)!.resolvedPath;
      const parentFile = path.join(targetFolder, 'kustomization.yaml');
      const parentBefore = fs.readFileSync(parentFile, 'utf8');
      const workload = c.form === 'helm' ? helm() : plain;
      if (workload.kind === 'helm' && 'existing' in workload.source)
        workload.source.existing.name = SOURCE[c.which];
      const input: ScaffoldInput = {
        model: before,
        cluster: repo.cluster,
        target,
        name: 'api',
        workload,
        secret: c.secret
          ? { data: { API_TOKEN: 'tok-3f9a-plaintext', 'db.password': 'pw with spaces' } }
          : undefined,
      };
      const planned = await planScaffold(input);
      assert.ok(planned.ok, JSON.stringify(!planned.ok && planned.issues));
      const plan = planned.plan;
      const secretFiles = plan.create.filter(isSecretFile);
      assert.equal(secretFiles.length, c.secret ? 1 : 0);
      for (const f of plan.create)
        if (!isSecretFile(f))
          assert.ok(!f.content.includes('tok-3f9a'), 'no plaintext outside the secret file');

      const untouched = snapshot(repo.root);
      const applied = await applyPlan(plan, {
        encrypt: (p, text) => sops.encryptText(p, text, { root: repo.root }),
      });
      const mainFile = path.join(targetFolder, 'api', c.form === 'helm' ? 'release.yaml' : 'deployment.yaml');
      assert.equal(plan.mainFile, mainFile);
      assert.ok(fs.existsSync(mainFile));

      // The app is under the right Flux Kustomization and nothing new is wrong.
      const after = scan(repo);
      assert.ok(appsOf(after, target).includes('api'), appsOf(after, target).join(', '));
      assert.deepEqual(problemSet(after), problemSet(before));
      assert.deepEqual(after.orphans, before.orphans);
      const ours = after.objects.filter((o) => o.file.startsWith(path.join(targetFolder, 'api') + path.sep));
      assert.ok(ours.every((o) => o.appliedBy.includes(target)));
      const kinds = ours.map((o) => o.kind).sort();
      const expected = [
        'Namespace',
        ...(c.form === 'helm' ? ['HelmRelease'] : ['Deployment', 'Service']),
        ...(c.secret ? ['Secret'] : []),
      ].sort();
      assert.deepEqual(kinds, expected);
      assert.ok(ours.every((o) => o.kind === 'Namespace' || o.namespace === 'api'));

      // The parent kustomization.yaml differs by the added line only.
      const parentAfter = fs.readFileSync(parentFile, 'utf8');
      assert.ok(isOneLineInsertion(parentBefore, parentAfter), parentAfter);
      assert.ok(/^ *- api\/$/m.test(parentAfter));
      assert.deepEqual(
        applied.edited.map((e) => e.path),
        [parentFile],
      );

      // The secret is encrypted on disk and decrypts with the test key.
      if (c.secret) {
        const file = path.join(targetFolder, 'api', 'secrets.yaml');
        const text = fs.readFileSync(file, 'utf8');
        assert.ok(!text.includes('tok-3f9a') && !text.includes('pw with spaces'), 'no plaintext on disk');
        assert.ok(sops.isEncrypted(text, file));
        assert.equal(after.objects.find((o) => o.kind === 'Secret' && o.file === file)?.sops, 'encrypted');
        const plainText = await sops.decryptText(file, text, { root: repo.root });
        const secret = docsOf(plainText)[0];
        assert.deepEqual(secret.stringData, {
          API_TOKEN: 'tok-3f9a-plaintext',
          'db.password': 'pw with spaces',
        });
        assert.deepEqual(secret.metadata, { name: 'api-env', namespace: 'api' });
        if (c.form === 'plain')
          assert.match(fs.readFileSync(mainFile, 'utf8'), /secretRef:\n\s+name: api-env/);
      }

      // The HelmRelease fits the Flux CRD schema (when the schemas were generated).
      if (c.form === 'helm') {
        const schema = loadSchema('helmrelease-helm-v2.json');
        if (!schema) t.diagnostic('dist/schemas absent (node scripts/gen-schemas.mjs): schema check skipped');
        else assert.deepEqual(checkSchema(schema, docsOf(fs.readFileSync(mainFile, 'utf8'))[0]), []);
      }

      // Undo puts every byte back.
      await applied.undo();
      assert.ok(!fs.existsSync(path.join(targetFolder, 'api')));
      assert.deepEqual(snapshot(repo.root), untouched);
    } finally {
      removeTemp(repo.root);
    }
  });
}

test('superbloom-2025-12: a new HelmRepository goes next to bjw-s.yaml in infra and is listed there', async (t) => {
  const repo = prepare(t, 'user');
  if (!repo) return;
  try {
    const before = scan(repo);
    const infra = path.join(repo.clusterDir, 'infra');
    const kBefore = fs.readFileSync(path.join(infra, 'kustomization.yaml'), 'utf8');
    const planned = await planScaffold({
      model: before,
      cluster: repo.cluster,
      target: targetKey(before, repo.cluster, 'apps'),
      name: 'podinfo',
      workload: {
        kind: 'helm',
        source: { new: { type: 'helm', name: 'podinfo', url: 'https://stefanprodan.github.io/podinfo' } },
        chart: 'podinfo',
        version: '6.9.2',
      },
    });
    assert.ok(planned.ok, JSON.stringify(!planned.ok && planned.issues));
    const repoFile = path.join(infra, 'podinfo.yaml');
    const src = planned.plan.create.find((f) => f.path === repoFile);
    assert.ok(src && !isSecretFile(src));
    const doc = docsOf(src.content)[0];
    assert.deepEqual(doc, {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      spec: { interval: '30m', url: 'https://stefanprodan.github.io/podinfo' },
    });
    await applyPlan(planned.plan, { encrypt: () => Promise.reject(new Error('no secret here')) });
    const kAfter = fs.readFileSync(path.join(infra, 'kustomization.yaml'), 'utf8');
    assert.ok(isOneLineInsertion(kBefore, kAfter), kAfter);
    assert.match(kAfter, /- cnpg-operator\.yaml\n\s+- podinfo\.yaml\n\s+- caddy\//);
    const after = scan(repo);
    assert.deepEqual(problemSet(after), problemSet(before));
    const hr = after.objects.find((o) => o.kind === 'HelmRepository' && o.name === 'podinfo');
    assert.ok(hr && hr.appliedBy.includes(targetKey(after, repo.cluster, 'infra')));
    const release = docsOf(
      fs.readFileSync(path.join(repo.clusterDir, 'apps', 'podinfo', 'release.yaml'), 'utf8'),
    )[0];
    assert.deepEqual((release.spec as { chart: unknown }).chart, {
      spec: {
        chart: 'podinfo',
        version: '6.9.2',
        sourceRef: { kind: 'HelmRepository', name: 'podinfo', namespace: 'flux-system' },
      },
    });
    const schema = loadSchema('helmrepository-source-v1.json');
    if (schema) assert.deepEqual(checkSchema(schema, doc), []);
  } finally {
    removeTemp(repo.root);
  }
});

test('superbloom-like: an OCI chart gets an OCIRepository and a HelmRelease with chartRef', async (t) => {
  const repo = prepare(t, 'own');
  if (!repo) return;
  try {
    const before = scan(repo);
    const planned = await planScaffold({
      model: before,
      cluster: repo.cluster,
      target: targetKey(before, repo.cluster, 'apps'),
      name: 'podinfo',
      workload: {
        kind: 'helm',
        source: { new: { type: 'oci', name: 'podinfo', url: 'oci://ghcr.io/stefanprodan/charts' } },
        chart: 'podinfo',
        version: '6.9.2',
      },
    });
    assert.ok(planned.ok, JSON.stringify(!planned.ok && planned.issues));
    await applyPlan(planned.plan, { encrypt: () => Promise.reject(new Error('no secret here')) });
    const oci = docsOf(fs.readFileSync(path.join(repo.clusterDir, 'infra', 'podinfo.yaml'), 'utf8'))[0];
    assert.equal(oci.kind, 'OCIRepository');
    assert.deepEqual((oci.spec as Record<string, unknown>).url, 'oci://ghcr.io/stefanprodan/charts/podinfo');
    assert.deepEqual((oci.spec as Record<string, unknown>).ref, { tag: '6.9.2' });
    const release = docsOf(fs.readFileSync(planned.plan.mainFile, 'utf8'))[0];
    assert.deepEqual((release.spec as Record<string, unknown>).chartRef, {
      kind: 'OCIRepository',
      name: 'podinfo',
      namespace: 'flux-system',
    });
    const after = scan(repo);
    assert.deepEqual(problemSet(after), problemSet(before));
    for (const [file, value] of [
      ['helmrelease-helm-v2.json', release],
      ['ocirepository-source-v1.json', oci],
    ] as const) {
      const schema = loadSchema(file);
      if (schema) assert.deepEqual(checkSchema(schema, value), [], file);
    }
  } finally {
    removeTemp(repo.root);
  }
});

test('superbloom-2025-12: an app in an existing namespace (nexus) gets no ns.yaml, as nexus-worker', async (t) => {
  const repo = prepare(t, 'user');
  if (!repo) return;
  try {
    const before = scan(repo);
    const planned = await planScaffold({
      model: before,
      cluster: repo.cluster,
      target: targetKey(before, repo.cluster, 'apps'),
      name: 'nexus-api',
      namespace: 'nexus',
      workload: {
        ...helm(),
        source: { existing: { kind: 'HelmRepository', name: 'bjw-s', namespace: 'flux-system' } },
      },
    });
    assert.ok(planned.ok, JSON.stringify(!planned.ok && planned.issues));
    const plan: ScaffoldPlan = planned.plan;
    assert.deepEqual(
      plan.create.map((f) => path.basename(f.path)),
      ['release.yaml', 'kustomization.yaml'],
    );
    assert.match(plan.notes.join('\n'), /Namespace nexus already exists/);
    await applyPlan(plan, { encrypt: () => Promise.reject(new Error('unused')) });
    assert.deepEqual(problemSet(scan(repo)), problemSet(before));
  } finally {
    removeTemp(repo.root);
  }
});

test('superbloom-like: an existing OCIRepository is offered and referenced with chartRef', async (t) => {
  const repo = prepare(t, 'own');
  if (!repo) return;
  try {
    const infra = path.join(repo.clusterDir, 'infra');
    fs.writeFileSync(
      path.join(infra, 'podinfo-oci.yaml'),
      'apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: podinfo\n  namespace: flux-system\n' +
        'spec:\n  interval: 30m\n  url: oci://ghcr.io/stefanprodan/charts/podinfo\n  ref:\n    tag: 6.9.2\n',
    );
    fs.appendFileSync(path.join(infra, 'kustomization.yaml'), '  - podinfo-oci.yaml\n');
    const before = scan(repo);
    const sources = listSources(before, repo.cluster);
    const oci = sources.find((s) => s.kind === 'OCIRepository');
    assert.deepEqual(oci && [oci.name, oci.url, oci.usedBy], [
      'podinfo',
      'oci://ghcr.io/stefanprodan/charts/podinfo',
      0,
    ]);
    const planned = await planScaffold({
      model: before,
      cluster: repo.cluster,
      target: targetKey(before, repo.cluster, 'apps'),
      name: 'podinfo',
      workload: { kind: 'helm', source: { existing: oci! }, chart: '', version: '' },
    });
    assert.ok(planned.ok, JSON.stringify(!planned.ok && planned.issues));
    await applyPlan(planned.plan, { encrypt: () => Promise.reject(new Error('unused')) });
    const release = docsOf(fs.readFileSync(planned.plan.mainFile, 'utf8'))[0];
    assert.deepEqual((release.spec as Record<string, unknown>).chartRef, {
      kind: 'OCIRepository',
      name: 'podinfo',
      namespace: 'flux-system',
    });
    const after = scan(repo);
    assert.deepEqual(problemSet(after), problemSet(before));
    assert.equal(listSources(after, repo.cluster).find((s) => s.kind === 'OCIRepository')?.usedBy, 1);
  } finally {
    removeTemp(repo.root);
  }
});
