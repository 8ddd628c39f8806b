// CodeLens benchmark: a 5,000-line file of 250 HelmReleases in a small Flux repository; prints
// the median time of one provideCodeLenses computation (goal <= 10 ms) and of the index build.
// Needs `npm run compile-tests` (out/).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { scanRepository } = require('../out/src/core/repo/index.js');
const { LensIndex } = require('../out/src/core/codelens/lenses.js');
const { deriveStatus } = require('../out/src/core/cluster/status.js');

const dir = mkdtempSync(join(tmpdir(), 'bench-codelens-'));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
try {
  const cluster = join(dir, 'clusters', 'bench');
  mkdirSync(join(cluster, 'apps', 'big'), { recursive: true });
  writeFileSync(
    join(cluster, 'apps.yaml'),
    'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./clusters/bench/apps\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n',
  );
  writeFileSync(join(cluster, 'apps', 'kustomization.yaml'), 'resources:\n  - big\n');
  writeFileSync(join(cluster, 'apps', 'big', 'kustomization.yaml'), 'resources:\n  - release.yaml\n');
  const docs = [];
  for (let i = 0; i < 250; i++) {
    docs.push(
      [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata:',
        `  name: app-${i}`,
        '  namespace: apps',
        'spec:',
        '  interval: 30m',
        '  chart:',
        '    spec:',
        '      chart: app-template',
        '      version: 4.1.1',
        '      sourceRef:',
        '        kind: HelmRepository',
        '        name: bjw-s',
        '        namespace: flux-system',
        '  values:',
        '    controllers:',
        `      app-${i}:`,
        '        replicas: 1',
      ].join('\n'),
    );
  }
  const file = join(cluster, 'apps', 'big', 'release.yaml');
  const text = docs.join('\n---\n') + '\n';
  writeFileSync(file, text);
  const model = scanRepository([dir]);
  const status = deriveStatus('HelmRelease', {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'x', namespace: 'apps', generation: 1 },
    spec: { interval: '30m' },
    status: {
      observedGeneration: 1,
      conditions: [{ type: 'Ready', status: 'True', reason: 'UpgradeSucceeded', message: 'ok' }],
    },
  });
  const live = {
    contextOf: () => 'admin',
    statusOf: () => status,
    releaseOf: () => ({ chart: 'app-template', revision: 3 }),
  };
  const builds = [];
  const provides = [];
  let lenses = 0;
  for (let i = 0; i < 30; i++) {
    let started = performance.now();
    const index = new LensIndex(model);
    builds.push(performance.now() - started);
    started = performance.now();
    lenses = index.lenses(file, live).length;
    provides.push(performance.now() - started);
  }
  console.log(
    `codelens bench: ${text.split('\n').length} lines, 250 HelmReleases, ${lenses} lenses: ` +
      `provideCodeLenses median ${median(provides).toFixed(2)} ms; index build median ${median(builds).toFixed(2)} ms`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
