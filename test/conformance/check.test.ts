/**
 * `flux-gitops check` on real repositories: every error and warning it reports on each corpus
 * repository is listed here with the reason it is real. Anything else it reports is a false alarm
 * (a bug of ours), and anything listed that it stops reporting is a lost finding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanRepository } from '../../src/core/repo';
import { copyAsCheckout, corpus, ORIGINS } from './support';

interface Expected {
  severity: 'error' | 'warning';
  code: string;
  /** File the problem is reported on, relative to the repository. */
  file: string;
  /** What the problem is about (a folder or file named in the message). */
  about: string;
  reason: string;
}

const UNLISTED = 'nothing lists it and no comment mentions it: forgotten or left over';

const EXPECTED: Record<string, Expected[]> = {
  'fluxcd+flux2-kustomize-helm-example': [],
  'fluxcd+flux2-multi-tenancy': [],
  'onedr0p+home-ops': [],
  'buroa+k8s-gitops': [],
  'saavy1+sb': [
    {
      severity: 'warning',
      code: 'not-applied',
      file: 'argocd/clusters/superbloom/infra/kustomization.yaml',
      about: 'kubernetes-mcp/',
      reason: `an Argo CD Application folder beside the listed ones; ${UNLISTED}`,
    },
    {
      severity: 'warning',
      code: 'not-applied',
      file: 'argocd/clusters/superbloom/infra/kustomization.yaml',
      about: 'nvidia-gpu-operator/',
      reason: `an Argo CD Application folder beside the listed ones; ${UNLISTED}`,
    },
  ],
  'toboshii+home-ops': [
    {
      severity: 'warning',
      code: 'not-applied',
      file: 'cluster/apps/kustomization.yaml',
      about: 'cluster/apps/ext-gateway/',
      reason: UNLISTED,
    },
    {
      severity: 'warning',
      code: 'not-applied',
      file: 'cluster/apps/kustomization.yaml',
      about: 'cluster/apps/falco-system/',
      reason: UNLISTED,
    },
    {
      severity: 'warning',
      code: 'not-applied',
      file: 'cluster/apps/kustomization.yaml',
      about: 'cluster/apps/mail/',
      reason: UNLISTED,
    },
    {
      severity: 'warning',
      code: 'not-applied',
      file: 'cluster/apps/media/plex/kustomization.yaml',
      about: 'uptimerobot-monitor.yaml',
      reason: UNLISTED,
    },
    {
      severity: 'warning',
      code: 'not-applied',
      file: 'cluster/charts/kustomization.yaml',
      about: 'gitea-charts.yaml',
      reason: UNLISTED,
    },
    {
      severity: 'warning',
      code: 'not-applied',
      file: 'cluster/core/kustomization.yaml',
      about: 'cluster/core/namespaces/',
      reason: UNLISTED,
    },
    {
      severity: 'warning',
      code: 'not-applied',
      file: 'cluster/crds/kustomization.yaml',
      about: 'cluster/crds/external-dns/',
      reason: UNLISTED,
    },
    {
      severity: 'warning',
      code: 'unresolved-reference',
      file: 'cluster/apps/monitoring/node-problem-detector/helm-release.yaml',
      about: 'deliveryhero-charts',
      reason:
        'no file defines this HelmRepository: Flux fails the HelmRelease unless it exists in the cluster',
    },
  ],
  'xunholy+k8s-gitops': [
    {
      severity: 'warning',
      code: 'not-applied',
      file: 'kubernetes/apps/base/game-servers/minecraft-rcon-web/app/kustomization.yaml',
      about: 'secret.enc.age.yaml',
      reason: UNLISTED,
    },
    ...[
      'crossplane-system/examples/',
      'development/vcluster/ks.yaml',
      'security-system/crowdsec/ks.yaml',
      'security-system/falco/ks.yaml',
      'security-system/falco-exporter/ks.yaml',
    ].map((entry): Expected => ({
      severity: 'warning',
      code: 'not-applied',
      file: 'kubernetes/apps/overlays/cluster-00/kustomization.yaml',
      about: `../../base/${entry}`,
      reason: `${UNLISTED}; the overlay lists (or comments out) its sibling apps' ks.yaml, so that is the line to add`,
    })),
  ],
};

test('check on each corpus repository reports exactly the problems listed, each with its reason', (t) => {
  if (!fs.existsSync(corpus)) {
    t.skip(`${corpus} is absent (it comes with ../shared)`);
    return;
  }
  const failures: string[] = [];
  for (const name of Object.keys(ORIGINS)) {
    const dir = copyAsCheckout(name);
    try {
      const started = process.hrtime.bigint();
      const model = scanRepository([dir]);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const reported = model.problems.filter((p) => p.severity !== 'info');
      const rel = (f: string): string => path.relative(dir, f).split(path.sep).join('/');
      const shown = (p: (typeof reported)[number]): string =>
        `${rel(p.file)}:${p.line}: ${p.severity} [${p.code}] ${p.message}`;
      const expected = EXPECTED[name] ?? [];
      const matchedBy = new Map<Expected, number>();
      for (const p of reported) {
        const e = expected.find(
          (x) =>
            x.severity === p.severity &&
            x.code === p.code &&
            x.file === rel(p.file) &&
            p.message.includes(x.about),
        );
        if (e) matchedBy.set(e, (matchedBy.get(e) ?? 0) + 1);
        else failures.push(`${name}: not expected: ${shown(p)}`);
      }
      for (const e of expected) {
        const n = matchedBy.get(e) ?? 0;
        if (n !== 1)
          failures.push(
            `${name}: expected once, reported ${n} times: ${e.severity} [${e.code}] ${e.file} about ${e.about} (${e.reason})`,
          );
      }
      if (model.problems.some((p) => /flux-system\/flux-system is not in the repository/.test(p.message)))
        failures.push(`${name}: reports its own sync source as missing`);
      const errors = reported.filter((p) => p.severity === 'error').length;
      console.log(
        `${name.padEnd(38)} ${String(errors).padStart(2)} errors ${String(reported.length - errors).padStart(3)} warnings ${String(model.problems.length - reported.length).padStart(3)} infos  ${ms.toFixed(0).padStart(5)} ms`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  assert.deepEqual(failures, []);
});
