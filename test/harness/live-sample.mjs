// `npm start -- --live`: the sample repository on real Flux. The test cluster (test/env) runs with
// the real source-, kustomize- and helm-controller and the local Git and Helm server; the
// workspace (a throw-away copy of samples/homelab) becomes a clone of a repository on that Git
// server, bootstrapped as `flux bootstrap` would: gotk-sync.yaml applied, the SOPS age key as the
// `sops-age` Secret. Edit, commit and push from VS Code's Source Control view, and Flux applies it.
//
// What differs from the sample, and why (the copy's first commit says the same):
// - the flux-system GitRepository points at the local Git server instead of example.com;
// - HelmRepositories served over HTTP point at the local Helm repository, which holds charts of
//   the same names and versions whose templates are ConfigMaps (there is no kubelet here to run
//   the real charts' workloads). OCI sources keep their registry: nothing here serves OCI, so Flux
//   reports what it meets there (on a machine without access to the registry, a fetch failure).
// - A push to the Git server is announced to source-controller by the reconcile request
//   annotation, as Flux's notification-controller Receiver does for a Git host's webhook (that
//   controller is not built here); without it Flux would notice only after the interval (1m).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './code-server.mjs';

const require = createRequire(import.meta.url);

const SAMPLE_REPO = 'homelab';
/** The charts the sample's HTTP HelmRepositories offer, at versions its HelmReleases accept. */
const SAMPLE_CHARTS = [
  { name: 'cert-manager', version: '1.16.2' },
  { name: 'ingress-nginx', version: '4.11.3' },
];
const chartFile = ({ name, version }) => ({
  name,
  version,
  templates: {
    'configmap.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-release\n' +
      `data:\n  chart: ${name}-${version}\n  revision: {{ .Release.Revision | quote }}\n`,
  },
});

const SETTLE_MS = 2000;

function git(cwd, ...args) {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, timeout: 30_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

/**
 * Rewrites the source URLs of every Flux manifest under `dir` to the local servers (see the header);
 * returns the files changed, relative to `dir`.
 */
function pointSourcesAtLocalServers(dir, { gitUrl, helmRepoUrl }) {
  const changed = [];
  const visit = (folder) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.git') visit(full);
        continue;
      }
      if (!/\.ya?ml$/.test(entry.name)) continue;
      const text = fs.readFileSync(full, 'utf8');
      if (!/kind:\s*(GitRepository|HelmRepository)\b/.test(text)) continue;
      const docs = parseAllDocuments(text);
      let edited = false;
      for (const doc of docs) {
        const kind = doc.get('kind');
        const url = doc.getIn(['spec', 'url']);
        if (typeof url !== 'string') continue;
        if (kind === 'GitRepository' && doc.getIn(['metadata', 'name']) === 'flux-system') {
          doc.setIn(['spec', 'url'], `${gitUrl}/${SAMPLE_REPO}.git`);
          edited = true;
        } else if (
          kind === 'HelmRepository' &&
          doc.getIn(['spec', 'type']) !== 'oci' &&
          /^https?:/.test(url)
        ) {
          doc.setIn(['spec', 'url'], helmRepoUrl);
          edited = true;
        }
      }
      if (!edited) continue;
      fs.writeFileSync(full, docs.map((doc) => doc.toString()).join(''));
      changed.push(path.relative(dir, full));
    }
  };
  visit(dir);
  return changed.sort();
}

/**
 * Starts the cluster with real Flux and the sample's charts; returns the settings that bind the
 * sample to it (known before VS Code starts, so they are in its settings from the first read),
 * bootstrap(workspace) that makes the copy the Git repository Flux syncs, and stop().
 */
export async function startLiveSample({ log = () => {} } = {}) {
  const envDir = path.join(repoRoot, 'out', 'test', 'env');
  if (!fs.existsSync(path.join(envDir, 'cluster.js')))
    throw new Error('out/test/env is missing: run npm run compile-tests');
  const { startCluster } = require(path.join(envDir, 'cluster.js'));
  const k8s = require('@kubernetes/client-node');

  const cluster = await startCluster({ flux: true, log });
  const flux = cluster.fluxEnv;
  let stopWatching = () => {};
  const stop = async () => {
    stopWatching();
    await cluster.stop().catch(() => {});
  };
  try {
    for (const chart of SAMPLE_CHARTS) await flux.publishChart(chartFile(chart));
  } catch (error) {
    await stop();
    throw error;
  }

  /** Makes `workspace` (a copy of the sample) the repository Flux syncs, and bootstraps Flux from it. */
  const bootstrap = async (workspace) => {
    const changed = pointSourcesAtLocalServers(workspace, flux);
    log(`sources pointed at the local servers in ${changed.join(', ')}`);
    await flux.pushFolder(SAMPLE_REPO, workspace);
    // A clone as `git clone` leaves it: main tracks origin/main, so Sync and Push just work.
    await git(workspace, 'fetch', '-q', 'origin');
    await git(workspace, 'branch', '-q', '--set-upstream-to=origin/main', 'main');
    // Commits made from VS Code need an identity; keep the user's own if git has one.
    const email = await git(workspace, 'config', 'user.email').catch(() => '');
    if (!email) {
      await git(workspace, 'config', 'user.name', 'Flux GitOps demo');
      await git(workspace, 'config', 'user.email', 'demo@flux-gitops.invalid');
    }

    const kc = cluster.kubeConfig('admin');
    const core = kc.makeApiClient(k8s.CoreV1Api);
    // Bootstrap: the Secrets the sample's manifests name, then gotk-sync.yaml; Flux does the rest.
    const ageKey = fs.readFileSync(path.join(workspace, 'demo-age-key.txt'), 'utf8');
    await core.createNamespacedSecret({
      namespace: 'flux-system',
      body: { metadata: { name: 'sops-age' }, stringData: { 'age.agekey': ageKey } },
    });
    // The GitRepository's secretRef: the local Git server asks for no credentials.
    await core.createNamespacedSecret({
      namespace: 'flux-system',
      body: { metadata: { name: 'flux-system' }, stringData: { username: 'git', password: 'demo' } },
    });
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const sync = path.join(workspace, 'flux', 'clusters', SAMPLE_REPO, 'flux-system', 'gotk-sync.yaml');
    for (const doc of parseAllDocuments(fs.readFileSync(sync, 'utf8'))) {
      if (doc.contents) await objects.create(doc.toJSON());
    }

    // The Receiver's part: each new commit on main asks source-controller to fetch now.
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const bare = path.join(flux.dir, 'repos', `${SAMPLE_REPO}.git`);
    let known = await git(bare, 'rev-parse', 'refs/heads/main');
    let busy = false;
    const timer = setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        const head = await git(bare, 'rev-parse', 'refs/heads/main');
        if (head !== known) {
          known = head;
          log(`pushed ${head.slice(0, 8)}: requesting a fetch of GitRepository flux-system`);
          await custom.patchNamespacedCustomObject(
            {
              group: 'source.toolkit.fluxcd.io',
              version: 'v1',
              namespace: 'flux-system',
              plural: 'gitrepositories',
              name: 'flux-system',
              body: {
                metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': new Date().toISOString() } },
              },
            },
            k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
          );
        }
      } catch (error) {
        log(`watching the Git server: ${error?.message ?? error}`);
      } finally {
        busy = false;
      }
    }, SETTLE_MS);
    stopWatching = () => clearInterval(timer);
  };

  return {
    cluster,
    settings: {
      'fluxGitops.kubeconfig': cluster.kubeconfig,
      'fluxGitops.clusterContexts': { [SAMPLE_REPO]: 'admin' },
      // The workbench harness turns Git off for tests; here Source Control is the point.
      'git.enabled': true,
    },
    bootstrap,
    stop,
  };
}
