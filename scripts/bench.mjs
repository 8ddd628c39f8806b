// Benchmark of the repository model: generates a synthetic Flux repository of 2,000 apps in a
// temporary folder (test/env/syntheticRepo.ts) and prints cold scan time, one-file incremental update time and peak memory;
// then the cold parse of a Flux gotk-components.yaml and the scan of each corpus repository
// (../shared/corpus, read in place), and whether the speed goals are met.
// Needs the compiled sources: `npx tsc -p tsconfig.json` first (out/src/core/repo, out/test/env).
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
const generator = join(here, '..', 'out', 'test', 'env', 'syntheticRepo.js');
if (!existsSync(compiled) || !existsSync(generator)) {
  console.error('bench: out/src/core/repo or out/test/env is missing; run "npx tsc -p tsconfig.json" first.');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const { RepoIndex } = require(compiled);
const { generateSyntheticRepo, GROUPS } = require(generator);
const corpus = join(here, '..', '..', 'shared', 'corpus');

// The goals (ms): cold synthetic scan, one-file update, gotk-components cold parse, largest corpus
// repository scan (warm, and cold: its first scan in a fresh process).
const GOALS = { cold: 1000, update: 20, crdParse: 20, corpusWarm: 250, corpusCold: 250 };

const APPS = Number(process.env.BENCH_APPS ?? 2000);
const CRDS = Number(process.env.BENCH_CRDS ?? 32);
const RUNS = 3;

function ms(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/**
 * CPU time of this process since `c0` (ms, every thread: the JIT and GC helpers too). On a
 * shared machine wall time mostly measures the other processes; CPU time much less so.
 */
function cpuMs(c0) {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
}

/** One measurement in this process: cold scan, then updates. */
async function measure(root) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const index = new RepoIndex([root]);
  const model = index.scan();
  const cold = ms(t0);
  const coldCpu = cpuMs(c0);
  const errors = model.problems.filter((p) => p.severity === 'error').length;
  // One changed file, several times (first runs warm the JIT): median and worst.
  const a = Math.min(1007, APPS - 1);
  const target = join(
    root,
    `apps/apps-${String(a % GROUPS).padStart(2, '0')}/app-${String(a).padStart(4, '0')}/release.yaml`,
  );
  const original = readFileSync(target, 'utf8');
  const times = [];
  const cpuTimes = [];
  for (let i = 0; i < 15; i++) {
    writeFileSync(target, `# edit ${i}\n` + original);
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    index.updateFile(target);
    times.push(ms(t));
    cpuTimes.push(cpuMs(c));
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
    coldCpu,
    updateCpu: median(cpuTimes),
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
  const c0 = process.cpuUsage();
  const r = parseYaml(text);
  const cold = ms(t0);
  const coldCpu = cpuMs(c0);
  const warm = [];
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    parseYaml(text);
    warm.push(ms(t));
  }
  return { cold, coldCpu, warm: median(warm), fast: r.fast, kb: text.length / 1024 };
}

/** A corpus repository: first scan in a fresh process, then the median of five more in it. */
function measureScan(folder) {
  let t = process.hrtime.bigint();
  let c = process.cpuUsage();
  const model = new RepoIndex([folder]).scan();
  const cold = ms(t);
  const coldCpu = cpuMs(c);
  const warm = [];
  const warmCpu = [];
  for (let i = 0; i < 5; i++) {
    t = process.hrtime.bigint();
    c = process.cpuUsage();
    new RepoIndex([folder]).scan();
    warm.push(ms(t));
    warmCpu.push(cpuMs(c));
  }
  return {
    cold,
    coldCpu,
    warm: median(warm),
    warmCpu: median(warmCpu),
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
    const { files, manifests } = generateSyntheticRepo(root, { apps: APPS, crds: CRDS });
    console.log(`generated ${APPS} apps: ${files} files, ${manifests} manifests (${ms(tg).toFixed(0)} ms)`);
    // Each run in a fresh process, so every "cold" scan starts without JIT or caches; the
    // machine is shared, so three runs and their median.
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const m = child('synthetic', root);
      runs.push(m);
      console.log(
        `run ${i + 1}: cold ${m.cold.toFixed(0)} ms (CPU ${m.coldCpu.toFixed(0)} ms), update ${m.update.toFixed(1)} ms ` +
          `(worst ${m.updateWorst.toFixed(1)}, CPU ${m.updateCpu.toFixed(1)}), ` +
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
    const coldCpu = median(runs.map((r) => r.coldCpu));
    console.log(`cold scan (median of ${RUNS}): ${cold.toFixed(0)} ms (CPU ${coldCpu.toFixed(0)} ms)`);
    console.log(
      `one-file update (median): ${update.toFixed(1)} ms (CPU ${median(runs.map((r) => r.updateCpu)).toFixed(1)} ms)`,
    );
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
        `gotk-components parse, ${shown}: ${p[0].kb.toFixed(0)} KB, cold ${cold1.toFixed(1)} ms ` +
          `(CPU ${median(p.map((x) => x.coldCpu)).toFixed(1)} ms), ` +
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
          coldCpu: median(r.map((x) => x.coldCpu)),
          warmCpu: median(r.map((x) => x.warmCpu)),
          kustomizations: r[0].kustomizations,
        };
        console.log(
          `  ${row.name.padEnd(42)} ${String(files).padStart(5)} YAML files, ${String(row.kustomizations).padStart(3)} Kustomizations: ` +
            `cold ${row.cold.toFixed(0).padStart(4)} ms (CPU ${row.coldCpu.toFixed(0).padStart(4)}), ` +
            `warm ${row.warm.toFixed(0).padStart(4)} ms (CPU ${row.warmCpu.toFixed(0).padStart(4)})`,
        );
        if (!largest || files > largest.files) largest = row;
      }
      console.log(
        `  synthetic (${APPS} apps)${' '.repeat(Math.max(0, 24 - String(APPS).length))} ${String(files).padStart(5)} files,      ${String(first.kustomizations).padStart(3)} Kustomizations: cold ${cold.toFixed(0).padStart(4)} ms (CPU ${coldCpu.toFixed(0).padStart(4)})`,
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
    goal(
      `largest corpus repository cold scan${largest ? ` (${largest.name})` : ''}`,
      largest?.cold ?? null,
      GOALS.corpusCold,
    );
    console.log(
      `(load average ${load1.toFixed(1)} on ${cpus().length} cores: a busy machine makes every number larger)`,
    );
  } finally {
    if (!process.env.BENCH_KEEP) rmSync(root, { recursive: true, force: true });
  }
}
