// What the scaffolder learns from a repository to pre-fill its prompts and follow its style.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanRepository } from '../../../src/core/repo';
import {
  planScaffold,
  chartsForSource,
  DEFAULT_STYLE,
  detectStyle,
  listSources,
  listTargets,
  sourceFolder,
  suggestChart,
} from '../../../src/core/scaffold';
import { checkSchema, copyOwn, loadSchema, ownFixture, removeTemp, scan, userFixture } from './helpers';

test('superbloom-like: targets, the app-charts source, its chart and the style', () => {
  const model = scanRepository([ownFixture]);
  const [demo] = listTargets(model);
  assert.equal(demo.cluster, 'demo');
  assert.deepEqual(
    demo.targets.map((t) => [t.name, path.relative(ownFixture, t.folder), t.apps]),
    [
      ['infra', 'flux/clusters/demo/infra', ['ingress', 'dns']],
      ['apps', 'flux/clusters/demo/apps', ['cache', 'web']],
    ],
  );
  const sources = listSources(model, 'demo');
  assert.deepEqual(
    sources.map((s) => [s.kind, s.namespace, s.name, s.url]),
    [['HelmRepository', 'flux-system', 'app-charts', 'https://charts.example.invalid']],
  );
  assert.ok(sources[0].usedBy >= 3);
  const uses = chartsForSource(model, sources[0], 'demo');
  assert.equal(uses[0].chart, 'app-template');
  assert.deepEqual(suggestChart(model, sources[0], 'demo'), {
    chart: 'app-template',
    version: uses[0].version,
  });
  assert.equal(suggestChart(model, { kind: 'OCIRepository', name: 'x', namespace: 'flux-system' }), null);
  assert.deepEqual(detectStyle(model, 'demo'), { ...DEFAULT_STYLE, interval: '5m', sourceInterval: '30m' });
  assert.equal(path.relative(ownFixture, sourceFolder(model, 'demo')!), 'flux/clusters/demo/infra');
});

test("superbloom-2025-12: bjw-s first, app-template at its most used version, the user's style", (t) => {
  if (!fs.existsSync(userFixture)) return t.skip(`${userFixture} absent`);
  const model = scanRepository([userFixture]);
  const [sb] = listTargets(model);
  assert.deepEqual(
    sb.targets.map((x) => x.name),
    ['infra', 'apps'],
  );
  const sources = listSources(model, 'superbloom');
  assert.equal(sources[0].name, 'bjw-s');
  assert.equal(sources[0].url, 'https://bjw-s-labs.github.io/helm-charts');
  assert.ok(sources.some((s) => s.name === 'cnpg'));
  // valkey, nexus and nexus-worker pin 4.1.1; ddns 4.5.0.
  assert.deepEqual(suggestChart(model, sources[0], 'superbloom'), {
    chart: 'app-template',
    version: '4.1.1',
  });
  const style = detectStyle(model, 'superbloom');
  assert.equal(style.indent, 2);
  assert.equal(style.indentSeq, true, 'most app kustomizations indent their list (ddns does not)');
  assert.equal(style.apiVersions.helmRelease, 'helm.toolkit.fluxcd.io/v2');
  assert.equal(style.apiVersions.helmRepository, 'source.toolkit.fluxcd.io/v1');
  assert.deepEqual(style.fileNames, {
    namespace: 'ns.yaml',
    release: 'release.yaml',
    deployment: 'deployment.yaml',
    kustomization: 'kustomization.yaml',
    secret: 'secrets.yaml',
  });
  assert.equal(style.sourceRefNamespace, true);
  assert.equal(style.interval, '5m');
  assert.equal(style.sourceInterval, '30m');
  assert.equal(style.secretField, 'stringData');
  assert.equal(path.basename(sourceFolder(model, 'superbloom')!), 'infra');
});

test('style follows a repository written differently: 4 spaces, lists at the key column, no quotes', async () => {
  const repo = copyOwn();
  try {
    for (const cat of ['apps', 'infra'])
      for (const app of fs.readdirSync(path.join(repo.clusterDir, cat))) {
        const dir = path.join(repo.clusterDir, cat, app);
        if (!fs.statSync(dir).isDirectory()) continue;
        for (const f of fs.readdirSync(dir)) {
          if (f === 'secrets.yaml') continue;
          const p = path.join(dir, f);
          let text = fs.readFileSync(p, 'utf8');
          if (f === 'kustomization.yaml') text = text.replace(/^ +- /gm, '- ');
          else
            text = text
              .replace(/^( +)/gm, (m) => ' '.repeat(m.length * 2))
              .replace(/version: "([^"]+)"/, 'version: $1');
          fs.writeFileSync(p, text);
        }
      }
    const model = scan(repo);
    const style = detectStyle(model, 'demo');
    assert.equal(style.indent, 4);
    assert.equal(style.indentSeq, false);
    assert.equal(style.quoteVersion, false);
    const r = await planScaffold({
      model,
      cluster: 'demo',
      target: listTargets(model)[0].targets.find((t) => t.name === 'apps')!.key,
      name: 'api',
      workload: {
        kind: 'helm',
        source: { existing: { kind: 'HelmRepository', name: 'app-charts', namespace: 'flux-system' } },
        chart: 'app-template',
        version: '4.5.0',
      },
    });
    assert.ok(r.ok);
    const text = (p: string) => {
      const f = r.plan.create.find((x) => path.basename(x.path) === p)!;
      return 'content' in f ? f.content : '';
    };
    assert.match(
      text('release.yaml'),
      /\n {4}chart:\n {8}spec:\n {12}chart: app-template\n {12}version: 4\.5\.0\n/,
    );
    assert.match(text('kustomization.yaml'), /\nresources:\n- ns\.yaml\n- release\.yaml\n/);
    // A version that would read back as a number keeps its quotes.
    const r2 = await planScaffold({
      model,
      cluster: 'demo',
      target: listTargets(model)[0].targets.find((t) => t.name === 'apps')!.key,
      name: 'api',
      workload: {
        kind: 'helm',
        source: { existing: { kind: 'HelmRepository', name: 'app-charts', namespace: 'flux-system' } },
        chart: 'app-template',
        version: '1.10',
      },
    });
    assert.ok(r2.ok);
    const rel = r2.plan.create.find((x) => x.path === r2.plan.mainFile)!;
    assert.match('content' in rel ? rel.content : '', /version: "1\.10"/);
  } finally {
    removeTemp(repo.root);
  }
});

test('the schema check used by the scaffold tests catches a wrong HelmRelease', (t) => {
  const schema = loadSchema('helmrelease-helm-v2.json');
  if (!schema) return t.skip('dist/schemas absent: run node scripts/gen-schemas.mjs');
  const errors = checkSchema(schema, {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'x' },
    spec: { interval: 'soon', chart: { spec: { chart: 'c', sourceRef: { kind: 'Nope', name: 'n' } } } },
  });
  assert.ok(
    errors.some((e) => /\$\.spec\.interval: does not match/.test(e)),
    errors.join('\n'),
  );
  assert.ok(
    errors.some((e) => /sourceRef\.kind: must be one of/.test(e)),
    errors.join('\n'),
  );
});
