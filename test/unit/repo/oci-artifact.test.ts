/**
 * A sync root that reads an OCI artifact pushed from a folder of the repository: which
 * .sourceignore files apply, and what the FluxInstance's kustomize patches do to its Kustomization.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RepoIndex, scanRepository } from '../../../src/core/repo';
import { removeTemp, write } from './helpers';

const configMap = (name: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  k: v\n`;

/**
 * A repository whose FluxInstance syncs `clusters/demo` of an OCI artifact pushed from
 * kubernetes/, with a root .sourceignore written for a GitRepository of the whole repository.
 */
function ociRepository(
  syncKind: 'OCIRepository' | 'GitRepository',
  extra: Record<string, string> = {},
): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oci-artifact-'));
  const syncPath = syncKind === 'OCIRepository' ? 'clusters/demo' : 'kubernetes/clusters/demo';
  write(
    path.join(root, 'kubernetes/clusters/demo/flux-system/instance.yaml'),
    [
      'apiVersion: fluxcd.controlplane.io/v1',
      'kind: FluxInstance',
      'metadata: {name: flux, namespace: flux-system}',
      'spec:',
      '  distribution: {version: "2.x", registry: ghcr.io/fluxcd}',
      '  sync:',
      `    kind: ${syncKind}`,
      '    url: oci://ghcr.io/example/manifests',
      '    ref: latest',
      `    path: ${syncPath}`,
      '  kustomize:',
      '    patches:',
      '      - patch: |',
      '          apiVersion: kustomize.toolkit.fluxcd.io/v1',
      '          kind: Kustomization',
      '          metadata:',
      '            name: flux-system',
      '          spec:',
      '            decryption:',
      '              provider: sops',
      '        target:',
      '          kind: Kustomization',
      '          name: flux-system',
      '',
    ].join('\n'),
  );
  write(path.join(root, 'kubernetes/clusters/demo/secrets/settings.yaml'), configMap('settings'));
  write(path.join(root, 'kubernetes/clusters/demo/secrets/dropped.yaml'), configMap('dropped'));
  write(path.join(root, 'kubernetes/clusters/demo/apps/web.yaml'), configMap('web'));
  // Written for a GitRepository of the whole repository: only kubernetes/, without secrets/.
  write(path.join(root, '.sourceignore'), '/*\n!/kubernetes\n/kubernetes/clusters/**/secrets/\n');
  for (const [file, text] of Object.entries(extra)) write(path.join(root, file), text);
  return root;
}

const names = (root: string): string[] =>
  scanRepository([root])
    .objects.filter((o) => o.kind === 'ConfigMap')
    .map((o) => o.name)
    .sort();

test("an OCI artifact's folder is read without the repository root's .sourceignore", () => {
  const root = ociRepository('OCIRepository');
  try {
    assert.deepEqual(names(root), ['dropped', 'settings', 'web']);
  } finally {
    removeTemp(root);
  }
});

test('the .sourceignore files inside the OCI artifact folder still apply', () => {
  const root = ociRepository('OCIRepository', {
    'kubernetes/.sourceignore': 'clusters/**/secrets/dropped.yaml\n',
    'kubernetes/clusters/demo/apps/.sourceignore': '*.yaml\n',
  });
  try {
    assert.deepEqual(names(root), ['settings']);
  } finally {
    removeTemp(root);
  }
});

test("a GitRepository of the whole repository still applies the root's .sourceignore", () => {
  const root = ociRepository('GitRepository');
  try {
    assert.deepEqual(names(root), ['web']);
  } finally {
    removeTemp(root);
  }
});

test("a FluxInstance's kustomize patches reach the sync Kustomization it generates", () => {
  const root = ociRepository('OCIRepository');
  try {
    const model = scanRepository([root]);
    const sync = [...model.kustomizations.values()].find((k) => k.name === 'flux-system' && !k.parent);
    assert.deepEqual(sync?.decryption, { provider: 'sops', secretRef: null });
  } finally {
    removeTemp(root);
  }
});

test('a sync root edited from OCIRepository to GitRepository: the incremental model drops the artifact folder as a fresh scan does', () => {
  // Found by the corpus fuzz (xunholy+k8s-gitops): the artifact folder stayed a .sourceignore top
  // in the index after the OCI sync was edited away, so its secrets/ were listed as not applied.
  const root = ociRepository('OCIRepository');
  try {
    fs.mkdirSync(path.join(root, '.git'));
    const index = new RepoIndex([root]);
    const before = index.scan();
    assert.ok(before.objects.some((o) => o.name === 'settings'));
    const instance = path.join(root, 'kubernetes/clusters/demo/flux-system/instance.yaml');
    fs.writeFileSync(
      instance,
      fs.readFileSync(instance, 'utf8').replace('kind: OCIRepository', 'kind: GitRepository'),
    );
    assert.deepStrictEqual(index.updateFile(instance), scanRepository([root]));
    // And back: the artifact folder is one again.
    fs.writeFileSync(
      instance,
      fs.readFileSync(instance, 'utf8').replace('kind: GitRepository', 'kind: OCIRepository'),
    );
    assert.deepStrictEqual(index.updateFile(instance), scanRepository([root]));
  } finally {
    removeTemp(root);
  }
});
