import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addResource, isOneLineInsertion, listResources } from '../../../src/core/scaffold';

const HEAD = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n';

test('adds an app folder at the end of an indented list', () => {
  const before = `${HEAD}resources:\n  - cache/\n  - web/\n`;
  const r = addResource(before, 'api/');
  assert.equal(r.text, `${HEAD}resources:\n  - cache/\n  - web/\n  - api/\n`);
  assert.ok(isOneLineInsertion(before, r.text));
});

test('keeps a list at the key column, and a file without a final newline', () => {
  const before = `${HEAD}resources:\n- ns.yaml\n- release.yaml`;
  const r = addResource(before, 'api/');
  assert.equal(r.text, `${HEAD}resources:\n- ns.yaml\n- release.yaml\n- api/`);
});

test('comments, odd spacing, quotes and mixed indentation stay as they are', () => {
  const before =
    `# the apps of the demo cluster\n${HEAD}\nresources:\n  - 'cache/'   # quoted, two spaces before the comment\n` +
    `  # - old/  (disabled)\n  - "web/"\npatches:\n- path: patch.yaml\n  target:\n    kind: Deployment\n`;
  const r = addResource(before, 'api/');
  assert.ok(r.changed);
  assert.ok(isOneLineInsertion(before, r.text), r.text);
  assert.ok(r.text.includes('  - "web/"\n  - api/\npatches:'), r.text);
  assert.deepEqual(listResources(r.text), ['cache/', 'web/', 'api/']);
});

test('a source file goes after the last file entry, before the app folders', () => {
  const before = `${HEAD}resources:\n  - bjw-s.yaml\n  - cnpg.yaml\n  - caddy/\n  - ddns/\n`;
  const r = addResource(before, 'podinfo.yaml', 'afterFiles');
  assert.deepEqual(listResources(r.text), ['bjw-s.yaml', 'cnpg.yaml', 'podinfo.yaml', 'caddy/', 'ddns/']);
  assert.ok(isOneLineInsertion(before, r.text));
  const noFiles = `${HEAD}resources:\n  - caddy/\n`;
  assert.deepEqual(listResources(addResource(noFiles, 'x.yaml', 'afterFiles').text), ['x.yaml', 'caddy/']);
});

test('an entry already listed leaves the text alone; no resources list is an error', () => {
  const before = `${HEAD}resources:\n  - ./api\n`;
  assert.deepEqual(addResource(before, 'api/'), { text: before, changed: false });
  assert.throws(() => addResource(`${HEAD}namespace: x\n`, 'api/'), /no `resources:` list/);
  assert.throws(() => addResource('resources: [a\n', 'api/'), /not valid YAML/);
});

test('a flow list takes the entry in its own style', () => {
  const r = addResource(`${HEAD}resources: [a/, b/]\n`, 'c/');
  assert.deepEqual(listResources(r.text), ['a/', 'b/', 'c/']);
});
