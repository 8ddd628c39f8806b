// "Diff with cluster" against a real kube-apiserver, the real Flux controllers and the real flux
// CLI: the controllers apply a repository first (with a SOPS Secret they decrypt with an age key
// made now), then the working tree changes a replica count, adds an object, removes one and adds
// a key to the Secret, and the diff must show exactly those, with no Secret value on either side.
// Needs `bash test/env/install.sh` first (flux, sops, age-keygen, the controllers).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import {
  createObjectReader,
  diffKustomization,
  locateFluxCli,
  parseFluxDiffOutput,
  renderKustomization,
  type DiffOutcome,
  type FluxCli,
  type KustomizationTarget,
} from '../../src/core/clusterDiff';
import { runProcess } from '../../src/core/process';
import { Cluster, startCluster } from '../env/cluster';
import type { GitRepo } from '../env/flux';
import { binPath } from '../env/paths';

const NS = 'flux-system';
const WAIT_MS = 180_000;
const SECRET_VALUES = ['s3cr3t-initial', 'n3w-t0ken-value'];

const deployment = (replicas: number) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:\n  name: web\n  namespace: apps',
    `spec:\n  replicas: ${replicas}`,
    '  selector:\n    matchLabels:\n      app: web',
    '  template:\n    metadata:\n      labels:\n        app: web',
    '    spec:\n      containers:\n        - name: web\n          image: nginx:1.27',
    '',
  ].join('\n');
const configMap = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: apps\ndata:\n  a: "1"\n`;
const kustomizationFile = [
  'apiVersion: kustomize.toolkit.fluxcd.io/v1',
  'kind: Kustomization',
  `metadata:\n  name: apps\n  namespace: ${NS}`,
  'spec:\n  interval: 10m\n  path: ./apps\n  prune: true',
  '  sourceRef:\n    kind: GitRepository\n    name: fleet',
  '  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age',
  '',
].join('\n');

/** Lines of `a` not in `b` (as multisets would be overkill here: the sides have no repeated lines that matter). */
const linesOnlyIn = (a: string, b: string) => {
  const other = new Set(b.split('\n'));
  return a.split('\n').filter((line) => !other.has(line));
};

void describe('Diff with cluster (real apiserver, real Flux, real flux CLI)', () => {
  let cluster: Cluster;
  let repo: GitRepo;
  let cli: FluxCli;
  let target: KustomizationTarget;
  let env: NodeJS.ProcessEnv;
  let recipient: string;

  const sopsEncrypt = (plain: string): string => {
    const file = join(repo.workTree, 'apps', 'secret.yaml');
    repo.write({ 'apps/secret.yaml': plain });
    return execFileSync(
      binPath('sops'),
      ['--encrypt', '--age', recipient, '--encrypted-regex', '^(data|stringData)$', file],
      { encoding: 'utf8', env: { PATH: process.env.PATH, SOPS_DISABLE_VERSION_CHECK: '1' }, timeout: 30_000 },
    );
  };
  const secret = (entries: Record<string, string>) =>
    'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: apps\nstringData:\n' +
    Object.entries(entries)
      .map(([k, v]) => `  ${k}: ${v}\n`)
      .join('');

  before(
    async () => {
      const t0 = Date.now();
      cluster = await startCluster({ flux: true, namespaces: ['apps'] });
      console.log(`# cluster and Flux started in ${Date.now() - t0} ms`);
      const flux = cluster.fluxEnv!;
      const keyFile = join(cluster.dir, 'age.agekey');
      execFileSync(binPath('age-keygen'), ['-o', keyFile], { timeout: 20_000, stdio: 'ignore' });
      recipient = /# public key: (age1[0-9a-z]+)/.exec(readFileSync(keyFile, 'utf8'))![1];

      repo = await flux.createRepo('fleet', {
        'apps/kustomization.yaml': 'resources:\n  - deploy.yaml\n  - old.yaml\n  - secret.yaml\n',
        'apps/deploy.yaml': deployment(1),
        'apps/old.yaml': configMap('old'),
        'clusters/apps.yaml': kustomizationFile,
      });
      repo.write({ 'apps/secret.yaml': sopsEncrypt(secret({ password: SECRET_VALUES[0] })) });
      await repo.commitAndPush('encrypted secret');

      const kc = cluster.kubeConfig('admin');
      const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
      await objects.create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'sops-age', namespace: NS },
        stringData: { 'age.agekey': readFileSync(keyFile, 'utf8') },
      } as k8s.KubernetesObject);
      await objects.create({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: { name: 'fleet', namespace: NS },
        spec: { interval: '10m', url: repo.url, ref: { branch: 'main' } },
      } as k8s.KubernetesObject);
      const ks = (await import('yaml')).parse(kustomizationFile) as k8s.KubernetesObject;
      await objects.create(ks);

      const deadline = Date.now() + WAIT_MS;
      let last: unknown;
      for (;;) {
        flux.assertRunning();
        const live = (await objects.read({
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: 'apps', namespace: NS },
        })) as { status?: { conditions?: { type: string; status: string }[]; inventory?: unknown } };
        last = live.status;
        if (live.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) break;
        if (Date.now() > deadline) {
          throw new Error(
            `Kustomization apps never Ready: ${JSON.stringify(last, null, 2)}\n${flux.logTail(15)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      console.log(
        `# applied by kustomize-controller: ${JSON.stringify((last as { inventory?: unknown }).inventory)}`,
      );

      // The working tree, not pushed: what "Diff with cluster" is asked about.
      repo.write({
        'apps/deploy.yaml': deployment(3),
        'apps/new.yaml': configMap('new'),
        'apps/kustomization.yaml': 'resources:\n  - deploy.yaml\n  - new.yaml\n  - secret.yaml\n',
      });
      repo.remove(['apps/old.yaml']);
      repo.write({
        'apps/secret.yaml': sopsEncrypt(
          secret({ password: SECRET_VALUES[0], 'api-token': SECRET_VALUES[1] }),
        ),
      });

      const lookup = await locateFluxCli({
        configuredPath: binPath('flux'),
        run: runProcess,
      });
      assert.equal(lookup.kind, 'found', JSON.stringify(lookup));
      cli = (lookup as { cli: FluxCli }).cli;
      env = { ...process.env, KUBECONFIG: cluster.kubeconfig };
      target = {
        name: 'apps',
        namespace: NS,
        cwd: repo.workTree,
        path: join(repo.workTree, 'apps'),
        kustomizationFile: join(repo.workTree, 'clusters', 'apps.yaml'),
        context: 'admin',
      };
    },
    { timeout: 300_000 },
  );

  after(async () => {
    await cluster?.stop();
  });

  test('the real flux CLI is found, its version read and its in-memory build detected', () => {
    assert.match(cli.version, /^2\.9\.\d+$/);
    assert.equal(cli.inMemoryBuild, true);
  });

  test('the parser reads what the real flux diff prints', async () => {
    const result = await runProcess(
      cli.path,
      [
        'diff',
        'kustomization',
        'apps',
        '-n',
        NS,
        '--path',
        './apps',
        '--kustomization-file',
        './clusters/apps.yaml',
        '--progress-bar=false',
        '--in-memory-build',
        '--context',
        'admin',
      ],
      { cwd: repo.workTree, env, timeoutMs: 120_000 },
    );
    assert.equal(result.kind, 'failed', 'flux diff exits 1 when something would change');
    const { stdout, stderr, code } = result as { stdout: string; stderr: string; code: number };
    assert.equal(code, 1, stderr);
    const changes = parseFluxDiffOutput(stdout);
    assert.deepEqual(
      changes.map((c) => `${c.action} ${c.subject.kind}/${c.subject.namespace}/${c.subject.name}`).sort(),
      [
        'created ConfigMap/apps/new',
        'deleted ConfigMap/apps/old',
        'drifted Deployment/apps/web',
        'drifted Secret/apps/db',
      ],
      stdout,
    );
    assert.match(
      changes.find((c) => c.subject.kind === 'Deployment')!.report,
      /spec\.replicas[\s\S]*- 1\n\+ 3/,
      stdout,
    );
    for (const value of SECRET_VALUES) assert.ok(!stdout.includes(value), `flux printed ${value}`);
  });

  test(
    'created, changed and pruned objects, each with both sides, nothing Flux ignores, Secrets masked',
    { timeout: 180_000 },
    async () => {
      const before = execFileSync('git', ['status', '--porcelain'], { cwd: repo.workTree, encoding: 'utf8' });
      const reader = await createObjectReader(cluster.kubeConfig('admin'));
      const t0 = Date.now();
      const outcome: DiffOutcome = await diffKustomization({ cli, target, env, reader });
      console.log(`# diff with cluster in ${Date.now() - t0} ms`);
      assert.equal(outcome.kind, 'diff', JSON.stringify(outcome));
      const { changes, built } = outcome as Extract<DiffOutcome, { kind: 'diff' }>;
      const shown = JSON.stringify(changes, null, 2);
      assert.equal(built, 3, shown);
      assert.deepEqual(
        changes.map((c) => `${c.action} ${c.subject}`),
        [
          'created ConfigMap/apps/new',
          'drifted Deployment/apps/web',
          'drifted Secret/apps/db',
          'deleted ConfigMap/apps/old',
        ],
        shown,
      );
      const [created, web, db, deleted] = changes;

      assert.equal(created.live, '');
      assert.match(created.wouldBe, /^kind: ConfigMap$/m);
      assert.match(created.wouldBe, /^ {2}name: new$/m);
      assert.equal(deleted.wouldBe, '');
      assert.match(deleted.live, /^ {2}name: old$/m);

      // The replica count and nothing else differs; both sides are the server's full objects.
      assert.deepEqual(linesOnlyIn(web.live, web.wouldBe), ['  replicas: 1'], shown);
      assert.deepEqual(linesOnlyIn(web.wouldBe, web.live), ['  replicas: 3'], shown);
      assert.match(web.live, /progressDeadlineSeconds: 600/, 'server defaults are on both sides');
      for (const side of [web.live, web.wouldBe, created.wouldBe, deleted.live]) {
        assert.doesNotMatch(
          side,
          /managedFields|resourceVersion|uid:|generation:|creationTimestamp|^status:|kustomize\.toolkit\.fluxcd\.io/m,
          side,
        );
      }

      // The Secret: its keys, never a value, in plain text or base64.
      for (const side of [db.live, db.wouldBe]) {
        for (const value of SECRET_VALUES) {
          assert.ok(!side.includes(value), `${value} shown:\n${side}`);
          assert.ok(
            !side.includes(Buffer.from(value).toString('base64')),
            `${value} (base64) shown:\n${side}`,
          );
        }
        assert.doesNotMatch(side, /ENC\[|sops:/, side);
      }
      assert.match(db.live, /^data:\n {2}password: "\*\*\*"\n/m, db.live);
      assert.match(db.wouldBe, /^data:\n {2}api-token: "\*\*\*"\n {2}password: "\*\*\*"\n/m, db.wouldBe);

      // flux built in memory: the working tree is as the test left it.
      assert.equal(
        execFileSync('git', ['status', '--porcelain'], { cwd: repo.workTree, encoding: 'utf8' }),
        before,
      );
    },
  );

  test('Build renders the working tree with every Secret value masked, also without a cluster', async () => {
    const rendered = await renderKustomization({
      cli,
      target: { ...target, context: undefined },
      dryRun: true,
      env: { PATH: process.env.PATH },
    });
    assert.equal(rendered.kind, 'rendered', JSON.stringify(rendered));
    const { yaml, count } = rendered as { yaml: string; count: number };
    assert.equal(count, 3, yaml);
    assert.match(yaml, /replicas: 3/);
    for (const value of SECRET_VALUES) assert.ok(!yaml.includes(value), yaml);
    assert.match(yaml, /api-token: "\*\*\*"/, yaml);
  });

  test('cancel ends flux and says so', async () => {
    const abort = new AbortController();
    const reader = await createObjectReader(cluster.kubeConfig('admin'));
    const running = diffKustomization({ cli, target, env, reader, signal: abort.signal });
    abort.abort();
    assert.deepEqual(await running, { kind: 'cancelled' });
  });
});
