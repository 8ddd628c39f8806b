import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanRepository } from '../../../src/core/repo';
import { buildRepoTree, type RepoNode } from '../../../src/core/tree/repoTree';
import { write } from '../repo/helpers';

const find = (node: RepoNode, label: string): RepoNode => {
  const found = node.children.find((c) => c.label === label);
  assert.ok(found, `${node.label} has no "${label}" (has: ${node.children.map((c) => c.label).join(', ')})`);
  return found;
};
const objectLabels = (node: RepoNode): string[] =>
  node.kind === 'object' ? [node.label] : node.children.flatMap(objectLabels);

test('a component shared by two Kustomizations shows under each only the objects that one applies', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tree-shared-component-'));
  try {
    write(
      path.join(root, 'clusters/demo/flux-system/gotk-sync.yaml'),
      [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: GitRepository',
        'metadata: { name: flux-system, namespace: flux-system }',
        'spec: { interval: 1m, url: https://example.invalid/demo.git, ref: { branch: main } }',
        '---',
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata: { name: flux-system, namespace: flux-system }',
        'spec: { interval: 10m, path: ./clusters/demo, prune: true, sourceRef: { kind: GitRepository, name: flux-system } }',
        '',
      ].join('\n'),
    );
    write(
      path.join(root, 'clusters/demo/flux-system/kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [gotk-sync.yaml]\n',
    );
    const app = (name: string): string =>
      [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        `metadata: { name: ${name}, namespace: flux-system }`,
        'spec:',
        '  interval: 10m',
        `  path: ./apps/${name}`,
        '  prune: true',
        '  sourceRef: { kind: GitRepository, name: flux-system }',
        '  components: [../../components/backup]',
        `  postBuild: { substitute: { APP: ${name} } }`,
        '',
      ].join('\n');
    write(path.join(root, 'clusters/demo/apps.yaml'), `${app('alpha')}---\n${app('beta')}`);
    for (const name of ['alpha', 'beta']) {
      write(
        path.join(root, `apps/${name}/kustomization.yaml`),
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [configmap.yaml]\n',
      );
      write(
        path.join(root, `apps/${name}/configmap.yaml`),
        `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name}, namespace: default }\n`,
      );
    }
    write(
      path.join(root, 'components/backup/kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [pvc.yaml]\n',
    );
    write(
      path.join(root, 'components/backup/pvc.yaml'),
      'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: { name: "${APP}", namespace: default }\n',
    );

    const [cluster] = buildRepoTree(scanRepository([root]));
    assert.ok(cluster, 'no cluster');
    assert.deepEqual(objectLabels(find(cluster, 'alpha')).sort(), [
      'ConfigMap alpha',
      'PersistentVolumeClaim alpha',
    ]);
    assert.deepEqual(objectLabels(find(cluster, 'beta')).sort(), [
      'ConfigMap beta',
      'PersistentVolumeClaim beta',
    ]);
    assert.equal(
      find(find(find(cluster, 'beta'), 'backup'), 'pvc.yaml').description,
      'PersistentVolumeClaim beta',
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
