import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RepoIndex, scanRepository, type RepoModel } from '../../../src/core/repo';
import { modelToJson } from '../../../src/core/repo/json';
import { removeTemp, tempCopy, write } from './helpers';

/** The model as comparable JSON (sorted so that object order does not matter). */
function snapshot(model: RepoModel, root: string): unknown {
  const j = modelToJson(model, root);
  const key = (o: object): string => JSON.stringify(o);
  return { ...j, objects: [...j.objects].sort((a, b) => key(a).localeCompare(key(b))) };
}

test('updates after edits, additions and removals equal a fresh scan', () => {
  const root = tempCopy('superbloom-like');
  try {
    const demo = path.join(root, 'flux/clusters/demo');
    const index = new RepoIndex([root]);
    index.scan();
    const check = (model: RepoModel, what: string): void =>
      assert.deepEqual(snapshot(model, root), snapshot(scanRepository([root]), root), what);

    // Content-only edit (the fast path): a value and the line of the Secret move.
    const release = path.join(demo, 'apps/web/release.yaml');
    fs.writeFileSync(
      release,
      '# edited\n' + fs.readFileSync(release, 'utf8').replace('tag: latest', 'tag: v2'),
    );
    check(index.updateFile(release), 'edit release');

    // The Secret is decrypted on disk: plaintext error (.sops.yaml covers secrets.yaml).
    const secret = path.join(demo, 'apps/web/secrets.yaml');
    fs.writeFileSync(
      secret,
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-env\n  namespace: web\nstringData:\n  TOKEN: plain\n',
    );
    let model = index.updateFile(secret);
    check(model, 'decrypted secret');
    assert.equal(model.problems.find((p) => p.code === 'plaintext-secret')?.severity, 'error');

    // A renamed object changes identities: full rebuild path.
    fs.writeFileSync(secret, fs.readFileSync(secret, 'utf8').replace('name: web-env', 'name: web-env2'));
    check(index.updateFile(secret), 'renamed secret');

    // A new app folder nobody lists: an error naming the folder, in the parent kustomization.yaml.
    write(path.join(demo, 'apps/blog/ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: blog\n');
    model = index.updateFile(path.join(demo, 'apps/blog/ns.yaml'));
    check(model, 'new folder');
    const orphan = model.problems.find((p) => p.code === 'not-applied')!;
    assert.equal(orphan.severity, 'warning');
    assert.match(orphan.message, /apps\/blog\//);
    assert.equal(path.basename(orphan.file), 'kustomization.yaml');

    // Listing it fixes it.
    write(path.join(demo, 'apps/blog/kustomization.yaml'), 'resources:\n  - ns.yaml\n');
    index.updateFile(path.join(demo, 'apps/blog/kustomization.yaml'));
    const parent = path.join(demo, 'apps/kustomization.yaml');
    fs.writeFileSync(parent, fs.readFileSync(parent, 'utf8') + '  - blog/\n');
    model = index.updateFile(parent);
    check(model, 'listed');
    assert.ok(!model.problems.some((p) => p.code === 'not-applied'));
    assert.ok(
      model.objects.some((o) => o.kind === 'Namespace' && o.name === 'blog' && o.appliedBy.length === 1),
    );

    // Removing a listed file: missing resource.
    fs.rmSync(path.join(demo, 'apps/cache/release.yaml'));
    model = index.removeFile(path.join(demo, 'apps/cache/release.yaml'));
    check(model, 'removed');
    assert.ok(model.problems.some((p) => p.code === 'missing-resource'));

    // Removing a whole folder.
    fs.rmSync(path.join(demo, 'apps/blog'), { recursive: true });
    check(index.removeFile(path.join(demo, 'apps/blog')), 'removed folder');
  } finally {
    removeTemp(root);
  }
});

test('.sourceignore drops files from what Flux sees', () => {
  const root = tempCopy('superbloom-like');
  try {
    const index = new RepoIndex([root]);
    index.scan();
    const ignore = write(
      path.join(root, '.sourceignore'),
      '# not for Flux\nflux/clusters/demo/apps/cache/\n',
    );
    const model = index.updateFile(ignore);
    assert.ok(!model.objects.some((o) => o.file.includes(`${path.sep}cache${path.sep}`)));
    const missing = model.problems.find((p) => p.code === 'missing-resource');
    assert.match(missing?.message ?? '', /cache\//);
  } finally {
    removeTemp(root);
  }
});
