/**
 * A synthetic Flux repository for benchmarks and load tests: one cluster, 20 Flux
 * Kustomizations of apps over a shared HelmRepository, and per app a kustomize folder with a
 * Namespace, a HelmRelease (with YAML anchors), a SOPS-encrypted Secret and a ConfigMap. 2,000
 * apps make about 10,000 files. Used by scripts/bench*.mjs and the scan worker tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SyntheticRepoOptions {
  /** Number of app folders (default 2,000). */
  apps?: number;
  /** CustomResourceDefinitions in gotk-components.yaml (default 32, about Flux's own size). */
  crds?: number;
}

export interface SyntheticRepo {
  root: string;
  /** Files written. */
  files: number;
  /** Manifest files among them. */
  manifests: number;
}

export const GROUPS = 20;

/**
 * Flux's own gotk-components.yaml is ~470 KB of CustomResourceDefinitions: deep schemas whose
 * descriptions are `|-` blocks, as controller-gen writes them.
 */
function crdBundle(count: number): string {
  const docs: string[] = [];
  for (let c = 0; c < count; c++) {
    const fields: string[] = [];
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

function fluxKs(name: string, specPath: string, dependsOn: string[] = []): string {
  const deps = dependsOn.length ? `  dependsOn:\n${dependsOn.map((d) => `    - name: ${d}\n`).join('')}` : '';
  return `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m0s
  path: ./${specPath}
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

/** Writes the repository into `root` (an empty folder); a bare `.git` folder makes it the Git root. */
export function generateSyntheticRepo(root: string, options: SyntheticRepoOptions = {}): SyntheticRepo {
  const appCount = options.apps ?? 2000;
  const crds = options.crds ?? 32;
  let files = 0;
  let manifests = 0;
  const write = (rel: string, text: string): string => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    files++;
    return p;
  };
  fs.mkdirSync(path.join(root, '.git'));
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
  write('clusters/prod/flux-system/gotk-components.yaml', crdBundle(crds));
  write(
    'clusters/prod/flux-system/kustomization.yaml',
    'resources:\n  - gotk-components.yaml\n  - gotk-sync.yaml\n',
  );
  write('clusters/prod/infra.yaml', fluxKs('infra', 'infra'));
  const groupFiles: string[] = [];
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
    const apps: string[] = [];
    for (let a = g; a < appCount; a += GROUPS) {
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
  return { root, files, manifests };
}
