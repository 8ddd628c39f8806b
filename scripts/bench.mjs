// Benchmark of the repository model: generates a synthetic Flux repository of 2,000 apps
// (test/env/syntheticRepo.ts) in a temporary folder and prints cold scan time, one-file
// incremental update time and peak memory.
// Needs the compiled sources: `npx tsc -p tsconfig.json` first (out/src/core/repo, out/test/env).
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
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
const { generateSyntheticRepo } = require(generator);

const APPS = Number(process.env.BENCH_APPS ?? 2000);
const CRDS = Number(process.env.BENCH_CRDS ?? 32);
const RUNS = 3;

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
  const target = join(root, 'apps/apps-07/app-1007/release.yaml');
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

if (process.env.BENCH_CHILD) {
  console.log(JSON.stringify(await measure(process.env.BENCH_CHILD)));
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
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
        env: { ...process.env, BENCH_CHILD: root },
        encoding: 'utf8',
      });
      if (r.status !== 0) {
        console.error(r.stdout + r.stderr);
        process.exit(1);
      }
      const m = JSON.parse(r.stdout.trim().split('\n').pop());
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
    const [load1] = loadavg();
    console.log(
      `goals (cold ≤ 1500 ms, update ≤ 20 ms): ${cold <= 1500 && update <= 20 ? 'met' : 'NOT met'} ` +
        `(load average ${load1.toFixed(1)} on ${cpus().length} cores)`,
    );
  } finally {
    if (!process.env.BENCH_KEEP) rmSync(root, { recursive: true, force: true });
  }
}
