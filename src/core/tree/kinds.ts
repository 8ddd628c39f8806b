/**
 * The one table of how the views present an object kind: its codicon, the API group that makes it
 * a Flux object (toolkit controllers, the Flux Operator, source extensions) and whether it gets
 * CodeLenses (only the kinds the extension watches and can reconcile).
 */
import { isFluxKind, type FluxKind } from '../cluster/kinds';
import type { ManifestObject } from '../repo/model';

interface KindPresentation {
  /** A codicon name. */
  icon: string;
  /** API group of the Flux kind of that name; absent for Kubernetes kinds. */
  fluxGroup?: string;
  /** Status and action lenses above its documents. */
  lens?: boolean;
}

const SOURCE = 'source.toolkit.fluxcd.io';
const NOTIFICATION = 'notification.toolkit.fluxcd.io';
const IMAGE = 'image.toolkit.fluxcd.io';
const OPERATOR = 'fluxcd.controlplane.io';

const KINDS: Readonly<Record<string, KindPresentation>> = {
  Kustomization: { icon: 'layers', fluxGroup: 'kustomize.toolkit.fluxcd.io', lens: true },
  HelmRelease: { icon: 'package', fluxGroup: 'helm.toolkit.fluxcd.io', lens: true },
  GitRepository: { icon: 'repo', fluxGroup: SOURCE, lens: true },
  OCIRepository: { icon: 'archive', fluxGroup: SOURCE, lens: true },
  HelmRepository: { icon: 'library', fluxGroup: SOURCE, lens: true },
  HelmChart: { icon: 'file-zip', fluxGroup: SOURCE },
  Bucket: { icon: 'database', fluxGroup: SOURCE },
  ExternalArtifact: { icon: 'export', fluxGroup: SOURCE },
  ArtifactGenerator: { icon: 'gear', fluxGroup: 'source.extensions.fluxcd.io' },
  Provider: { icon: 'bell', fluxGroup: NOTIFICATION },
  Alert: { icon: 'bell-dot', fluxGroup: NOTIFICATION },
  Receiver: { icon: 'radio-tower', fluxGroup: NOTIFICATION },
  ImageRepository: { icon: 'file-media', fluxGroup: IMAGE },
  ImagePolicy: { icon: 'law', fluxGroup: IMAGE },
  ImageUpdateAutomation: { icon: 'git-commit', fluxGroup: IMAGE },
  FluxInstance: { icon: 'rocket', fluxGroup: OPERATOR },
  FluxReport: { icon: 'checklist', fluxGroup: OPERATOR },
  ResourceSet: { icon: 'symbol-array', fluxGroup: OPERATOR },
  ResourceSetInputProvider: { icon: 'symbol-parameter', fluxGroup: OPERATOR },
  Namespace: { icon: 'symbol-namespace' },
  Secret: { icon: 'key' },
  ConfigMap: { icon: 'symbol-constant' },
  Deployment: { icon: 'server-process' },
  StatefulSet: { icon: 'server-process' },
  DaemonSet: { icon: 'server-process' },
  Service: { icon: 'plug' },
  Ingress: { icon: 'globe' },
  ServiceAccount: { icon: 'account' },
  Role: { icon: 'shield' },
  ClusterRole: { icon: 'shield' },
  RoleBinding: { icon: 'shield' },
  ClusterRoleBinding: { icon: 'shield' },
  CustomResourceDefinition: { icon: 'symbol-class' },
  PersistentVolumeClaim: { icon: 'save' },
  CronJob: { icon: 'watch' },
  Job: { icon: 'run-all' },
};

/** The codicon shown for an object kind (a generic one for kinds without their own). */
export function iconForKind(kind: string, sops: ManifestObject['sops'] = null): string {
  if (kind === 'Secret' && sops === 'encrypted') return 'lock';
  if (kind === 'Secret' && sops === 'plaintext') return 'unlock';
  return Object.prototype.hasOwnProperty.call(KINDS, kind) ? KINDS[kind].icon : 'symbol-misc';
}

/** True for an object of a Flux API: a toolkit controller's, the Flux Operator's or a source extension's. */
export function isFluxObject(apiVersion: string, kind: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (Object.prototype.hasOwnProperty.call(KINDS, kind) && KINDS[kind].fluxGroup === group) return true;
  // Kinds of newer Flux releases than this table: the toolkit's groups are Flux's by name.
  return group.endsWith('.toolkit.fluxcd.io');
}

/** True when documents of this kind get CodeLenses (watched kinds that can be reconciled). */
export function hasLenses(apiVersion: string, kind: string): kind is FluxKind {
  return (
    isFluxKind(kind) &&
    KINDS[kind]?.lens === true &&
    KINDS[kind].fluxGroup === apiVersion.slice(0, apiVersion.indexOf('/'))
  );
}
