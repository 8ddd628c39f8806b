// New App judged by flux itself: an app scaffolded into a copy of samples/homelab (a new chart
// source, an app-template release with its image and port, an encrypted Secret) and flux build
// of the cluster applies every new object, each by the Kustomization the model says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { scanRepository } from '../../src/core/repo';
import { applyPlan, listTargets, planScaffold } from '../../src/core/scaffold';
import { createSopsService } from '../../src/core/sops';
import { repoRoot } from '../unit/repo/helpers';
import { loadOracle } from './support';

const sample = path.join(repoRoot, 'samples', 'homelab');
const clusterPath = './flux/clusters/homelab';

test('an app New App writes into the sample is built by flux with its source, release, Secret and Namespace', async (t) => {
  let oracle;
  try {
    oracle = await loadOracle();
    oracle.fluxBinary();
  } catch (error) {
    t.skip(`no flux CLI: ${(error as Error).message}`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-new-app-'));
  try {
    fs.cpSync(sample, dir, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', dir]);
    const model = scanRepository([dir]);
    const cluster = listTargets(model).find((c) => c.cluster === 'homelab')!;
    const planned = await planScaffold({
      model,
      cluster: 'homelab',
      target: cluster.targets.find((x) => x.name === 'apps')!.key,
      name: 'whoami',
      workload: {
        kind: 'helm',
        source: { new: { type: 'helm', name: 'bjw-s', url: 'https://bjw-s-labs.github.io/helm-charts' } },
        chart: 'app-template',
        version: '4.1.1',
        container: { image: 'ghcr.io/traefik/whoami:v1.10', port: 80 },
      },
      secret: { data: { WHOAMI_NAME: 'conformance' } },
    });
    assert.ok(planned.ok, JSON.stringify(!planned.ok && planned.issues));
    const sops = createSopsService({
      env: { SOPS_AGE_KEY_FILE: path.join(dir, 'demo-age-key.txt') },
      homedir: dir,
      root: dir,
      allowProcesses: false,
    });
    await applyPlan(planned.plan, { encrypt: (p, text) => sops.encryptText(p, text, { root: dir }) });

    // The root Kustomization as bootstrap wrote it (gotk-sync.yaml's second document).
    const sync = fs.readFileSync(path.join(dir, clusterPath, 'flux-system', 'gotk-sync.yaml'), 'utf8');
    const root = parseAllDocuments(sync).find(
      (d) => (d.toJS() as { kind?: string })?.kind === 'Kustomization',
    );
    assert.ok(root, 'gotk-sync.yaml has a Kustomization');
    const rootFile = path.join(os.tmpdir(), `new-app-root-${process.pid}.yaml`);
    fs.writeFileSync(rootFile, root.toString());
    let built;
    try {
      built = await oracle.fluxBuild({
        name: 'flux-system',
        namespace: 'flux-system',
        path: path.join(dir, clusterPath),
        kustomizationFile: rootFile,
        localSources: [`GitRepository/flux-system/flux-system=${dir}`],
        cwd: dir,
      });
    } finally {
      fs.rmSync(rootFile, { force: true });
    }
    assert.equal(built.exitCode, 0, built.stderr);
    const applied = built.objects.map((o) => `${o.kind} ${o.namespace ?? ''}/${o.name} by ${o.appliedBy}`);
    const expected = [
      'HelmRepository flux-system/bjw-s by flux-system/infra',
      'Namespace /whoami by flux-system/apps',
      'HelmRelease whoami/whoami by flux-system/apps',
      'Secret whoami/whoami-env by flux-system/apps',
    ];
    assert.deepEqual(
      expected.filter((line) => !applied.includes(line)),
      [],
      `flux build applied:\n${applied.join('\n')}`,
    );
    // And the model agrees with flux on who applies them.
    const after = scanRepository([dir]);
    for (const line of expected) {
      const [kind, where] = line.split(' ');
      const [namespace, name] = where.split('/');
      const object = after.objects.find(
        (o) => o.kind === kind && o.name === name && (kind === 'Namespace' || o.namespace === namespace),
      );
      const by = line.split(' by ')[1];
      assert.ok(
        object?.appliedBy.some((k) => k.startsWith(`${by}@`)),
        `${line}: the model has ${JSON.stringify(object?.appliedBy)}`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
