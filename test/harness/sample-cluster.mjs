// EMULATED STATUS, for the UI tests' `live` session only: the sample repository's Flux objects on a
// real kube-apiserver (test/env), with statuses written by the status writer and the controller
// emulation answering reconcile requests, so screenshots show fixed states (a failed upgrade, a
// Kustomization reconciling). `npm start -- --live` runs the sample on real Flux instead
// (live-sample.mjs). Needs bash test/env/install.sh and the compiled test env (npm run compile-tests).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './code-server.mjs';

const require = createRequire(import.meta.url);

/** Starts the cluster with the sample's objects; returns it with the settings that bind the sample to it and stop(). */
export async function startSampleCluster() {
  const envDir = path.join(repoRoot, 'out', 'test', 'env');
  if (!fs.existsSync(path.join(envDir, 'cluster.js')))
    throw new Error('out/test/env is missing: run npm run compile-tests');
  const { startCluster } = require(path.join(envDir, 'cluster.js'));
  const { StatusWriter } = require(path.join(envDir, 'status-writer.js'));
  const { startControllerEmulation } = require(path.join(envDir, 'controller-emulation.js'));
  const k8s = require('@kubernetes/client-node');

  const cluster = await startCluster({ namespaces: ['podinfo', 'redis', 'cert-manager', 'ingress-nginx'] });
  let emulation;
  try {
    const kc = cluster.kubeConfig('admin');
    const client = k8s.KubernetesObjectApi.makeApiClient(kc);
    const root = path.join(repoRoot, 'samples', 'homelab', 'flux', 'clusters', 'homelab');
    // ingress-nginx is left out on purpose: the tree shows it as "not in cluster".
    for (const file of [
      'flux-system/gotk-sync.yaml',
      'infra.yaml',
      'apps.yaml',
      'infra/jetstack.yaml',
      'infra/cert-manager/release.yaml',
      'apps/podinfo/release.yaml',
      'apps/redis/release.yaml',
    ]) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(root, file), 'utf8')))
        await client.create(doc.toJSON());
    }
    const writer = new StatusWriter(kc);
    const ref = (kind, namespace, name) => ({ kind, namespace, name });
    for (const r of [
      ref('GitRepository', 'flux-system', 'flux-system'),
      ref('Kustomization', 'flux-system', 'flux-system'),
      ref('Kustomization', 'flux-system', 'infra'),
      ref('HelmRepository', 'flux-system', 'jetstack'),
      ref('OCIRepository', 'podinfo', 'podinfo'),
      ref('HelmRepository', 'redis', 'bitnami'),
    ]) {
      await writer.ready(r);
    }
    await writer.ready(ref('HelmRelease', 'cert-manager', 'cert-manager'), {
      chartName: 'cert-manager',
      chartVersion: 'v1.16.2',
    });
    await writer.ready(ref('HelmRelease', 'podinfo', 'podinfo'), {
      chartName: 'podinfo',
      chartVersion: '6.7.1',
    });
    await writer.failed(ref('HelmRelease', 'redis', 'redis'), {
      reason: 'UpgradeFailed',
      message: 'Helm upgrade failed: timed out waiting for the condition',
    });
    await writer.reconciling(ref('Kustomization', 'flux-system', 'apps'));
    emulation = await startControllerEmulation(kc, { delayMs: 800 });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return {
    cluster,
    settings: {
      'fluxGitops.kubeconfig': cluster.kubeconfig,
      'fluxGitops.clusterContexts': { homelab: 'admin' },
    },
    async stop() {
      await emulation?.stop().catch(() => {});
      await cluster.stop().catch(() => {});
    },
  };
}
