// A real, throwaway Kubernetes control plane for tests: etcd + kube-apiserver on loopback ports
// chosen at run time, TLS with a CA generated per run, two client-certificate users (an admin and a
// restricted viewer), and the Flux CRDs installed and Established.
//
//   const cluster = await startCluster();
//   try { const kc = cluster.kubeConfig('admin'); ... } finally { await cluster.stop(); }
//
// stop() ends every process it started (each is the leader of its own process group) and removes
// the temporary folder; if the test process exits without calling it, an exit hook does the same.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { FLUX_GROUPS } from './flux-kinds';
import { startFlux, stopFluxProcesses, type FluxEnv, type FluxOptions } from './flux';
import { binPath, CLUSTER_FLUX_VERSION, clusterCrdFiles } from './paths';
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

export { isAlive } from './processes';

export type ContextName = 'admin' | 'restricted';

export interface StartOptions {
  /** Namespace the restricted context may read Flux objects in. Default `team-a`. */
  restrictedNamespace?: string;
  /** Extra namespaces to create. `flux-system` is always created. */
  namespaces?: string[];
  /** Install the Flux CRDs from the cache (default true). */
  installCrds?: boolean;
  /**
   * Leave the processes running when this Node process exits (for the shell CLI). The caller
   * must then call stop() or stopCluster(state) later.
   */
  detached?: boolean;
  /** Progress messages. */
  log?: (message: string) => void;
  /** Give up starting after this long. Default 90 s. */
  timeoutMs?: number;
  /**
   * Run the real Flux controllers (source-, kustomize-, helm-controller) and the local Git and
   * Helm repository server against this cluster (see flux.ts). They stop with the cluster.
   */
  flux?: boolean | FluxOptions;
}

/** What is needed to find and stop a running cluster, also from another process. */
export interface ClusterState {
  dir: string;
  server: string;
  kubeconfig: string;
  caFile: string;
  restrictedNamespace: string;
  restrictedUser: string;
  pids: { etcd: number; apiserver: number };
  crds: string[];
  /** The Flux controllers' and the Git server's process groups and folder, when started with flux. */
  flux?: { dir: string; pids: number[] };
  timingsMs: Record<string, number>;
}

export interface Cluster extends ClusterState {
  /** A KubeConfig loaded from the kubeconfig file, on the given context (default admin). */
  kubeConfig(context?: ContextName): k8s.KubeConfig;
  /** Environment variables pointing a client at the cluster (KUBECONFIG). */
  env(): Record<string, string>;
  /** Stops every process and removes the folder. Safe to call more than once. */
  stop(): Promise<void>;
  /** The real Flux controllers and the Git/Helm server, when started with `flux`. */
  fluxEnv?: FluxEnv;
}

export const ADMIN_USER = 'flux-gitops-admin';
export const RESTRICTED_USER = 'flux-gitops-viewer';
export const RESTRICTED_ROLE = 'flux-objects-reader';

const DAY_CERTS = '2';

function noop(): void {
  /* no progress output */
}

function execFileAsync(file: string, args: string[], cwd: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const OPENSSL_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

interface Pki {
  caCrt: string;
  serverCrt: string;
  serverKey: string;
  adminCrt: string;
  adminKey: string;
  viewerCrt: string;
  viewerKey: string;
  saKey: string;
  saPub: string;
}

/** A CA, the server's certificate, two client certificates and the service-account key pair. */
async function makePki(dir: string): Promise<Pki> {
  mkdirSync(dir, { recursive: true });
  const openssl = 'openssl';
  const cnf = join(dir, 'openssl.cnf');
  writeFileSync(cnf, OPENSSL_CONFIG);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await execFileAsync(
    openssl,
    [
      'req',
      '-config',
      cnf,
      '-x509',
      ...ecKey,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      DAY_CERTS,
      '-subj',
      '/CN=flux-gitops-test-ca',
      '-extensions',
      'ca_ext',
    ],
    dir,
  );
  const leaf = (name: string, subj: string, ext: string) =>
    execFileAsync(
      openssl,
      [
        'req',
        '-config',
        cnf,
        '-x509',
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        ...ecKey,
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.crt`,
        '-days',
        DAY_CERTS,
        '-subj',
        subj,
        '-extensions',
        ext,
      ],
      dir,
    );
  await Promise.all([
    leaf('server', '/CN=kube-apiserver', 'server_ext'),
    leaf('admin', `/O=system:masters/CN=${ADMIN_USER}`, 'client_ext'),
    leaf('viewer', `/CN=${RESTRICTED_USER}`, 'client_ext'),
    execFileAsync(
      openssl,
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'sa.key'],
      dir,
    ).then(() => execFileAsync(openssl, ['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir)),
  ]);
  const p = (f: string) => join(dir, f);
  return {
    caCrt: p('ca.crt'),
    serverCrt: p('server.crt'),
    serverKey: p('server.key'),
    adminCrt: p('admin.crt'),
    adminKey: p('admin.key'),
    viewerCrt: p('viewer.crt'),
    viewerKey: p('viewer.key'),
    saKey: p('sa.key'),
    saPub: p('sa.pub'),
  };
}

const etcdHelp = new Map<string, Promise<string>>();
/** etcd's --help text (cached per binary), to pass only flags the binary knows. */
function etcdFlags(etcdBin: string, dir: string): Promise<string> {
  let help = etcdHelp.get(etcdBin);
  if (!help) {
    help = execFileAsync(etcdBin, ['--help'], dir, 10_000).catch(() => '');
    etcdHelp.set(etcdBin, help);
  }
  return help;
}

async function waitFor(
  what: string,
  deadline: number,
  check: () => Promise<boolean>,
  alive: () => void,
  intervalMs = 50,
): Promise<void> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    alive();
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

function httpGetStatus(url: string, options: https.RequestOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { ...options, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

function writeKubeconfig(file: string, server: string, pki: Pki, restrictedNamespace: string): void {
  const b64 = (f: string) => readFileSync(f).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'flux-gitops-test', cluster: { server, 'certificate-authority-data': b64(pki.caCrt) } },
    ],
    users: [
      {
        name: ADMIN_USER,
        user: { 'client-certificate-data': b64(pki.adminCrt), 'client-key-data': b64(pki.adminKey) },
      },
      {
        name: RESTRICTED_USER,
        user: { 'client-certificate-data': b64(pki.viewerCrt), 'client-key-data': b64(pki.viewerKey) },
      },
    ],
    contexts: [
      { name: 'admin', context: { cluster: 'flux-gitops-test', user: ADMIN_USER, namespace: 'flux-system' } },
      {
        name: 'restricted',
        context: { cluster: 'flux-gitops-test', user: RESTRICTED_USER, namespace: restrictedNamespace },
      },
    ],
    'current-context': 'admin',
    preferences: {},
  };
  writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
}

function loadKubeConfig(file: string, context: ContextName): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(file);
  kc.setCurrentContext(context);
  return kc;
}

function httpStatusOf(err: unknown): number | undefined {
  if (err && typeof err === 'object' && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

async function bootstrapObjects(
  kc: k8s.KubeConfig,
  restrictedNamespace: string,
  namespaces: string[],
): Promise<void> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  const all = [...new Set(['flux-system', restrictedNamespace, ...namespaces])];
  await Promise.all(
    all.map((name) =>
      core.createNamespace({ body: { metadata: { name } } }).catch((err: unknown) => {
        if (httpStatusOf(err) !== 409) throw err;
      }),
    ),
  );
  await rbac.createNamespacedRole({
    namespace: restrictedNamespace,
    body: {
      metadata: { name: RESTRICTED_ROLE, namespace: restrictedNamespace },
      rules: [{ apiGroups: FLUX_GROUPS, resources: ['*'], verbs: ['get', 'list', 'watch'] }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: restrictedNamespace,
    body: {
      metadata: { name: RESTRICTED_ROLE, namespace: restrictedNamespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: RESTRICTED_ROLE },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: RESTRICTED_USER }],
    },
  });
}

function readCrds(): k8s.V1CustomResourceDefinition[] {
  // loadAllYaml maps the JSON field names (x-kubernetes-preserve-unknown-fields, $ref, ...) onto
  // the typed model, which the client serialises back; a plain parse would lose them.
  const crds: k8s.V1CustomResourceDefinition[] = [];
  for (const file of clusterCrdFiles()) {
    for (const obj of k8s.loadAllYaml(
      readFileSync(file, 'utf8'),
    ) as (k8s.V1CustomResourceDefinition | null)[]) {
      if (obj && obj.kind === 'CustomResourceDefinition') crds.push(obj);
    }
  }
  // As `flux install` (and bootstrap) leave them: the toolkit CRDs labelled with the Flux release,
  // which `flux version` and the extension read from the GitRepository CRD.
  for (const crd of crds) {
    if (!crd.spec.group.endsWith('.toolkit.fluxcd.io')) continue;
    crd.metadata = {
      ...crd.metadata,
      labels: {
        ...crd.metadata?.labels,
        'app.kubernetes.io/part-of': 'flux',
        'app.kubernetes.io/instance': 'flux-system',
        'app.kubernetes.io/version': CLUSTER_FLUX_VERSION,
      },
    };
  }
  return crds;
}

async function installCrds(
  kc: k8s.KubeConfig,
  deadline: number,
  alive: () => void,
  watchProbe: (path: string) => Promise<number>,
): Promise<string[]> {
  const api = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const crds = readCrds();
  await Promise.all(crds.map((body) => api.createCustomResourceDefinition({ body })));
  const names = crds.map((c) => c.metadata?.name ?? '');
  await waitFor(
    'the Flux CRDs to be Established',
    deadline,
    async () => {
      const list = await api.listCustomResourceDefinition();
      const established = new Set(
        list.items
          .filter((c) =>
            c.status?.conditions?.some((cond) => cond.type === 'Established' && cond.status === 'True'),
          )
          .map((c) => c.metadata?.name),
      );
      return names.every((n) => established.has(n));
    },
    alive,
  );
  // Established is not the end: until a resource's watch cache is initialised, watches of it are
  // answered 429 (storage is initializing). Wait until a short watch of each is accepted.
  await Promise.all(
    crds.map((crd) => {
      const version = crd.spec.versions.find((v) => v.storage)?.name ?? crd.spec.versions[0].name;
      const path = `/apis/${crd.spec.group}/${version}/${crd.spec.names.plural}?watch=true&timeoutSeconds=1`;
      return waitFor(
        `a watch of ${crd.metadata?.name}`,
        deadline,
        async () => (await watchProbe(path)) === 200,
        alive,
      );
    }),
  );
  return names;
}

/** Stops a cluster from its state (also one started by another process) and removes its folder. */
export async function stopCluster(
  state: Pick<ClusterState, 'dir' | 'pids' | 'flux'>,
  timeoutMs = 15_000,
): Promise<void> {
  // The controllers first: they would log connection errors once the API server is gone.
  if (state.flux) await stopFluxProcesses(state.flux, timeoutMs);
  try {
    await stopGroups([state.pids.apiserver, state.pids.etcd], timeoutMs);
  } finally {
    rmSync(state.dir, { recursive: true, force: true });
    unregisterExitCleanup(state.dir);
  }
}

/** Starts etcd and kube-apiserver, writes the kubeconfig and installs the Flux CRDs. */
export async function startCluster(options: StartOptions = {}): Promise<Cluster> {
  const log = options.log ?? noop;
  const restrictedNamespace = options.restrictedNamespace ?? 'team-a';
  const t0 = Date.now();
  const deadline = t0 + (options.timeoutMs ?? 90_000);
  const timings: Record<string, number> = {};
  const mark = (name: string, since: number) => (timings[name] = Date.now() - since);

  const etcdBin = binPath('etcd');
  const apiserverBin = binPath('kube-apiserver');
  const dir = await mkdtemp(join(tmpdir(), 'flux-gitops-cluster-'));
  const pids = { etcd: 0, apiserver: 0 };
  const state: ClusterState = {
    dir,
    server: '',
    kubeconfig: join(dir, 'kubeconfig'),
    caFile: join(dir, 'pki', 'ca.crt'),
    restrictedNamespace,
    restrictedUser: RESTRICTED_USER,
    pids,
    crds: [],
    timingsMs: timings,
  };
  const killNow = () => {
    for (const pid of [...(state.flux?.pids ?? []), pids.apiserver, pids.etcd])
      if (pid > 0) killGroup(pid, 'SIGKILL');
    if (state.flux) rmSync(state.flux.dir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  };
  if (!options.detached) registerExitCleanup(dir, killNow);

  let fluxEnv: FluxEnv | undefined;
  try {
    let t = Date.now();
    const [ports, pki, help] = await Promise.all([
      distinctPorts(3),
      makePki(join(dir, 'pki')),
      etcdFlags(etcdBin, dir),
    ]);
    mark('pki', t);
    const [etcdClientPort, etcdPeerPort, apiPort] = ports;

    t = Date.now();
    const etcdLog = join(dir, 'etcd.log');
    pids.etcd = spawnDetached(
      etcdBin,
      [
        '--name=default',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClientPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClientPort}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
        // A throwaway store: no fsync (etcd >= 3.5; Debian's 3.4 lacks the flag).
        ...(help.includes('unsafe-no-fsync') ? ['--unsafe-no-fsync=true'] : []),
        ...(help.includes('--log-level') ? ['--log-level=warn'] : []),
      ],
      etcdLog,
    );
    log(`etcd pid ${pids.etcd} on 127.0.0.1:${etcdClientPort}`);
    const etcdAlive = () => {
      if (!isAlive(pids.etcd)) throw new Error(`etcd exited:\n${tail(etcdLog)}`);
    };
    await waitFor(
      'etcd',
      deadline,
      async () => (await httpGetStatus(`http://127.0.0.1:${etcdClientPort}/health`)) === 200,
      etcdAlive,
    );
    mark('etcd', t);

    t = Date.now();
    const apiLog = join(dir, 'kube-apiserver.log');
    state.server = `https://127.0.0.1:${apiPort}`;
    pids.apiserver = spawnDetached(
      apiserverBin,
      [
        `--etcd-servers=http://127.0.0.1:${etcdClientPort}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${join(dir, 'apiserver-certs')}`,
        `--tls-cert-file=${pki.serverCrt}`,
        `--tls-private-key-file=${pki.serverKey}`,
        `--client-ca-file=${pki.caCrt}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--endpoint-reconciler-type=none',
        '--enable-priority-and-fairness=false',
        '--profiling=false',
        '--allow-privileged=true',
        '--disable-admission-plugins=ServiceAccount',
      ],
      apiLog,
    );
    log(`kube-apiserver pid ${pids.apiserver} on ${state.server}`);
    const bothAlive = () => {
      etcdAlive();
      if (!isAlive(pids.apiserver)) throw new Error(`kube-apiserver exited:\n${tail(apiLog)}`);
    };
    const tlsOptions: https.RequestOptions = {
      ca: readFileSync(pki.caCrt),
      cert: readFileSync(pki.adminCrt),
      key: readFileSync(pki.adminKey),
    };
    await waitFor(
      'kube-apiserver /readyz',
      deadline,
      async () => (await httpGetStatus(`${state.server}/readyz`, tlsOptions)) === 200,
      bothAlive,
      100,
    );
    mark('apiserver', t);

    writeKubeconfig(state.kubeconfig, state.server, pki, restrictedNamespace);
    const admin = loadKubeConfig(state.kubeconfig, 'admin');

    t = Date.now();
    await bootstrapObjects(admin, restrictedNamespace, options.namespaces ?? []);
    mark('rbac', t);

    if (options.installCrds !== false) {
      t = Date.now();
      state.crds = await installCrds(admin, deadline, bothAlive, (p) =>
        httpGetStatus(`${state.server}${p}`, tlsOptions),
      );
      mark('crds', t);
      log(`installed ${state.crds.length} CRDs`);
    }
    if (options.flux) {
      t = Date.now();
      const fluxOptions = options.flux === true ? {} : options.flux;
      fluxEnv = await startFlux(state.kubeconfig, {
        log,
        deadline,
        ...fluxOptions,
        onStarted: (flux) => (state.flux = flux),
      });
      mark('flux', t);
    }
    mark('total', t0);
    writeFileSync(join(dir, 'state.json'), JSON.stringify(state, null, 2));
  } catch (err) {
    await stopCluster(state).catch(() => undefined);
    throw err;
  }

  let stopped = false;
  return {
    ...state,
    fluxEnv,
    kubeConfig: (context: ContextName = 'admin') => loadKubeConfig(state.kubeconfig, context),
    env: () => ({ KUBECONFIG: state.kubeconfig }),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await stopCluster(state);
    },
  };
}

/** Reads the state.json a started cluster wrote. */
export function readClusterState(file: string): ClusterState {
  if (!existsSync(file)) throw new Error(`no cluster state at ${file}`);
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
}
