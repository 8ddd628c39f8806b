// Starts the real VS Code (code-server from npm) and headless Debian Chromium for the
// integration and UI tests. The web workbench loads an extension under development from
// the `payload` URL parameter (code-server's CLI has no --extensionDevelopmentPath), as
// vscode-remote:// URIs of the host and port the browser uses.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cacheDir = process.env.FLUX_GITOPS_CACHE || path.join(os.homedir(), '.cache', 'flux-gitops');
export const codeServerVersion = process.env.CODE_SERVER_VERSION || '4.100.3';

const started = Date.now();
export const info = (...parts) =>
  console.error(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] [harness]`, ...parts);

// Without the networking flags Chromium keeps calling Google's hosts, which this machine refuses.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const WORKBENCH_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'window.commandCenter': false,
};

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function copyFolder(from, to) {
  fs.cpSync(from, to, {
    recursive: true,
    dereference: false,
    filter: (src) => !src.includes(`${path.sep}.git${path.sep}`),
  });
  // ../shared is read-only in CI; tests write into their copy (as a non-root user too).
  const makeWritable = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) continue;
      fs.chmodSync(full, fs.statSync(full).mode | 0o200);
      if (entry.isDirectory()) makeWritable(full);
    }
  };
  fs.chmodSync(to, fs.statSync(to).mode | 0o200);
  makeWritable(to);
}

/**
 * Starts code-server on 127.0.0.1 with fresh user-data, extensions, XDG and temp folders, and
 * a copy of `workspace` (tests may change files). With `gitOrigin`, the copy becomes a Git
 * checkout of branch main with that origin, as the real repository is (the snapshots of
 * ../shared/corpus have no .git; the model tells this checkout's GitRepository by its remotes).
 * Returns a handle whose stop() ends the server's whole process group and deletes every folder it made.
 */
/**
 * A UI test step: runs it, records PASS/FAIL in `results` with its time, and saves a screenshot
 * named after a failing step.
 */
export function stepRunner(session, results, shot) {
  return async (title, run) => {
    const started = Date.now();
    try {
      await run();
      results.push({ name: title, ok: true });
      info(`PASS [${session}] ${title} (${Date.now() - started} ms)`);
    } catch (error) {
      results.push({ name: title, ok: false });
      info(`FAIL [${session}] ${title}: ${String(error?.message ?? error).split('\n')[0]}`);
      await shot(`FAIL-${title.replace(/\W+/g, '_').slice(0, 80)}`)?.catch(() => {});
    }
  };
}

export async function startCodeServer({
  workspace,
  // Open `workspace` itself instead of a throw-away copy (a user's own folder: edits must stay).
  inPlace = false,
  gitOrigin,
  multiRoot = false,
  settings = {},
  env = {},
  keep = false,
  trusted = true,
  port: wantedPort,
  reuse,
} = {}) {
  const home = path.join(cacheDir, `code-server-${codeServerVersion}`);
  const entry = path.join(home, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!fs.existsSync(entry)) {
    throw new Error(`code-server is not installed at ${home}: run bash test/harness/setup-code-server.sh`);
  }
  // A port already taken would answer the health check below for another server.
  if (wantedPort && !(await portIsFree(wantedPort))) throw new Error(`port ${wantedPort} is in use`);
  // `reuse`: the folder of an earlier server (stopped with keep), to start again on the same
  // workspace, user data and browser profile, as a user restarting VS Code would.
  const tmp = reuse ?? fs.mkdtempSync(path.join(os.tmpdir(), 'flux-gitops-vscode-'));
  const dirs = {};
  for (const name of [
    'userData',
    'extensions',
    'chrome',
    'xdgConfig',
    'xdgData',
    'xdgCache',
    'tmp',
    'workspace',
  ]) {
    dirs[name] = path.join(tmp, name);
    fs.mkdirSync(dirs[name], { recursive: true });
  }
  if (workspace && inPlace) dirs.workspace = workspace;
  else if (workspace && !reuse) copyFolder(workspace, dirs.workspace);
  if (gitOrigin && !reuse) {
    const git = (...args) =>
      execFileSync('git', ['-C', dirs.workspace, ...args], { stdio: 'pipe', timeout: 30_000 });
    git('init', '-q', '-b', 'main');
    git('remote', 'add', 'origin', gitOrigin);
  }
  // A multi-root workspace: each top-level folder of the copy is one root.
  let workspaceFile;
  if (multiRoot) {
    const folders = fs
      .readdirSync(dirs.workspace, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => ({ path: path.join(dirs.workspace, entry.name) }))
      .sort((a, b) => a.path.localeCompare(b.path));
    workspaceFile = path.join(tmp, 'layouts.code-workspace');
    fs.writeFileSync(workspaceFile, JSON.stringify({ folders, settings: {} }, null, 2));
  }
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  if (!reuse)
    fs.writeFileSync(
      path.join(dirs.userData, 'User', 'settings.json'),
      JSON.stringify(
        {
          ...WORKBENCH_SETTINGS,
          // An untrusted run: trust on, no prompt, so the folder stays in restricted mode.
          ...(trusted
            ? {}
            : {
                'security.workspace.trust.enabled': true,
                'security.workspace.trust.startupPrompt': 'never',
              }),
          ...settings,
        },
        null,
        2,
      ),
    );
  const configFile = path.join(tmp, 'config.yaml');
  fs.writeFileSync(configFile, '');
  const port = wantedPort || (await freePort());
  const authority = `127.0.0.1:${port}`;
  const serverLog = path.join(tmp, 'code-server.log');
  const logFd = fs.openSync(serverLog, 'a');
  // detached: its own process group, so stop() also ends the extension host and helpers.
  const server = spawn(
    process.execPath,
    [
      entry,
      '--config',
      configFile,
      '--bind-addr',
      authority,
      '--auth',
      'none',
      '--user-data-dir',
      dirs.userData,
      '--extensions-dir',
      dirs.extensions,
      '--disable-telemetry',
      '--disable-update-check',
      ...(trusted ? ['--disable-workspace-trust'] : []),
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ],
    {
      cwd: tmp,
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: {
        ...process.env,
        XDG_CONFIG_HOME: dirs.xdgConfig,
        XDG_DATA_HOME: dirs.xdgData,
        XDG_CACHE_HOME: dirs.xdgCache,
        TMPDIR: dirs.tmp,
        EXTENSIONS_GALLERY: '{}',
        ...env,
      },
    },
  );
  fs.closeSync(logFd);
  let stopped = false;
  const handle = {
    tmp,
    dirs,
    authority,
    serverLog,
    workspace: workspaceFile ?? dirs.workspace,
    /** Ends the server's process group (not the folders); stop() also removes them. */
    pid: server.pid,
    async stop({ printLog = false, keepFolders = keep } = {}) {
      if (stopped) return;
      stopped = true;
      for (const signal of ['SIGTERM', 'SIGKILL']) {
        try {
          process.kill(-server.pid, signal);
        } catch {
          break;
        }
        const deadline = Date.now() + 3000;
        while (Date.now() < deadline) {
          try {
            process.kill(-server.pid, 0);
          } catch {
            break;
          }
          await sleep(100);
        }
      }
      if (printLog && fs.existsSync(serverLog)) {
        const lines = fs.readFileSync(serverLog, 'utf8').trimEnd().split('\n');
        console.error(
          `----- code-server log (last 40 of ${lines.length} lines) -----\n${lines.slice(-40).join('\n')}`,
        );
      }
      if (printLog) {
        // The extension's own log (its LogOutputChannel), for failures that happen inside it.
        const find = (dir) =>
          fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) return find(full);
            return entry.name.endsWith('Flux GitOps.log') ? [full] : [];
          });
        for (const file of fs.existsSync(dirs.userData) ? find(dirs.userData) : []) {
          const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
          console.error(
            `----- ${path.basename(file)} (last 40 of ${lines.length} lines) -----\n${lines.slice(-40).join('\n')}`,
          );
        }
      }
      if (keepFolders) info(`kept ${tmp}`);
      else fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null || server.signalCode) {
      await handle.stop({ printLog: true });
      throw new Error(`code-server exited early (${server.exitCode ?? server.signalCode})`);
    }
    try {
      if ((await fetch(`http://${authority}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await handle.stop({ printLog: true });
      throw new Error('code-server did not become healthy within 60 s');
    }
    await sleep(100);
  }
  info(`code-server ${codeServerVersion} on ${authority}`);
  return handle;
}

/** Headless Debian Chromium with a fresh profile under `profileDir`. */
export async function launchChromium(profileDir, viewport = { width: 1400, height: 900 }) {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath))
    throw new Error(`chromium not found at ${executablePath}: apt-get install chromium`);
  const xdg = path.join(profileDir, '.xdg');
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    viewport,
    args: CHROMIUM_ARGS,
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(xdg, 'config'),
      XDG_CACHE_HOME: path.join(xdg, 'cache'),
    },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // The workbench page's load is a named condition; on a loaded 2-core machine it can take far
  // longer than Playwright's 30 s default, which made whole runs fail before a test started.
  page.setDefaultNavigationTimeout(180_000);
  return { context, page };
}

const remoteUri = (authority, p) =>
  `vscode-remote://${authority}${path.resolve(p).split(path.sep).map(encodeURIComponent).join('/')}`;

/** The URL that opens `workspace` with the extension under development (and its tests, if given). */
export function workbenchUrl({ authority, workspace, extensionDevelopmentPath, extensionTestsPath }) {
  const payload = [['extensionDevelopmentPath', remoteUri(authority, extensionDevelopmentPath)]];
  if (extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(authority, extensionTestsPath)]);
  payload.push(['skipWelcome', 'true']);
  const kind = workspace.endsWith('.code-workspace') ? 'workspace' : 'folder';
  return (
    `http://${authority}/?${kind}=${encodeURIComponent(path.resolve(workspace))}` +
    `&payload=${encodeURIComponent(JSON.stringify(payload))}`
  );
}
