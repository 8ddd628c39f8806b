/**
 * Fuzzed mutations of the real repositories of ../shared/corpus (read in place, mutated in a
 * temporary copy): after every mutation the incrementally updated model (RepoIndex fed the changed
 * and deleted paths the way the scan worker is) must have thrown nothing, taken under 1 s of CPU,
 * and equal a fresh full scan. A failure prints the seed and the mutation sequence:
 * replay with FLUX_GITOPS_FUZZ_SEED=<seed> FLUX_GITOPS_FUZZ_MUTATIONS=<n> (see scripts/fuzz-corpus.mjs
 * for the full 10,000-mutation run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RepoIndex, scanRepository, type RepoModel } from '../../../src/core/repo';
import { random, removeTemp, repoRoot } from './helpers';

const corpus = path.resolve(repoRoot, '..', 'shared', 'corpus');
/** Mutations over all corpus repositories; npm test runs a few, the script 10,000. */
const TOTAL = Number(process.env.FLUX_GITOPS_FUZZ_MUTATIONS ?? 140);
const SEED = Number(process.env.FLUX_GITOPS_FUZZ_SEED ?? 20261202);
/** Only these repositories (comma-separated directory names), for replaying one. */
const ONLY = process.env.FLUX_GITOPS_FUZZ_REPOS?.split(',').filter((s) => s !== '');
/** CPU time, not wall time: two busy loops on a 2-core machine must not make a scan "slow". */
const MAX_SCAN_CPU_MS = 1000;

type Rng = () => number;

interface Repo {
  root: string;
  next: Rng;
}

/** What a mutation did to the copy: the paths to hand to the index, and a line for the replay log. */
interface Change {
  what: string;
  changed: string[];
  deleted: string[];
}

function pick<T>(next: Rng, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)];
}

function walk(root: string, keep: (rel: string, isDir: boolean) => boolean): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const p = path.join(dir, e.name);
      if (e.isSymbolicLink()) continue;
      const rel = path.relative(root, p);
      if (e.isDirectory()) {
        if (keep(rel, true)) out.push(p);
        visit(p);
      } else if (keep(rel, false)) out.push(p);
    }
  };
  visit(root);
  return out.sort();
}

const yamlFiles = (root: string) => walk(root, (rel, dir) => !dir && /\.ya?ml$/i.test(rel));
const folders = (root: string) => walk(root, (_rel, dir) => dir);
const kustomizationFiles = (root: string) =>
  walk(root, (rel, dir) => !dir && /(^|\/)kustomization\.ya?ml$/i.test(rel));
const fluxKustomizationFiles = (root: string) =>
  yamlFiles(root).filter((f) => /kustomize\.toolkit\.fluxcd\.io/.test(fs.readFileSync(f, 'utf8')));

const documents = (text: string) => text.split(/^---[ \t]*$/m);
const joinDocuments = (docs: string[]) => docs.join('---');

function rewrite(file: string, text: string): void {
  fs.writeFileSync(file, text);
}

const rel = (root: string, p: string) => path.relative(root, p).split(path.sep).join('/');

function documentOf(next: Rng, kind: number, name: string, target: string): string {
  switch (kind) {
    case 0:
      return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: fuzz\ndata:\n  KEY: value\n`;
    case 1:
      return `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./${target}\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n`;
    case 2:
      return `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${name}\nspec:\n  interval: 5m\n  chart:\n    spec:\n      chart: ${name}\n      sourceRef:\n        kind: HelmRepository\n        name: ${next() < 0.5 ? 'missing' : name}\n`;
    default:
      return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\nstringData:\n  TOKEN: plain\n`;
  }
}

/** Each mutation returns null when it does not apply to what it picked (another is tried). */
const MUTATIONS: Array<[string, (repo: Repo) => Change | null]> = [
  [
    'edit a scalar value',
    ({ root, next }) => {
      const file = pick(next, yamlFiles(root));
      const text = fs.readFileSync(file, 'utf8');
      const lines = text.split('\n');
      const candidates = lines.map((l, i) => (/^\s*[\w.-]+: \S/.test(l) ? i : -1)).filter((i) => i >= 0);
      if (candidates.length === 0) return null;
      const i = pick(next, candidates);
      const value = pick(next, ['fuzz', '42', 'true', '""', '${FUZZ_VAR}', './missing', '~', '[]', '{}']);
      lines[i] = lines[i].replace(/: .*$/, `: ${value}`);
      rewrite(file, lines.join('\n'));
      return { what: `edit ${rel(root, file)} line ${i + 1} to ${value}`, changed: [file], deleted: [] };
    },
  ],
  [
    'delete a document',
    ({ root, next }) => {
      const file = pick(next, yamlFiles(root));
      const docs = documents(fs.readFileSync(file, 'utf8'));
      const i = Math.floor(next() * docs.length);
      docs.splice(i, 1);
      rewrite(file, joinDocuments(docs));
      return { what: `delete document ${i} of ${rel(root, file)}`, changed: [file], deleted: [] };
    },
  ],
  [
    'add a document',
    ({ root, next }) => {
      const file = pick(next, yamlFiles(root));
      const kind = Math.floor(next() * 4);
      const target = next() < 0.5 ? rel(root, pick(next, folders(root))) : 'missing/folder';
      const name = `fuzz-${Math.floor(next() * 1000)}`;
      const text = fs.readFileSync(file, 'utf8');
      rewrite(file, `${text}${text.endsWith('\n') ? '' : '\n'}---\n${documentOf(next, kind, name, target)}`);
      return {
        what: `add document kind ${kind} ${name} (${target}) to ${rel(root, file)}`,
        changed: [file],
        deleted: [],
      };
    },
  ],
  [
    'duplicate a document',
    ({ root, next }) => {
      const file = pick(next, yamlFiles(root));
      const docs = documents(fs.readFileSync(file, 'utf8'));
      const i = Math.floor(next() * docs.length);
      rewrite(file, joinDocuments([...docs, docs[i].endsWith('\n') ? docs[i] : `${docs[i]}\n`]));
      return { what: `duplicate document ${i} of ${rel(root, file)}`, changed: [file], deleted: [] };
    },
  ],
  [
    'break the YAML',
    ({ root, next }) => {
      const file = pick(next, yamlFiles(root));
      const text = fs.readFileSync(file, 'utf8');
      const at = Math.floor(next() * (text.length + 1));
      const junk = pick(next, [
        ': [',
        '\t- x',
        '"unclosed',
        '  bad: indent: here',
        '{',
        '- - -',
        '&a *b',
        '\0',
      ]);
      rewrite(file, `${text.slice(0, at)}${junk}${text.slice(at)}`);
      return {
        what: `insert ${JSON.stringify(junk)} at ${at} of ${rel(root, file)}`,
        changed: [file],
        deleted: [],
      };
    },
  ],
  [
    'truncate a file',
    ({ root, next }) => {
      const file = pick(next, yamlFiles(root));
      const text = fs.readFileSync(file, 'utf8');
      const at = Math.floor(next() * text.length);
      rewrite(file, text.slice(0, at));
      return { what: `truncate ${rel(root, file)} at ${at}`, changed: [file], deleted: [] };
    },
  ],
  [
    'rename a file',
    ({ root, next }) => {
      const file = pick(next, yamlFiles(root));
      const to = next() < 0.3 ? file.replace(/\.ya?ml$/i, '.txt') : file.replace(/(\.ya?ml)$/i, `-renamed$1`);
      fs.renameSync(file, to);
      return { what: `rename ${rel(root, file)} to ${rel(root, to)}`, changed: [to], deleted: [file] };
    },
  ],
  [
    'delete a file',
    ({ root, next }) => {
      const file = pick(next, yamlFiles(root));
      fs.rmSync(file);
      return { what: `delete ${rel(root, file)}`, changed: [], deleted: [file] };
    },
  ],
  [
    'delete a folder',
    ({ root, next }) => {
      const candidates = folders(root).filter((d) => rel(root, d).split('/').length >= 2);
      if (candidates.length === 0) return null;
      const dir = pick(next, candidates);
      fs.rmSync(dir, { recursive: true });
      return { what: `delete folder ${rel(root, dir)}`, changed: [], deleted: [dir] };
    },
  ],
  [
    'copy a file to a new folder',
    ({ root, next }) => {
      const file = pick(next, yamlFiles(root));
      const dir = path.join(pick(next, folders(root)), `fuzz-${Math.floor(next() * 1000)}`);
      fs.mkdirSync(dir, { recursive: true });
      const to = path.join(dir, path.basename(file));
      fs.copyFileSync(file, to);
      return { what: `copy ${rel(root, file)} to ${rel(root, to)}`, changed: [dir], deleted: [] };
    },
  ],
  [
    'kustomization entry to a missing path',
    ({ root, next }) => {
      const files = kustomizationFiles(root);
      if (files.length === 0) return null;
      const file = pick(next, files);
      const text = fs.readFileSync(file, 'utf8');
      const missing = pick(next, [
        'missing.yaml',
        'missing/',
        '../nowhere',
        'https://example.invalid/x.yaml',
      ]);
      const edited = /^resources:\s*$/m.test(text)
        ? text.replace(/^resources:\s*$/m, `resources:\n  - ${missing}`)
        : `${text}${text.endsWith('\n') ? '' : '\n'}resources:\n  - ${missing}\n`;
      rewrite(file, edited);
      return { what: `add resource ${missing} to ${rel(root, file)}`, changed: [file], deleted: [] };
    },
  ],
  [
    'kustomization entry to an existing path',
    ({ root, next }) => {
      const files = kustomizationFiles(root);
      if (files.length === 0) return null;
      const file = pick(next, files);
      const target = path.relative(path.dirname(file), pick(next, [...folders(root), ...yamlFiles(root)]));
      const entry = target.split(path.sep).join('/') || '.';
      const key = pick(next, ['resources', 'components', 'patches']);
      const line = key === 'patches' ? `  - path: ${entry}` : `  - ${entry}`;
      const text = fs.readFileSync(file, 'utf8');
      const header = new RegExp(`^${key}:\\s*$`, 'm');
      const edited = header.test(text)
        ? text.replace(header, `${key}:\n${line}`)
        : `${text}${text.endsWith('\n') ? '' : '\n'}${key}:\n${line}\n`;
      rewrite(file, edited);
      return { what: `add ${key} entry ${entry} to ${rel(root, file)}`, changed: [file], deleted: [] };
    },
  ],
  [
    'change spec.path',
    ({ root, next }) => {
      const files = fluxKustomizationFiles(root).filter((f) =>
        /^\s+path: /m.test(fs.readFileSync(f, 'utf8')),
      );
      if (files.length === 0) return null;
      const file = pick(next, files);
      const target = next() < 0.7 ? `./${rel(root, pick(next, folders(root)))}` : './missing/path';
      const text = fs.readFileSync(file, 'utf8');
      const matches = [...text.matchAll(/^(\s+path: ).*$/gm)];
      const m = pick(next, matches);
      const at = m.index ?? 0;
      rewrite(file, `${text.slice(0, at)}${m[1]}${target}${text.slice(at + m[0].length)}`);
      return { what: `spec.path of ${rel(root, file)} at ${at} to ${target}`, changed: [file], deleted: [] };
    },
  ],
  [
    'rename an object',
    ({ root, next }) => {
      const file = pick(next, yamlFiles(root));
      const text = fs.readFileSync(file, 'utf8');
      const matches = [...text.matchAll(/^( {2}name: )(\S+)$/gm)];
      if (matches.length === 0) return null;
      const m = pick(next, matches);
      const at = m.index ?? 0;
      const name = next() < 0.5 ? `${m[2]}-x` : 'flux-system';
      rewrite(file, `${text.slice(0, at)}${m[1]}${name}${text.slice(at + m[0].length)}`);
      return { what: `rename object ${m[2]} to ${name} in ${rel(root, file)}`, changed: [file], deleted: [] };
    },
  ],
];

/** Each repository's own seed, from the run's seed and its name (the same when replayed alone). */
function repositorySeed(name: string): number {
  let h = SEED >>> 0;
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return h;
}

function fail(seed: number, repo: string, log: string[], mutations: number, message: string): never {
  // The sequence is a prefix of what the same run seed gives this repository alone, with as many mutations.
  const replay = `FLUX_GITOPS_FUZZ_SEED=${SEED} FLUX_GITOPS_FUZZ_REPOS=${repo} FLUX_GITOPS_FUZZ_MUTATIONS=${mutations}`;
  assert.fail(
    `${message}\nseed ${seed}, repository ${repo}; replay: ${replay}\nmutations:\n  ${log.join('\n  ')}`,
  );
}

function internalErrors(model: RepoModel): string[] {
  return model.problems.filter((p) => p.code === 'internal-error').map((p) => p.message);
}

/**
 * Runs `count` mutations on copies of one corpus repository: a small repository can run out of
 * YAML files (deleted folders), then the next mutations go to a fresh copy. Returns the CPU time of
 * each incremental update.
 */
function fuzzRepository(name: string, seed: number, count: number): number[] {
  const log: string[] = [];
  const times: number[] = [];
  const next = random(seed);
  let step = 0;
  const failHere = (message: string): never => fail(seed, name, log, step + 1, message);
  for (let copy = 1; step < count; copy++) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'repo-fuzz-'));
    try {
      fs.cpSync(path.join(corpus, name), root, { recursive: true });
      // The snapshots have no .git; spec.path is resolved from the Git root.
      fs.mkdirSync(path.join(root, '.git'), { recursive: true });
      if (copy > 1) log.push(`(copy ${copy}: a fresh copy of the repository)`);
      const repo: Repo = { root, next };
      const index = new RepoIndex([root]);
      index.scan();
      for (; step < count; step++) {
        let change: Change | null = null;
        for (let tries = 0; tries < 20 && !change && yamlFiles(root).length > 0; tries++) {
          const [, mutate] = pick(repo.next, MUTATIONS);
          change = mutate(repo);
        }
        if (!change) break;
        log.push(`${step}: ${change.what}`);
        let updated: RepoModel | undefined;
        const cpu = process.cpuUsage();
        try {
          // The scan worker's order: changed paths, then deleted ones.
          for (const p of change.changed) updated = index.updateFile(p);
          for (const p of change.deleted) updated = index.removeFile(p);
        } catch (error) {
          failHere(`the incremental update threw: ${error instanceof Error ? error.stack : String(error)}`);
        }
        const used = process.cpuUsage(cpu);
        const cpuMs = (used.user + used.system) / 1000;
        times.push(cpuMs);
        if (cpuMs > MAX_SCAN_CPU_MS) failHere(`the incremental update took ${Math.round(cpuMs)} ms of CPU`);
        const fresh = scanRepository([root]);
        const errors = [...internalErrors(updated!), ...internalErrors(fresh)];
        if (errors.length > 0) failHere(`the scan failed inside: ${errors.join('; ')}`);
        try {
          assert.deepStrictEqual(updated, fresh);
        } catch (error) {
          // For a closer look: both models as JSON (Maps as entry lists) in this folder.
          const dump = process.env.FLUX_GITOPS_FUZZ_DUMP;
          if (dump) {
            const json = (m: RepoModel) =>
              JSON.stringify(m, (_k, v: unknown) => (v instanceof Map ? [...v.entries()] : v), 1);
            fs.mkdirSync(dump, { recursive: true });
            fs.writeFileSync(path.join(dump, 'incremental.json'), json(updated!));
            fs.writeFileSync(path.join(dump, 'fresh.json'), json(fresh));
          }
          failHere(
            `the incremental model (${index.lastRebuild} update) differs from a fresh scan:\n${error instanceof Error ? error.message.slice(0, 4000) : String(error)}`,
          );
        }
      }
    } finally {
      removeTemp(root);
    }
  }
  return times;
}

test('fuzzed mutations of the corpus repositories: no exception, no slow update, incremental = fresh', (t) => {
  if (!fs.existsSync(corpus)) {
    t.skip(`${corpus} absent: the fuzzed mutations of the real repositories did not run`);
    return;
  }
  const repos = fs
    .readdirSync(corpus, { withFileTypes: true })
    .filter((e) => e.isDirectory() && (!ONLY || ONLY.includes(e.name)))
    .map((e) => e.name)
    .sort();
  assert.ok(repos.length > 0, `no repository in ${corpus}${ONLY ? ` named ${ONLY.join(', ')}` : ''}`);
  const started = Date.now();
  const times: number[] = [];
  repos.forEach((name, i) => {
    // The mutations split over the repositories.
    const count = Math.floor(TOTAL / repos.length) + (i < TOTAL % repos.length ? 1 : 0);
    const t0 = Date.now();
    const seed = repositorySeed(name);
    const cpu = fuzzRepository(name, seed, count);
    times.push(...cpu);
    const sorted = [...cpu].sort((a, b) => a - b);
    console.log(
      `# ${name}: ${cpu.length} mutations (seed ${seed}) in ${Math.round((Date.now() - t0) / 1000)} s; ` +
        `update CPU median ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)} ms, max ${Math.round(sorted.at(-1) ?? 0)} ms`,
    );
  });
  console.log(`# ${times.length} mutations in ${Math.round((Date.now() - started) / 1000)} s`);
  assert.equal(times.length, TOTAL, 'every mutation ran');
});
