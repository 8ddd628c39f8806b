// Real Flux against the test cluster: source-controller, kustomize-controller and helm-controller
// (built from their Go modules by install.sh) run as local processes with their own kubeconfig,
// free loopback ports for metrics, health and artifact storage, and no leader election; beside
// them a local Git server over HTTP (github.com/fluxcd/pkg/gittestserver behind go/gitserver) that
// also serves a static Helm repository under /static/charts/.
//
//   const cluster = await startCluster({ flux: true });
//   const flux = cluster.fluxEnv!;
//   const repo = await flux.createRepo('fleet', { 'apps/cm.yaml': '...' }); // pushed, main
//   ... await cluster.stop(); // the controllers and the Git server stop with the cluster
//
// Every process logs to <dir>/logs/<name>.log; logTail() gives the last lines of each for failure
// output, and stop() keeps a copy of the logs in <cache>/logs/flux-last-run/.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { binPath, cacheDir } from './paths';
import {
  distinctPorts,
  isAlive,
  killGroup,
  registerExitCleanup,
  sleep,
  spawnDetached,
  stopGroups,
  tail,
  unregisterExitCleanup,
} from './processes';

export type ControllerName = 'source-controller' | 'kustomize-controller' | 'helm-controller';
export const CONTROLLERS: readonly ControllerName[] = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
];

export interface FluxOptions {
  /** Controllers to run; default all three. */
  controllers?: ControllerName[];
  /**
   * How often a Kustomization or HelmRelease waiting on dependsOn checks again (the controllers'
   * --requeue-dependency, 30s by default in Flux). Default here 2s, so tests do not wait long.
   */
  requeueDependency?: string;
  /** Progress messages. */
  log?: (message: string) => void;
  /** Give up starting at this time (epoch ms). Default 90 s from now. */
  deadline?: number;
  /** Called once the processes exist, before they are ready (so a failed start can still stop them). */
  onStarted?: (state: FluxProcesses) => void;
}

/** What is needed to stop the processes, also from another process. */
export interface FluxProcesses {
  dir: string;
  pids: number[];
}

export interface ControllerProcess {
  pid: number;
  log: string;
  metricsPort: number;
  healthPort: number;
}

export interface ChartFile {
  name: string;
  version: string;
  appVersion?: string;
  /** Files under templates/, by name. */
  templates: Record<string, string>;
  /** values.yaml content. */
  values?: string;
}

export interface FluxEnv extends FluxProcesses {
  /** Base URL of the Git server: repositories are `${gitUrl}/<name>.git`. */
  gitUrl: string;
  /** URL of the Helm repository (index.yaml and the chart archives) for a HelmRepository. */
  helmRepoUrl: string;
  /** The source-controller's artifact storage address (--storage-adv-addr). */
  storageAddress: string;
  controllers: Partial<Record<ControllerName, ControllerProcess>>;
  /** Creates a repository on the Git server with these files committed on `main` and pushed. */
  createRepo(name: string, files: Record<string, string>): Promise<GitRepo>;
  /**
   * Makes `dir` (e.g. a test's workspace) a work tree whose `origin` is `${gitUrl}/<name>.git`,
   * commits what it holds on `main` and pushes it.
   */
  pushFolder(name: string, dir: string): Promise<GitRepo>;
  /** Packages a chart (.tgz) into the Helm repository and rewrites its index.yaml. */
  publishChart(chart: ChartFile): Promise<string>;
  /** The last lines of every controller's and the Git server's log, for failure output. */
  logTail(lines?: number): string;
  /** Throws (with the log) if a controller or the Git server has exited. */
  assertRunning(): void;
  stop(): Promise<void>;
}

/** A clone of a repository on the Git server, to change files, commit and push. */
export interface GitRepo {
  readonly url: string;
  readonly workTree: string;
  write(files: Record<string, string>): void;
  remove(paths: string[]): void;
  /** Commits everything and pushes to main; returns the commit's SHA-1. */
  commitAndPush(message: string): Promise<string>;
  head(): Promise<string>;
}

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'flux-gitops tests',
  GIT_AUTHOR_EMAIL: 'tests@flux-gitops.invalid',
  GIT_COMMITTER_NAME: 'flux-gitops tests',
  GIT_COMMITTER_EMAIL: 'tests@flux-gitops.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

function run(file: string, args: string[], cwd: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', env: { ...process.env, ...GIT_IDENTITY } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

async function waitUntil(what: string, deadline: number, check: () => Promise<boolean>, alive: () => void) {
  let lastError: unknown;
  while (Date.now() < deadline) {
    alive();
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** Where stop() keeps the logs of the last run. */
export function lastRunLogDir(): string {
  return join(cacheDir(), 'logs', 'flux-last-run');
}

/** Stops the controllers and the Git server, keeps their logs and removes their folder. */
export async function stopFluxProcesses(state: FluxProcesses, timeoutMs = 15_000): Promise<void> {
  try {
    await stopGroups(state.pids, timeoutMs);
  } finally {
    try {
      rmSync(lastRunLogDir(), { recursive: true, force: true });
      cpSync(join(state.dir, 'logs'), lastRunLogDir(), { recursive: true });
    } catch {
      /* no logs to keep */
    }
    rmSync(state.dir, { recursive: true, force: true });
    unregisterExitCleanup(state.dir);
  }
}

/** Starts the Git server and the controllers against the cluster of `kubeconfig` (context admin). */
export async function startFlux(kubeconfig: string, options: FluxOptions = {}): Promise<FluxEnv> {
  const log = options.log ?? (() => undefined);
  const deadline = options.deadline ?? Date.now() + 90_000;
  const names = options.controllers ?? [...CONTROLLERS];
  const dir = await mkdtemp(join(tmpdir(), 'flux-gitops-flux-'));
  const logs = join(dir, 'logs');
  const repos = join(dir, 'repos');
  const charts = join(dir, 'static', 'charts');
  const work = join(dir, 'work');
  for (const d of [logs, repos, charts, work, join(dir, 'home'), join(dir, 'storage')])
    mkdirSync(d, { recursive: true });
  const state: FluxProcesses = { dir, pids: [] };
  registerExitCleanup(dir, () => {
    for (const pid of state.pids) killGroup(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  // The controllers' own kubeconfig: the cluster's admin credentials, in a file of their own.
  const controllerKubeconfig = join(dir, 'kubeconfig');
  copyFileSync(kubeconfig, controllerKubeconfig);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    KUBECONFIG: controllerKubeconfig,
    RUNTIME_NAMESPACE: 'flux-system',
  };
  const logFiles: string[] = [];
  const processNames = new Map<number, string>();
  const startProcess = (name: string, file: string, args: string[]): number => {
    const logFile = join(logs, `${name}.log`);
    logFiles.push(logFile);
    const pid = spawnDetached(file, args, logFile, env, dir);
    state.pids.push(pid);
    processNames.set(pid, name);
    return pid;
  };
  const logTail = (lines = 20) =>
    logFiles.map((f) => `--- ${f} (last ${lines} lines)\n${tail(f, lines)}`).join('\n');
  const assertRunning = () => {
    for (const pid of state.pids) {
      if (!isAlive(pid)) {
        const name = processNames.get(pid) ?? String(pid);
        throw new Error(`${name} exited:\n${tail(join(logs, `${name}.log`), 40)}`);
      }
    }
  };

  try {
    const gitserverPid = startProcess('gitserver', binPath('gitserver'), [
      '-root',
      repos,
      '-static',
      join(dir, 'static'),
    ]);
    const controllers: Partial<Record<ControllerName, ControllerProcess>> = {};
    const ports = await distinctPorts(names.length * 2 + 1);
    const storagePort = ports.pop() as number;
    const storageAddress = `127.0.0.1:${storagePort}`;
    const requeueDependency = options.requeueDependency ?? '2s';
    for (const [i, name] of names.entries()) {
      const metricsPort = ports[2 * i];
      const healthPort = ports[2 * i + 1];
      const args = [
        `--metrics-addr=127.0.0.1:${metricsPort}`,
        `--health-addr=127.0.0.1:${healthPort}`,
        '--enable-leader-election=false',
        '--watch-all-namespaces=true',
        '--log-level=debug',
      ];
      if (name === 'source-controller') {
        args.push(
          `--storage-path=${join(dir, 'storage')}`,
          `--storage-addr=${storageAddress}`,
          `--storage-adv-addr=${storageAddress}`,
        );
      } else {
        args.push(`--requeue-dependency=${requeueDependency}`);
      }
      const pid = startProcess(name, binPath(name), args);
      controllers[name] = { pid, log: join(logs, `${name}.log`), metricsPort, healthPort };
      log(`${name} pid ${pid} (health 127.0.0.1:${healthPort})`);
    }
    options.onStarted?.(state);

    let gitUrl = '';
    await waitUntil(
      'the Git server',
      deadline,
      async () => {
        const line = readFileSync(join(logs, 'gitserver.log'), 'utf8')
          .split('\n')
          .find((l) => l.startsWith('ready '));
        gitUrl = line ? line.slice('ready '.length).trim() : '';
        return gitUrl !== '';
      },
      () => {
        if (!isAlive(gitserverPid)) assertRunning();
      },
    );
    for (const name of names) {
      const c = controllers[name] as ControllerProcess;
      await waitUntil(
        `${name} /readyz`,
        deadline,
        async () => (await httpStatus(`http://127.0.0.1:${c.healthPort}/readyz`)) === 200,
        assertRunning,
      );
    }
    log(`Flux controllers ready; Git server ${gitUrl}`);

    const helmRepoUrl = `${gitUrl}/static/charts/`;
    let workTrees = 0;
    const workTreeRepo = async (name: string, workTree: string): Promise<GitRepo> => {
      const url = `${gitUrl}/${name}.git`;
      await run('git', ['init', '-q', '-b', 'main'], workTree);
      await run('git', ['remote', 'remove', 'origin'], workTree).catch(() => undefined);
      await run('git', ['remote', 'add', 'origin', url], workTree);
      const repo: GitRepo = {
        url,
        workTree,
        write(changes) {
          for (const [path, content] of Object.entries(changes)) {
            mkdirSync(dirname(join(workTree, path)), { recursive: true });
            writeFileSync(join(workTree, path), content);
          }
        },
        remove(paths) {
          for (const path of paths) rmSync(join(workTree, path), { recursive: true, force: true });
        },
        async commitAndPush(message) {
          await run('git', ['add', '-A'], workTree);
          await run('git', ['commit', '-q', '--allow-empty', '-m', message], workTree);
          await run('git', ['push', '-q', 'origin', 'HEAD:refs/heads/main'], workTree);
          return repo.head();
        },
        async head() {
          return (await run('git', ['rev-parse', 'HEAD'], workTree)).trim();
        },
      };
      return repo;
    };
    const createRepo = async (name: string, files: Record<string, string>): Promise<GitRepo> => {
      const workTree = join(work, `${name}-${++workTrees}`);
      mkdirSync(workTree, { recursive: true });
      const repo = await workTreeRepo(name, workTree);
      repo.write(files);
      await repo.commitAndPush('initial commit');
      return repo;
    };
    const pushFolder = async (name: string, dir: string): Promise<GitRepo> => {
      const repo = await workTreeRepo(name, dir);
      await repo.commitAndPush('initial commit');
      return repo;
    };

    const publishChart = async (chart: ChartFile): Promise<string> => {
      const build = join(dir, 'chart-build', `${chart.name}-${chart.version}`);
      const root = join(build, chart.name);
      rmSync(build, { recursive: true, force: true });
      mkdirSync(join(root, 'templates'), { recursive: true });
      writeFileSync(
        join(root, 'Chart.yaml'),
        stringify({
          apiVersion: 'v2',
          name: chart.name,
          version: chart.version,
          appVersion: chart.appVersion ?? chart.version,
        }),
      );
      writeFileSync(join(root, 'values.yaml'), chart.values ?? '{}\n');
      for (const [file, content] of Object.entries(chart.templates))
        writeFileSync(join(root, 'templates', file), content);
      const archive = `${chart.name}-${chart.version}.tgz`;
      await run('tar', ['-czf', join(charts, archive), '-C', build, chart.name], dir);
      writeHelmIndex(charts, helmRepoUrl);
      return archive;
    };

    return {
      ...state,
      gitUrl,
      helmRepoUrl,
      storageAddress,
      controllers,
      createRepo,
      pushFolder,
      publishChart,
      logTail,
      assertRunning,
      stop: () => stopFluxProcesses(state),
    };
  } catch (err) {
    const logsSoFar = logTail(40);
    await stopFluxProcesses(state).catch(() => undefined);
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${logsSoFar}`, { cause: err });
  }
}

/** index.yaml of a Helm repository listing every chart archive in the folder. */
function writeHelmIndex(folder: string, baseUrl: string): void {
  const entries: Record<string, unknown[]> = {};
  for (const file of readdirSync(folder)
    .filter((f) => f.endsWith('.tgz'))
    .sort()) {
    const match = /^(.+)-(\d+\.\d+\.\d+[^/]*)\.tgz$/.exec(file);
    if (!match) continue;
    const [, name, version] = match;
    const digest = createHash('sha256')
      .update(readFileSync(join(folder, file)))
      .digest('hex');
    (entries[name] ??= []).push({
      apiVersion: 'v2',
      name,
      version,
      appVersion: version,
      digest,
      created: new Date().toISOString(),
      urls: [`${baseUrl}${file}`],
    });
  }
  writeFileSync(
    join(folder, 'index.yaml'),
    stringify({ apiVersion: 'v1', entries, generated: new Date().toISOString() }),
  );
}
