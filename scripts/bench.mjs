// Benchmark of the repository model: generates a synthetic Flux repository of 2,000 apps in a
// temporary folder and prints cold scan time, one-file incremental update time and peak memory.
// Needs the compiled sources: `npx tsc -p tsconfig.json` first (out/src/core/repo).
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const compiled = join(here, '..', 'out', 'src', 'core', 'repo', 'index.js');
if (!existsSync(compiled)) {
  console.error('bench: out/src/core/repo/index.js is missing; run "npx tsc -p tsconfig.json" first.');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const { RepoIndex } = require(compiled);

const APPS = Number(process.env.BENCH_APPS ?? 2000);
const GROUPS = 20;
const root = mkdtempSync(join(tmpdir(), 'flux-bench-'));
let manifests = 0;
let files = 0;

function write(rel, text) {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  files++;
  return p;
}

function fluxKs(name, path, dependsOn = []) {
  const deps = dependsOn.length ? `  dependsOn:\n${dependsOn.map((d) => `    - name: ${d}\n`).join('')}` : '';
  return `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m0s
  path: ./${path}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  decryption:
    provider: sops
    secretRef:
      name: sops-age
${deps}`;
}

function generate() {
  mkdirSync(join(root, '.git'));
  write(
    'clusters/prod/flux-system/gotk-sync.yaml',
    `---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m0s
  ref:
    branch: main
  url: ssh://git@example.invalid/bench/fleet
---
${fluxKs('flux-system', 'clusters/prod')}`,
  );
  write('clusters/prod/flux-system/kustomization.yaml', 'resources:\n  - gotk-sync.yaml\n');
  write('clusters/prod/infra.yaml', fluxKs('infra', 'infra'));
  const groupFiles = [];
  for (let g = 0; g < GROUPS; g++) {
    const name = `apps-${String(g).padStart(2, '0')}`;
    write(`clusters/prod/${name}.yaml`, fluxKs(name, `apps/${name}`, ['infra']));
    groupFiles.push(`${name}.yaml`);
  }
  write(
    'clusters/prod/kustomization.yaml',
    `resources:\n  - flux-system/\n  - infra.yaml\n${groupFiles.map((f) => `  - ${f}\n`).join('')}`,
  );
  write(
    'infra/repos.yaml',
    `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: charts
  namespace: flux-system
spec:
  interval: 30m
  url: https://charts.example.invalid
`,
  );
  manifests += 3 + GROUPS;
  for (let g = 0; g < GROUPS; g++) {
    const gname = `apps-${String(g).padStart(2, '0')}`;
    const apps = [];
    for (let a = g; a < APPS; a += GROUPS) {
      const app = `app-${String(a).padStart(4, '0')}`;
      apps.push(app);
      const dir = `apps/${gname}/${app}`;
      write(
        `${dir}/kustomization.yaml`,
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ns.yaml\n  - release.yaml\n  - secret.yaml\n  - config.yaml\n',
      );
      write(`${dir}/ns.yaml`, `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${app}\n`);
      write(
        `${dir}/release.yaml`,
        `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${app}
  namespace: ${app}
spec:
  interval: 5m
  chart:
    spec:
      chart: app-template
      version: "4.1.1"
      sourceRef:
        kind: HelmRepository
        name: charts
        namespace: flux-system
  values:
    controllers:
      main:
        replicas: 1
        containers:
          main:
            image:
              repository: ghcr.io/example/${app}
              tag: "1.${a}.0"
            env:
              NODE_ENV: production
              PORT: "8080"
            envFrom:
              - secretRef:
                  name: ${app}-env
            probes:
              liveness:
                enabled: true
              readiness:
                enabled: true
    service:
      main:
        controller: main
        ports:
          http:
            port: 8080
    persistence:
      data:
        enabled: true
        type: persistentVolumeClaim
        size: 1Gi
        globalMounts:
          - path: /data
`,
      );
      write(
        `${dir}/secret.yaml`,
        `apiVersion: v1
kind: Secret
metadata:
    name: ${app}-env
    namespace: ${app}
type: Opaque
stringData:
    TOKEN: ENC[AES256_GCM,data:AAAA,iv:BBBB,tag:CCCC,type:str]
sops:
    age:
        - recipient: age1benchbenchbenchbenchbenchbenchbenchbenchbenchbenchbench
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            YWdlLWVuY3J5cHRpb24ub3JnL3YxCg==
            -----END AGE ENCRYPTED FILE-----
    lastmodified: "2026-01-01T00:00:00Z"
    mac: ENC[AES256_GCM,data:DDDD,iv:EEEE,tag:FFFF,type:str]
    encrypted_regex: ^(data|stringData)$
    version: 3.11.0
`,
      );
      write(
        `${dir}/config.yaml`,
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${app}-config\n  namespace: ${app}\ndata:\n  LOG_LEVEL: info\n  FEATURE_X: "true"\n`,
      );
      manifests += 4;
    }
    write(`apps/${gname}/kustomization.yaml`, `resources:\n${apps.map((a) => `  - ${a}/\n`).join('')}`);
  }
}

function ms(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

try {
  const tg = process.hrtime.bigint();
  generate();
  console.log(
    `generated ${APPS} apps: ${files} files, ${manifests} manifests in ${root} (${ms(tg).toFixed(0)} ms)`,
  );

  const t0 = process.hrtime.bigint();
  const index = new RepoIndex([root]);
  const model = index.scan();
  const cold = ms(t0);
  const errors = model.problems.filter((p) => p.severity === 'error');
  console.log(
    `cold scan: ${cold.toFixed(0)} ms — ${model.kustomizations.size} Flux Kustomizations, ${model.objects.length} objects, ` +
      `${model.problems.length} problems (${errors.length} errors)`,
  );
  if (errors.length > 0)
    for (const e of errors.slice(0, 5)) console.log(`  ${e.file}:${e.line} ${e.code} ${e.message}`);

  // One changed file, several times (first runs warm the JIT): report median and worst.
  const target = join(root, 'apps/apps-07/app-1007/release.yaml');
  const times = [];
  for (let i = 0; i < 15; i++) {
    writeFileSync(
      target,
      `# edit ${i}\n` + (await import('node:fs')).readFileSync(target, 'utf8').replace(/^# edit \d+\n/, ''),
    );
    const t = process.hrtime.bigint();
    index.updateFile(target);
    times.push(ms(t));
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `one-file update: first ${times[0].toFixed(1)} ms, median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, ` +
      `worst ${sorted[sorted.length - 1].toFixed(1)} ms`,
  );

  // A new app folder that its parent kustomization.yaml does not list yet (the orphan case).
  const added = write(
    'apps/apps-03/new-app/ns.yaml',
    'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: new-app\n',
  );
  const ta = process.hrtime.bigint();
  const after = index.updateFile(added);
  console.log(
    `new-file update: ${ms(ta).toFixed(1)} ms (not-applied problems: ${after.problems.filter((p) => p.code === 'not-applied').length})`,
  );

  const mem = process.memoryUsage();
  console.log(
    `memory: peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB, heap used ${(mem.heapUsed / 1024 / 1024).toFixed(0)} MB`,
  );
  const ok = cold <= 1500 && sorted[Math.floor(sorted.length / 2)] <= 20;
  console.log(`goals (cold ≤ 1500 ms, update ≤ 20 ms): ${ok ? 'met' : 'NOT met'}`);
} finally {
  if (!process.env.BENCH_KEEP) rmSync(root, { recursive: true, force: true });
}
