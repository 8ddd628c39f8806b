/**
 * Content updates rebuild only the builds a changed file is part of (RepoIndex.updateFile): after
 * each of many random edits to a generated repository, the updated model must be exactly the
 * model a fresh full scan gives (same objects, problems and order).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RepoIndex, scanRepository } from '../../../src/core/repo';
import { random, removeTemp, write } from './helpers';

function fluxKs(name: string, p: string, extra = ''): string {
  return `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m
  path: ./${p}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
${extra}`;
}

/** A repository with what a content update may touch: shared bases, patches, postBuild, Secrets, orphans. */
function generate(root: string, apps: number): void {
  fs.mkdirSync(path.join(root, '.git'));
  write(
    path.join(root, '.sops.yaml'),
    'creation_rules:\n  - path_regex: apps/.*secret.*\\.yaml$\n    age: age1example\n',
  );
  write(
    path.join(root, 'clusters/prod/flux-system/gotk-sync.yaml'),
    `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m
  ref:
    branch: main
  url: ssh://git@example.invalid/fleet
---
${fluxKs('flux-system', 'clusters/prod')}`,
  );
  write(path.join(root, 'clusters/prod/flux-system/kustomization.yaml'), 'resources:\n  - gotk-sync.yaml\n');
  write(
    path.join(root, 'clusters/prod/infra.yaml'),
    fluxKs('infra', 'infra', '  decryption:\n    provider: sops\n'),
  );
  write(
    path.join(root, 'clusters/prod/apps.yaml'),
    fluxKs(
      'apps',
      'apps',
      `  dependsOn:
    - name: infra
  decryption:
    provider: sops
  postBuild:
    substituteFrom:
      - kind: ConfigMap
        name: cluster-settings
`,
    ) +
      '---\n' +
      fluxKs('apps-again', 'apps/shared', '  dependsOn:\n    - name: apps\n'),
  );
  write(
    path.join(root, 'clusters/prod/kustomization.yaml'),
    'resources:\n  - flux-system\n  - infra.yaml\n  - apps.yaml\n  - settings.yaml\n',
  );
  write(
    path.join(root, 'clusters/prod/settings.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-settings\n  namespace: flux-system\ndata:\n  DOMAIN: example.invalid\n',
  );
  write(
    path.join(root, 'infra/repos.yaml'),
    'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: flux-system\nspec:\n  url: https://charts.example.invalid\n',
  );
  const listed: string[] = [];
  for (let a = 0; a < apps; a++) {
    const app = `app-${a}`;
    const dir = path.join(root, 'apps', app);
    listed.push(`${app}/`);
    write(
      path.join(dir, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${app}
resources:
  - release.yaml
  - secret.yaml
  - config.yaml
patches:
  - path: patch.yaml
`,
    );
    write(
      path.join(dir, 'release.yaml'),
      `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${app}
spec:
  interval: 5m
  chart:
    spec:
      chart: app-template
      sourceRef:
        kind: HelmRepository
        name: charts
        namespace: flux-system
  values:
    host: ${app}.\${DOMAIN}
    replicas: 1
`,
    );
    write(
      path.join(dir, 'patch.yaml'),
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${app}\nspec:\n  values:\n    replicas: 2\n`,
    );
    write(
      path.join(dir, 'secret.yaml'),
      a % 2 === 0
        ? `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${app}-env\nstringData:\n  TOKEN: ENC[AES256_GCM,data:AAAA,type:str]\nsops:\n  mac: ENC[AES256_GCM,data:BBBB,type:str]\n  version: 3.9.0\n`
        : `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${app}-env\nstringData:\n  TOKEN: plain-${a}\n`,
    );
    write(
      path.join(dir, 'config.yaml'),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${app}-config\ndata:\n  LEVEL: info\n`,
    );
  }
  write(
    path.join(root, 'apps/kustomization.yaml'),
    `resources:\n${listed.map((l) => `  - ${l}\n`).join('')}`,
  );
  // A base applied by two Flux Kustomizations, and a folder nobody lists.
  write(path.join(root, 'apps/shared/kustomization.yaml'), 'resources:\n  - ../app-0\n');
  write(
    path.join(root, 'apps/forgotten/ns.yaml'),
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: forgotten\n',
  );
}

type Edit = (text: string, pick: () => number) => string;

/** Edits of every kind: values, lines, identities, references, syntax, whole documents. */
const EDITS: Array<[string, Edit]> = [
  ['comment on top', (t) => `# edited\n${t}`],
  ['comment inside', (t) => t.replace(/\n(\s*)(\w+):/, '\n$1# note\n$1$2:')],
  ['value', (t, n) => t.replace(/(replicas|LEVEL|DOMAIN|interval): \S+/, `$1: v${Math.floor(n() * 9)}`)],
  ['rename', (t, n) => t.replace(/(\n {2}name: )(\S+)/, `$1$2-${Math.floor(n() * 3)}`)],
  ['namespace', (t) => t.replace(/\nmetadata:\n/, '\nmetadata:\n  namespace: other\n')],
  ['unknown chart source', (t) => t.replace('name: charts', 'name: missing-charts')],
  ['decrypted', (t) => t.replace(/ENC\[AES256_GCM,data:AAAA,type:str\]/, 'clear-text')],
  ['encrypted', (t) => t.replace(/TOKEN: plain-\d+/, 'TOKEN: ENC[AES256_GCM,data:CCCC,type:str]')],
  ['spec.path', (t) => t.replace(/path: \.\/apps\b/, 'path: ./apps/app-1')],
  [
    'another document',
    (t) => `${t}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  K: v\n`,
  ],
  ['first document only', (t) => t.split(/^---$/m)[0]],
  ['syntax error', (t) => `${t}\n  : [\n`],
  ['duplicate', (t) => `${t}---\n${t.split(/^---$/m)[0]}`],
  [
    'patch deletes',
    (t) => (t.includes('replicas: 2') ? `${t}---\n${t.replace(/spec:[\s\S]*/, '$patch: delete\n')}` : t),
  ],
];

function yamlFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name) && e.name !== '.sops.yaml') out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

test('after random edits, each updated model equals a fresh full scan', () => {
  for (const seed of [1, 2, 3]) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'repo-incremental-'));
    try {
      generate(root, 6);
      const next = random(seed);
      const index = new RepoIndex([root]);
      index.scan();
      let partial = 0;
      const edits = 40;
      for (let i = 0; i < edits; i++) {
        const files = yamlFiles(root);
        // Mostly the files builds hold (manifests, patches); sometimes anything.
        const manifests = files.filter((f) => !/kustomization\.yaml$/.test(f));
        const pool = next() < 0.85 ? manifests : files;
        const file = pool[Math.floor(next() * pool.length)];
        const before = fs.readFileSync(file, 'utf8');
        // An edit that changes something (most only apply to some kinds of file).
        let what = '';
        let after = before;
        for (let tries = 0; tries < 20 && after === before; tries++) {
          const [name, edit] = EDITS[Math.floor(next() * EDITS.length)];
          what = name;
          after = edit(before, next);
        }
        fs.writeFileSync(file, after);
        const updated = index.updateFile(file);
        if (index.lastRebuild === 'partial') partial++;
        const full = scanRepository([root]);
        assert.deepStrictEqual(
          updated,
          full,
          `seed ${seed}, edit ${i} (${what}) of ${path.relative(root, file)} (${index.lastRebuild} update) differs from a full scan`,
        );
      }
      // Most edits keep what other builds read: the test must exercise the partial path.
      assert.ok(partial >= edits / 4, `seed ${seed}: only ${partial} of ${edits} updates were partial`);
    } finally {
      removeTemp(root);
    }
  }
});
