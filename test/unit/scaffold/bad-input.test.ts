// Wrong input and failing writes: clear messages, and the repository left byte-identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  applyPlan,
  listTargets,
  nodeScaffoldFs,
  planScaffold,
  ScaffoldWriteError,
  type ScaffoldFs,
  type ScaffoldInput,
} from '../../../src/core/scaffold';
import type { RepoModel } from '../../../src/core/repo';
import {
  copyOwn,
  removeTemp,
  scan,
  snapshot,
  sopsFor,
  testKey,
  writeSopsConfig,
  type TestRepo,
} from './helpers';

function appsKey(model: RepoModel): string {
  return listTargets(model)[0].targets.find((t) => t.name === 'apps')!.key;
}

function input(model: RepoModel, over: Partial<ScaffoldInput> = {}): ScaffoldInput {
  return {
    model,
    cluster: 'demo',
    target: appsKey(model),
    name: 'api',
    workload: { kind: 'plain', image: 'ghcr.io/example/api:1.0.0', port: 8080 },
    ...over,
  };
}

async function issuesOf(i: ScaffoldInput): Promise<string[]> {
  const r = await planScaffold(i);
  assert.ok(!r.ok, 'the plan was refused');
  return r.issues.map((x) => `${x.field}: ${x.message}`);
}

function withRepo(fn: (repo: TestRepo, model: RepoModel) => Promise<void>): () => Promise<void> {
  return async () => {
    const repo = copyOwn();
    try {
      await fn(repo, scan(repo));
    } finally {
      removeTemp(repo.root);
    }
  };
}

test(
  'invalid names are refused with the reason',
  withRepo(async (repo, model) => {
    const snap = snapshot(repo.root);
    const cases: Array<[string, RegExp]> = [
      ['', /app name is empty/],
      ['My-App', /must be lower case \("my-app"\)/],
      ['my_app', /may only hold a-z, 0-9 and "-"/],
      ['-api', /must start and end with a letter or a digit/],
      ['api-', /must start and end/],
      ['a'.repeat(64), /64 characters; at most 63/],
      ['../escape', /may only hold/],
      ['a/b', /may only hold/],
      ['.', /may only hold/],
    ];
    for (const [name, re] of cases) {
      const issues = await issuesOf(input(model, { name }));
      assert.ok(
        issues.some((i) => i.startsWith('name: ') && re.test(i)),
        `${name}: ${issues.join(' | ')}`,
      );
    }
    assert.match(
      (await issuesOf(input(model, { namespace: 'Bad NS' }))).join('\n'),
      /namespace: The namespace/,
    );
    assert.deepEqual(snapshot(repo.root), snap);
  }),
);

test(
  'names already used in the target, elsewhere in the cluster, or on disk are refused',
  withRepo(async (repo, model) => {
    assert.match((await issuesOf(input(model, { name: 'cache' }))).join('\n'), /name: .*already exists/);
    // dns is an app of infra: the same name in apps would clash in the cluster.
    assert.match(
      (await issuesOf(input(model, { name: 'dns' }))).join('\n'),
      /"dns" is already an app of infra/,
    );
    // A folder on disk that no kustomization lists yet.
    fs.mkdirSync(path.join(repo.clusterDir, 'apps', 'draft'));
    assert.match((await issuesOf(input(model, { name: 'draft' }))).join('\n'), /apps\/draft already exists/);
  }),
);

function helmFor(_name: string) {
  return {
    source: { existing: { kind: 'HelmRepository' as const, name: 'app-charts', namespace: 'flux-system' } },
    chart: 'app-template',
    version: '4.1.1',
  };
}

test(
  'a workload object of the same name in the namespace is refused; an existing namespace is reused',
  withRepo(async (repo) => {
    const web = path.join(repo.clusterDir, 'apps', 'web');
    fs.writeFileSync(
      path.join(web, 'worker.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: web\n',
    );
    fs.appendFileSync(path.join(web, 'kustomization.yaml'), '  - worker.yaml\n');
    const model = scan(repo);
    assert.match(
      (await issuesOf(input(model, { namespace: 'web' }))).join('\n'),
      /name: A Deployment web\/api already exists \(.*worker\.yaml:1\)/,
    );
    const r = await planScaffold(
      input(model, { name: 'dns-2', namespace: 'dns', workload: { kind: 'helm', ...helmFor('dns') } }),
    );
    assert.ok(r.ok, 'another release in an existing namespace is fine');
    assert.deepEqual(
      r.plan.create.map((f) => path.basename(f.path)),
      ['release.yaml', 'kustomization.yaml'],
    );
  }),
);

test(
  'bad workload input: unknown source, bad chart/version/image/port, bad source URL',
  withRepo(async (_repo, model) => {
    const text = async (w: ScaffoldInput['workload']) =>
      (await issuesOf(input(model, { workload: w }))).join('\n');
    assert.match(
      await text({
        kind: 'helm',
        source: { existing: { kind: 'HelmRepository', name: 'nope', namespace: 'flux-system' } },
        chart: 'x',
        version: '1.0.0',
      }),
      /source: There is no HelmRepository flux-system\/nope in cluster demo/,
    );
    assert.match(await text({ kind: 'helm', ...helmFor('x'), chart: '' }), /chart: The chart name is empty/);
    assert.match(await text({ kind: 'helm', ...helmFor('x'), version: '1.0\nx: y' }), /version: /);
    assert.match(await text({ kind: 'plain', image: 'Not An Image' }), /image: /);
    assert.match(await text({ kind: 'plain', image: 'nginx:1.27', port: 70000 }), /port: Port 70000/);
    assert.match(
      await text({
        kind: 'helm',
        source: { new: { type: 'helm', name: 'app-charts', url: 'ftp://x' } },
        chart: 'c',
        version: '1.0.0',
      }),
      /A HelmRepository flux-system\/app-charts already exists[\s\S]*https:\/\//,
    );
  }),
);

test(
  'a secret without a .sops.yaml rule is refused; with explicit consent it is written in plaintext',
  withRepo(async (repo, model) => {
    fs.rmSync(path.join(repo.root, 'flux', '.sops.yaml'));
    const snap = snapshot(repo.root);
    const secret = { data: { TOKEN: 'x' } };
    assert.match(
      (await issuesOf(input(model, { secret }))).join('\n'),
      /secret: No \.sops\.yaml at or above/,
    );
    assert.deepEqual(snapshot(repo.root), snap);
    // A .sops.yaml whose rules do not cover the file.
    fs.writeFileSync(
      path.join(repo.root, 'flux', '.sops.yaml'),
      "creation_rules:\n  - path_regex: 'nothing/.*'\n    age: ['age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq']\n",
    );
    assert.match((await issuesOf(input(model, { secret }))).join('\n'), /No creation rule in .* matches/);
    const r = await planScaffold(input(model, { secret, allowPlaintextSecret: true }));
    assert.ok(r.ok);
    assert.match(r.plan.notes.join('\n'), /plaintext, as confirmed/);
    await applyPlan(r.plan, { encrypt: () => Promise.reject(new Error('must not be called')) });
    assert.match(
      fs.readFileSync(path.join(repo.clusterDir, 'apps', 'api', 'secrets.yaml'), 'utf8'),
      /TOKEN: x/,
    );
  }),
);

test(
  'when encryption fails nothing is written',
  withRepo(async (repo, model) => {
    const r = await planScaffold(input(model, { secret: { data: { TOKEN: 'x' } } }));
    assert.ok(r.ok);
    const snap = snapshot(repo.root);
    await assert.rejects(
      applyPlan(r.plan, { encrypt: () => Promise.reject(new Error('no age recipient')) }),
      /no age recipient/,
    );
    await assert.rejects(
      applyPlan(r.plan, { encrypt: (_p, text) => Promise.resolve(text) }),
      /did not produce a SOPS file; nothing was written/,
    );
    assert.deepEqual(snapshot(repo.root), snap);
  }),
);

/** The node file system, failing the Nth change (mkdir, write, move, replace). */
function failingFs(n: number): ScaffoldFs & { count: number } {
  const f = {
    ...nodeScaffoldFs,
    count: 0,
  };
  const hook =
    <A extends unknown[]>(op: (...a: A) => Promise<void>) =>
    async (...a: A) => {
      f.count++;
      if (f.count === n)
        throw Object.assign(new Error(`EIO: injected failure of change ${n}`), { code: 'EIO' });
      await op(...a);
    };
  f.mkdir = hook(nodeScaffoldFs.mkdir);
  f.writeNew = hook(nodeScaffoldFs.writeNew);
  f.moveNew = hook(nodeScaffoldFs.moveNew);
  f.replace = hook(nodeScaffoldFs.replace);
  return f;
}

test('a write failing at any step leaves the repository byte-identical', async (t) => {
  const key = testKey();
  if (!key) {
    t.skip('age-keygen is not installed');
    return;
  }
  const repo = copyOwn();
  try {
    writeSopsConfig(repo, key);
    const sops = sopsFor(repo, key);
    const model = scan(repo);
    // A new source too, so that two kustomization.yaml files are edited.
    const r = await planScaffold(
      input(model, {
        workload: {
          kind: 'helm',
          source: { new: { type: 'helm', name: 'extra', url: 'https://charts.example.invalid/extra' } },
          chart: 'c',
          version: '1.0.0',
        },
        secret: { data: { TOKEN: 'x' } },
      }),
    );
    assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
    assert.equal(r.plan.edit.length, 2);
    const encrypt = (p: string, text: string) => sops.encryptText(p, text, { root: repo.root });
    const snap = snapshot(repo.root);
    // Count the changes of a successful run, then fail each one in turn.
    const probe = failingFs(0);
    const ok = await applyPlan(r.plan, { encrypt, fs: probe });
    const changes = probe.count;
    await ok.undo();
    assert.deepEqual(snapshot(repo.root), snap);
    // The app folder, 5 temporary files, 5 moves into place, 2 kustomization.yaml edits.
    assert.equal(changes, 1 + 5 + 5 + 2);
    for (let n = 1; n <= changes; n++) {
      const err: unknown = await applyPlan(r.plan, { encrypt, fs: failingFs(n) }).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof ScaffoldWriteError, `change ${n}: ${String(err)}`);
      assert.match(err.message, new RegExp(`injected failure of change ${n}\\); nothing was left behind`));
      assert.deepEqual(err.rollbackErrors, []);
      assert.deepEqual(snapshot(repo.root), snap, `change ${n} left something behind`);
    }
  } finally {
    removeTemp(repo.root);
  }
});

test(
  'a file that appeared or a kustomization.yaml changed since planning stops the write',
  withRepo(async (repo, model) => {
    const r = await planScaffold(input(model));
    assert.ok(r.ok);
    const parent = path.join(repo.clusterDir, 'apps', 'kustomization.yaml');
    const text = fs.readFileSync(parent, 'utf8');
    fs.writeFileSync(parent, text + '# edited\n');
    let snap = snapshot(repo.root);
    await assert.rejects(
      applyPlan(r.plan, { encrypt: async (_p, t) => t }),
      /changed since the plan was made/,
    );
    assert.deepEqual(snapshot(repo.root), snap);
    fs.writeFileSync(parent, text);
    fs.mkdirSync(r.plan.appFolder);
    fs.writeFileSync(path.join(r.plan.appFolder, 'deployment.yaml'), 'mine\n');
    snap = snapshot(repo.root);
    await assert.rejects(
      applyPlan(r.plan, { encrypt: async (_p, t) => t }),
      /already exists; nothing was written/,
    );
    assert.deepEqual(snapshot(repo.root), snap);
  }),
);

test(
  'undo refuses to drop changes made after writing, unless forced',
  withRepo(async (repo, model) => {
    const snap = snapshot(repo.root);
    const r = await planScaffold(input(model));
    assert.ok(r.ok);
    const applied = await applyPlan(r.plan, { encrypt: async (_p, t) => t });
    fs.appendFileSync(r.plan.mainFile, '# my change\n');
    await assert.rejects(applied.undo(), /was changed after it was written/);
    await applied.undo({ force: true });
    assert.deepEqual(snapshot(repo.root), snap);
  }),
);
