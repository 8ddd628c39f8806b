// Realistic Flux objects as the controllers leave them (shapes from Flux v2.7 status fields).
import { FluxObject } from '../../../src/core/cluster/status';

export const GIT_SHA = '4e5cbb7b97d00a0f2e4a9d3b1c0a5e6f7a8b9c0d';
export const OCI_DIGEST = 'd3c1f0a4b5e6978812ab34cd56ef7890a1b2c3d4e5f60718293a4b5c6d7e8f90';

export function kustomization(overrides: Partial<FluxObject> = {}): FluxObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace: 'flux-system', generation: 3, resourceVersion: '1001' },
    spec: {
      interval: '10m0s',
      path: './apps/superbloom',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    },
    status: {
      observedGeneration: 3,
      lastAppliedRevision: `main@sha1:${GIT_SHA}`,
      lastAttemptedRevision: `main@sha1:${GIT_SHA}`,
      lastHandledReconcileAt: '2026-01-10T09:00:00.123456789Z',
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          observedGeneration: 3,
          reason: 'ReconciliationSucceeded',
          message: `Applied revision: main@sha1:${GIT_SHA}`,
          lastTransitionTime: '2026-01-10T09:00:02Z',
        },
      ],
    },
    ...overrides,
  };
}

export function helmRelease(status: Record<string, unknown>, spec: Record<string, unknown> = {}): FluxObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'podinfo', namespace: 'apps', generation: 1, resourceVersion: '2001' },
    spec: {
      interval: '30m',
      chart: {
        spec: {
          chart: 'podinfo',
          version: '6.5.4',
          sourceRef: { kind: 'HelmRepository', name: 'podinfo', namespace: 'flux-system' },
        },
      },
      ...spec,
    },
    status,
  };
}

export function gitRepository(status: Record<string, unknown> = {}): FluxObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'flux-system', namespace: 'flux-system', generation: 1, resourceVersion: '3001' },
    spec: { interval: '1m0s', url: 'ssh://git@github.com/acme/fleet-infra', ref: { branch: 'main' } },
    status: {
      observedGeneration: 1,
      artifact: {
        revision: `main@sha1:${GIT_SHA}`,
        digest: `sha256:${OCI_DIGEST}`,
        lastUpdateTime: '2026-01-10T08:59:00Z',
        path: 'gitrepository/flux-system/flux-system/x.tar.gz',
        url: 'http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/flux-system/x.tar.gz',
      },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          observedGeneration: 1,
          reason: 'Succeeded',
          message: `stored artifact for revision 'main@sha1:${GIT_SHA}'`,
          lastTransitionTime: '2026-01-10T08:59:00Z',
        },
        {
          type: 'ArtifactInStorage',
          status: 'True',
          observedGeneration: 1,
          reason: 'Succeeded',
          message: `stored artifact for revision 'main@sha1:${GIT_SHA}'`,
          lastTransitionTime: '2026-01-10T08:59:00Z',
        },
      ],
      ...status,
    },
  };
}
