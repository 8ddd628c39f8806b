// Benchmark of the repository model: generates a synthetic Flux repository of 2,000 apps in a
// temporary folder and prints cold scan time, one-file incremental update time and peak memory;
// then the cold parse of a Flux gotk-components.yaml and the scan of each corpus repository
// (../shared/corpus, read in place), and whether the speed goals are met.
// Needs the compiled sources: `npx tsc -p tsconfig.json` first (out/src/core/repo).
import {
  mkdtempSync,
  mkdirSync,
  writeFileSync,
  readFileSync,
  rmSync,
  existsSync,
  readdirSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir, loadavg, cpus } from 'node:os';
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
const corpus = join(here, '..', '..', 'shared', 'corpus');

// The goals (ms): cold synthetic scan, one-file update, gotk-components cold parse, largest corpus repository warm scan.
const GOALS = { cold: 1000, update: 20, crdParse: 20, corpusWarm: 250 };

const APPS = Number(process.env.BENCH_APPS ?? 2000);
const GROUPS = 20;
const RUNS = 3;
let root = '';
let manifests = 0;
let files = 0;

function write(rel, text) {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  files++;
  return p;
}

// Flux's own gotk-components.yaml is ~470 KB of CustomResourceDefinitions: deep schemas whose
// descriptions are `|-` blocks, as controller-gen writes them.
const CRDS = Number(process.env.BENCH_CRDS ?? 32);

function crdBundle(count) {
  const docs = [];
  for (let c = 0; c < count; c++) {
    const fields = [];
    for (let f = 0; f < 40; f++) {
      fields.push(`                  field${f}:
                    description: |-
                      Field ${f} of kind ${c} does what its name says; the description wraps
                      over several lines, as the Kubernetes API conventions ask.
                      More info: https://example.invalid/docs/kind${c}#field${f}
                    type: string`);
    }
    docs.push(`---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  labels:
    app.kubernetes.io/component: bench-controller
    app.kubernetes.io/part-of: flux
  name: kind${c}s.bench.toolkit.fluxcd.io
spec:
  group: bench.toolkit.fluxcd.io
  names:
    kind: Kind${c}
    listKind: Kind${c}List
    plural: kind${c}s
    singular: kind${c}
  scope: Namespaced
  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        description: Kind${c} is a benchmark resource.
        properties:
          spec:
            properties:
              values:
                properties:
${fields.join('\n')}
                type: object
            type: object
        type: object
    served: true
    storage: true
    subresources:
      status: {}
`);
  }
  return docs.join('');
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

function generate(into) {
  root = into;
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
  write('clusters/prod/flux-system/gotk-components.yaml', crdBundle(CRDS));
  write(
    'clusters/prod/flux-system/kustomization.yaml',
    'resources:\n  - gotk-components.yaml\n  - gotk-sync.yaml\n',
  );
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
  name: &app ${app}
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
      *app :
        replicas: 1
        containers:
          main:
            image:
              repository: ghcr.io/example/${app}
              tag: "1.${a}.0"
            env:
              NODE_ENV: production
              PORT: &port "8080"
              APP_NAME: *app
            envFrom:
              - secretRef:
                  name: ${app}-env
            probes:
              liveness: &probe
                enabled: true
              readiness: *probe
    service:
      main:
        controller: *app
        ports:
          http:
            port: *port
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

/** One measurement in this process: cold scan, then updates. */
async function measure(root) {
  const t0 = process.hrtime.bigint();
  const index = new RepoIndex([root]);
  const model = index.scan();
  const cold = ms(t0);
  const errors = model.problems.filter((p) => p.severity === 'error').length;
  // One changed file, several times (first runs warm the JIT): median and worst.
  const a = Math.min(1007, APPS - 1);
  const target = join(
    root,
    `apps/apps-${String(a % GROUPS).padStart(2, '0')}/app-${String(a).padStart(4, '0')}/release.yaml`,
  );
  const original = readFileSync(target, 'utf8');
  const times = [];
  for (let i = 0; i < 15; i++) {
    writeFileSync(target, `# edit ${i}\n` + original);
    const t = process.hrtime.bigint();
    index.updateFile(target);
    times.push(ms(t));
  }
  writeFileSync(target, original);
  index.updateFile(target);
  // A new app folder that its parent kustomization.yaml does not list yet: a graph rebuild.
  const added = join(root, 'apps/apps-03/new-app/ns.yaml');
  mkdirSync(dirname(added), { recursive: true });
  writeFileSync(added, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: new-app\n');
  const ta = process.hrtime.bigint();
  const after = index.updateFile(added);
  const structural = ms(ta);
  rmSync(dirname(added), { recursive: true, force: true });
  return {
    cold,
    kustomizations: model.kustomizations.size,
    objects: model.objects.length,
    problems: model.problems.length,
    errors,
    update: median(times),
    updateWorst: Math.max(...times),
    structural,
    notApplied: after.problems.filter((p) => p.code === 'not-applied').length,
    rssMb: process.resourceUsage().maxRSS / 1024,
    heapMb: process.memoryUsage().heapUsed / 1024 / 1024,
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** First parse in a fresh process (the scanner not yet optimised by the JIT), then warm ones. */
function measureParse(file) {
  const { parseYaml } = require(join(here, '..', 'out', 'src', 'core', 'repo', 'yaml.js'));
  const text = readFileSync(file, 'utf8');
  const t0 = process.hrtime.bigint();
  const r = parseYaml(text);
  const cold = ms(t0);
  const warm = [];
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    parseYaml(text);
    warm.push(ms(t));
  }
  return { cold, warm: median(warm), fast: r.fast, kb: text.length / 1024 };
}

/** A corpus repository: first scan in a fresh process, then the median of five more in it. */
function measureScan(folder) {
  let t = process.hrtime.bigint();
  const model = new RepoIndex([folder]).scan();
  const cold = ms(t);
  const warm = [];
  for (let i = 0; i < 5; i++) {
    t = process.hrtime.bigint();
    new RepoIndex([folder]).scan();
    warm.push(ms(t));
  }
  return {
    cold,
    warm: median(warm),
    kustomizations: model.kustomizations.size,
    objects: model.objects.length,
  };
}

/** Runs this script in a fresh process in one of its child modes and returns what it printed. */
function child(mode, arg) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_MODE: mode, BENCH_CHILD: arg },
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    console.error(r.stdout + r.stderr);
    process.exit(1);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** YAML files a scan reads (node_modules and .git left out), for the table. */
function countYaml(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === '.git' || e.name === 'node_modules') continue;
    if (e.isDirectory()) n += countYaml(join(dir, e.name));
    else if (/\.ya?ml$/i.test(e.name)) n++;
  }
  return n;
}

if (process.env.BENCH_CHILD) {
  const mode = process.env.BENCH_MODE ?? 'synthetic';
  const arg = process.env.BENCH_CHILD;
  const result =
    mode === 'parse' ? measureParse(arg) : mode === 'scan' ? measureScan(arg) : await measure(arg);
  console.log(JSON.stringify(result));
} else {
  const root = mkdtempSync(join(tmpdir(), 'flux-bench-'));
  try {
    const tg = process.hrtime.bigint();
    generate(root);
    console.log(`generated ${APPS} apps: ${files} files, ${manifests} manifests (${ms(tg).toFixed(0)} ms)`);
    // Each run in a fresh process, so every "cold" scan starts without JIT or caches; the
    // machine is shared, so three runs and their median.
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const m = child('synthetic', root);
      runs.push(m);
      console.log(
        `run ${i + 1}: cold ${m.cold.toFixed(0)} ms, update ${m.update.toFixed(1)} ms (worst ${m.updateWorst.toFixed(1)}), ` +
          `new file ${m.structural.toFixed(0)} ms, peak RSS ${m.rssMb.toFixed(0)} MB`,
      );
    }
    const first = runs[0];
    console.log(
      `model: ${first.kustomizations} Flux Kustomizations, ${first.objects} objects, ${first.problems} problems ` +
        `(${first.errors} errors); new unlisted folder → ${first.notApplied} not-applied error`,
    );
    const cold = median(runs.map((r) => r.cold));
    const update = median(runs.map((r) => r.update));
    console.log(`cold scan (median of ${RUNS}): ${cold.toFixed(0)} ms`);
    console.log(`one-file update (median): ${update.toFixed(1)} ms`);
    console.log(
      `new-file update, graph rebuild (median): ${median(runs.map((r) => r.structural)).toFixed(0)} ms`,
    );
    console.log(
      `peak memory: ${Math.max(...runs.map((r) => r.rssMb)).toFixed(0)} MB RSS, ` +
        `${Math.max(...runs.map((r) => r.heapMb)).toFixed(0)} MB heap after the scan`,
    );

    // Flux's gotk-components.yaml: the generated one, then the corpus's real ones.
    const bundles = [join(root, 'clusters/prod/flux-system/gotk-components.yaml')];
    const corpusRepos = existsSync(corpus)
      ? readdirSync(corpus, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => join(corpus, e.name))
      : [];
    for (const repo of corpusRepos) {
      const found = spawnSync('find', [repo, '-name', 'gotk-components.yaml', '-size', '+100k'], {
        encoding: 'utf8',
        timeout: 10_000,
      });
      bundles.push(...(found.stdout ?? '').split('\n').filter(Boolean).slice(0, 1));
    }
    const parses = [];
    for (const file of bundles) {
      const p = [];
      for (let i = 0; i < RUNS; i++) p.push(child('parse', file));
      const cold1 = median(p.map((x) => x.cold));
      parses.push(cold1);
      const shown = file.startsWith(root) ? `generated (BENCH_CRDS=${CRDS})` : file.slice(corpus.length + 1);
      console.log(
        `gotk-components parse, ${shown}: ${p[0].kb.toFixed(0)} KB, cold ${cold1.toFixed(1)} ms, ` +
          `warm ${median(p.map((x) => x.warm)).toFixed(1)} ms (median of ${RUNS} processes; fast scanner: ${p[0].fast})`,
      );
    }
    const crdParse = Math.max(...parses);

    // The corpus repositories, beside the synthetic one.
    let largest = null;
    if (corpusRepos.length === 0) {
      console.log(`corpus: ${corpus} is absent; corpus scan times not measured.`);
    } else {
      console.log(
        'corpus scans (cold: first scan in a fresh process; warm: median of 5 more in it; median of 3 processes):',
      );
      for (const repo of corpusRepos) {
        const r = [];
        for (let i = 0; i < RUNS; i++) r.push(child('scan', repo));
        const files = countYaml(repo);
        const row = {
          name: repo.slice(corpus.length + 1),
          files,
          cold: median(r.map((x) => x.cold)),
          warm: median(r.map((x) => x.warm)),
          kustomizations: r[0].kustomizations,
        };
        console.log(
          `  ${row.name.padEnd(42)} ${String(files).padStart(5)} YAML files, ${String(row.kustomizations).padStart(3)} Kustomizations: ` +
            `cold ${row.cold.toFixed(0).padStart(4)} ms, warm ${row.warm.toFixed(0).padStart(4)} ms`,
        );
        if (!largest || files > largest.files) largest = row;
      }
      console.log(
        `  synthetic (${APPS} apps)${' '.repeat(Math.max(0, 24 - String(APPS).length))} ${String(files).padStart(5)} files,      ${String(first.kustomizations).padStart(3)} Kustomizations: cold ${cold.toFixed(0).padStart(4)} ms`,
      );
    }

    const [load1] = loadavg();
    const goal = (label, value, limit) =>
      console.log(
        `goal ${label}: ${value === null ? 'not measured' : `${value.toFixed(1)} ms ≤ ${limit} ms: ${value <= limit ? 'met' : 'NOT met'}`}`,
      );
    goal(`synthetic cold scan`, cold, GOALS.cold);
    goal(`one-file update`, update, GOALS.update);
    goal(`gotk-components cold parse (worst)`, crdParse, GOALS.crdParse);
    goal(
      `largest corpus repository warm scan${largest ? ` (${largest.name})` : ''}`,
      largest?.warm ?? null,
      GOALS.corpusWarm,
    );
    console.log(
      `(load average ${load1.toFixed(1)} on ${cpus().length} cores: a busy machine makes every number larger)`,
    );
  } finally {
    if (!process.env.BENCH_KEEP) rmSync(root, { recursive: true, force: true });
  }
}
