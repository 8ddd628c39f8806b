// Per-repository templates in .flux-gitops/templates/ and the placeholder rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  applyPlan,
  BUILTIN_TEMPLATES,
  isSecretFile,
  listTargets,
  planScaffold,
  renderTemplate,
  TEMPLATE_DIR,
} from '../../../src/core/scaffold';
import { copyOwn, docsOf, problemSet, removeTemp, scan } from './helpers';

test('placeholders: values, a list alone on its line, unknown and missing ones are errors', () => {
  assert.equal(
    renderTemplate('name: {{name}}\nns: {{ namespace }}\n', { name: 'a', namespace: 'b' }, 't'),
    'name: a\nns: b\n',
  );
  assert.equal(
    renderTemplate('resources:\n  {{resources}}\n', { resources: ['ns.yaml', 'release.yaml'] }, 't'),
    'resources:\n  - ns.yaml\n  - release.yaml\n',
  );
  assert.throws(
    () => renderTemplate('x: {{nmae}}', { name: 'a' }, 'my.yaml'),
    /my\.yaml: unknown placeholder \{\{nmae\}\}/,
  );
  assert.throws(
    () => renderTemplate('x: {{port}}', {}, 'd.yaml'),
    /d\.yaml: \{\{port\}\} has no value for this app/,
  );
  assert.throws(() => renderTemplate('x: {{resources}} y', { resources: ['a'] }, 't'), /must stand alone/);
  // The built-in templates only use known placeholders.
  for (const [name, text] of Object.entries(BUILTIN_TEMPLATES))
    for (const m of text.matchAll(/\{\{(\w+)\}\}/g))
      assert.doesNotThrow(() => renderTemplate(`{{${m[1]}}}`, { [m[1]]: 'v' }, name));
});

test('a repository template overrides the built-in one and is written as is', async () => {
  const repo = copyOwn();
  try {
    const dir = path.join(repo.root, TEMPLATE_DIR);
    fs.mkdirSync(dir, { recursive: true });
    const ns =
      '# Namespace of {{name}} (team template)\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{namespace}}\n  labels:\n    team: platform\n';
    fs.writeFileSync(path.join(dir, 'ns.yaml'), ns);
    fs.writeFileSync(
      path.join(dir, 'release.yaml'),
      'apiVersion: {{helmReleaseApiVersion}}\nkind: HelmRelease\nmetadata:\n  name: {{name}}\n  namespace: {{namespace}}\nspec:\n  interval: 1h\n  chart:\n    spec:\n      chart: {{chart}}\n      version: "{{version}}"\n      sourceRef:\n        kind: {{sourceKind}}\n        name: {{sourceName}}\n        namespace: {{sourceNamespace}}\n  install:\n    remediation:\n      retries: 3 # the team default\n',
    );
    const model = scan(repo);
    const target = listTargets(model)[0].targets.find((t) => t.name === 'apps')!.key;
    const r = await planScaffold({
      model,
      cluster: 'demo',
      target,
      name: 'api',
      workload: {
        kind: 'helm',
        source: { existing: { kind: 'HelmRepository', name: 'app-charts', namespace: 'flux-system' } },
        chart: 'app-template',
        version: '4.5.0',
      },
    });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
    const nsFile = r.plan.create.find((f) => path.basename(f.path) === 'ns.yaml')!;
    assert.ok(!isSecretFile(nsFile));
    assert.equal(nsFile.content, ns.replace(/\{\{name\}\}|\{\{namespace\}\}/g, 'api'));
    const release = r.plan.create.find((f) => f.path === r.plan.mainFile)!;
    assert.ok(!isSecretFile(release));
    assert.match(release.content, /retries: 3 # the team default/);
    assert.match(release.content, /interval: 1h/);
    const before = problemSet(model);
    await applyPlan(r.plan, { encrypt: async (_p, t) => t });
    assert.deepEqual(problemSet(scan(repo)), before);
    // Values from the prompt still land in an overridden template (through the document, comments kept).
    const r2 = await planScaffold({
      model: scan(repo),
      cluster: 'demo',
      target,
      name: 'api2',
      workload: {
        kind: 'helm',
        source: { existing: { kind: 'HelmRepository', name: 'app-charts', namespace: 'flux-system' } },
        chart: 'app-template',
        version: '4.5.0',
        values: { replicas: 2 },
      },
    });
    assert.ok(r2.ok);
    const rel2 = r2.plan.create.find((f) => f.path === r2.plan.mainFile)!;
    assert.ok(!isSecretFile(rel2));
    assert.match(rel2.content, /retries: 3 # the team default/);
    assert.deepEqual((docsOf(rel2.content)[0].spec as Record<string, unknown>).values, { replicas: 2 });
  } finally {
    removeTemp(repo.root);
  }
});

test('a broken repository template is reported, nothing planned', async () => {
  const repo = copyOwn();
  try {
    const dir = path.join(repo.root, TEMPLATE_DIR);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'deployment.yaml'), 'kind: Deployment\nmetadata:\n  name: {{appName}}\n');
    const model = scan(repo);
    const target = listTargets(model)[0].targets.find((t) => t.name === 'apps')!.key;
    const r = await planScaffold({
      model,
      cluster: 'demo',
      target,
      name: 'api',
      workload: { kind: 'plain', image: 'nginx:1.27' },
    });
    assert.ok(!r.ok);
    assert.match(r.issues[0].message, /templates\/deployment\.yaml: unknown placeholder \{\{appName\}\}/);
    fs.writeFileSync(path.join(dir, 'deployment.yaml'), 'kind: Deployment\nmetadata: [\n');
    const r2 = await planScaffold({
      model,
      cluster: 'demo',
      target,
      name: 'api',
      workload: { kind: 'plain', image: 'nginx:1.27' },
    });
    assert.ok(!r2.ok);
    assert.match(r2.issues[0].message, /renders to invalid YAML/);
  } finally {
    removeTemp(repo.root);
  }
});
