// "Diff with cluster" and "Build" for one Flux Kustomization of the working tree.
//
// Which objects change is Flux's own verdict: `flux diff kustomization` (its build, its
// server-side dry run, its exclusions, drift-ignore rules, SOPS handling and inventory-based
// pruning). flux prints only a dyff report of each drift, not the objects, so the two whole
// sides for the editor come from the API server: the live object (GET) and the same server-side
// dry-run apply flux makes, of the object `flux build` renders. Both are normalised the same way
// and Secrets are masked before any text leaves this module.
import { runProcess } from '../process/run';
import {
  describeRun,
  fluxBuildArgs,
  fluxDiffArgs,
  type FluxCli,
  type KustomizationTarget,
  type Run,
} from './fluxCli';
import { formatSubject, parseFluxDiffOutput, type ChangeAction, type FluxDiffChange } from './diffOutput';
import type { ObjectReader } from './liveObjects';
import {
  maskBuildOutput,
  maskSecrets,
  matchesSubject,
  normaliseObject,
  objectYaml,
  parseObjects,
  type KubeObject,
} from './objects';

export const DEFAULT_FLUX_TIMEOUT_MS = 120_000;

/** One object that would change, with both sides as YAML ('' for the side that does not exist). */
export interface ObjectDiff {
  action: ChangeAction;
  /** `Kind/namespace/name`, as flux prints it. */
  subject: string;
  kind: string;
  namespace: string;
  name: string;
  live: string;
  wouldBe: string;
  /** flux's own report of a drift (dyff lines). */
  report: string;
  /** Set when a side is not the server's answer (e.g. the dry run failed), and why. */
  note?: string;
}

export type DiffOutcome =
  | { kind: 'diff'; changes: ObjectDiff[]; built: number }
  | { kind: 'failed'; message: string }
  | { kind: 'cancelled' };

export interface FluxRunOptions {
  cli: FluxCli;
  target: KustomizationTarget;
  /** Environment for flux (KUBECONFIG of the cluster's binding). */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  timeoutMs?: number;
  run?: Run;
  /** Each command line, for the log. */
  onCommand?: (line: string) => void;
}

const ACTION_ORDER: Record<ChangeAction, number> = { created: 0, drifted: 1, deleted: 2, skipped: 3 };

async function runFlux(options: FluxRunOptions, args: string[]) {
  const run = options.run ?? runProcess;
  options.onCommand?.(`${options.cli.path} ${args.join(' ')}`);
  return run(options.cli.path, args, {
    cwd: options.target.cwd,
    env: options.env,
    signal: options.signal,
    // A little longer than flux's own --timeout, so flux reports its own timeout when it can.
    timeoutMs: (options.timeoutMs ?? DEFAULT_FLUX_TIMEOUT_MS) + 5_000,
  });
}

const timeoutSeconds = (options: FluxRunOptions) =>
  Math.ceil((options.timeoutMs ?? DEFAULT_FLUX_TIMEOUT_MS) / 1000);

export type BuildOutcome =
  { kind: 'built'; objects: KubeObject[] } | { kind: 'failed'; message: string } | { kind: 'cancelled' };

/** `flux build kustomization` and its objects (Secrets not yet masked: callers mask). */
export async function buildKustomization(
  options: FluxRunOptions & { dryRun: boolean },
): Promise<BuildOutcome> {
  const result = await runFlux(
    options,
    fluxBuildArgs(options.target, options.cli, {
      dryRun: options.dryRun,
      timeoutSeconds: timeoutSeconds(options),
    }),
  );
  if (result.kind === 'cancelled') return { kind: 'cancelled' };
  if (result.kind !== 'ok') return { kind: 'failed', message: `flux build failed: ${describeRun(result)}` };
  try {
    return { kind: 'built', objects: parseObjects(result.stdout) };
  } catch (error) {
    return { kind: 'failed', message: `flux build printed ${(error as Error).message}` };
  }
}

/** "Flux: Build": the rendered objects as YAML, every Secret value masked. */
export async function renderKustomization(
  options: FluxRunOptions & { dryRun: boolean },
): Promise<{ kind: 'rendered'; yaml: string; count: number } | Exclude<BuildOutcome, { kind: 'built' }>> {
  const built = await buildKustomization(options);
  if (built.kind !== 'built') return built;
  return { kind: 'rendered', yaml: maskBuildOutput(built.objects), count: built.objects.length };
}

/** The inventory entry of a pruned object gives its API version (flux prints only the kind). */
function apiVersionFromInventory(
  kustomization: KubeObject | undefined,
  change: FluxDiffChange,
): string | undefined {
  const inventory = (kustomization?.status as { inventory?: { entries?: { id?: string; v?: string }[] } })
    ?.inventory;
  for (const entry of inventory?.entries ?? []) {
    const [namespace, name, group, kind] = (entry.id ?? '').split('_');
    const { subject } = change;
    if (kind === subject.kind && name === subject.name && namespace === subject.namespace && entry.v) {
      return group ? `${group}/${entry.v}` : entry.v;
    }
  }
  return undefined;
}

/** What would change if Flux applied the working tree now, object by object. */
export async function diffKustomization(
  options: FluxRunOptions & { reader: ObjectReader },
): Promise<DiffOutcome> {
  const diff = await runFlux(options, fluxDiffArgs(options.target, options.cli, timeoutSeconds(options)));
  if (diff.kind === 'cancelled') return { kind: 'cancelled' };
  let changes: FluxDiffChange[];
  if (diff.kind === 'ok') changes = parseFluxDiffOutput(diff.stdout);
  else if (diff.kind === 'failed' && diff.code === 1 && /identified at least one change/.test(diff.stderr)) {
    changes = parseFluxDiffOutput(diff.stdout);
  } else return { kind: 'failed', message: `flux diff failed: ${describeRun(diff)}` };

  const built = await buildKustomization({ ...options, dryRun: false });
  if (built.kind !== 'built') return built;
  const needsInventory = changes.some((c) => c.action === 'deleted');
  const { reader } = options;
  let kustomization: KubeObject | undefined;
  try {
    kustomization = needsInventory
      ? await reader.read({
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: options.target.name, namespace: options.target.namespace },
        })
      : undefined;
  } catch (error) {
    return { kind: 'failed', message: (error as Error).message };
  }

  const out: ObjectDiff[] = [];
  for (const change of [...changes].sort((a, b) => ACTION_ORDER[a.action] - ACTION_ORDER[b.action])) {
    if (options.signal?.aborted) return { kind: 'cancelled' };
    try {
      out.push(await sidesOf(change, built.objects, kustomization, reader));
    } catch (error) {
      return { kind: 'failed', message: (error as Error).message };
    }
  }
  return { kind: 'diff', changes: out, built: built.objects.length };
}

async function sidesOf(
  change: FluxDiffChange,
  built: readonly KubeObject[],
  kustomization: KubeObject | undefined,
  reader: ObjectReader,
): Promise<ObjectDiff> {
  const { subject } = change;
  const base = {
    action: change.action,
    subject: formatSubject(subject),
    ...subject,
    report: change.report,
  };
  let live: KubeObject | undefined;
  let wouldBe: KubeObject | undefined;
  let note: string | undefined;
  const desired = built.find((object) => matchesSubject(object, subject));
  if (change.action === 'deleted') {
    const apiVersion = apiVersionFromInventory(kustomization, change);
    if (!apiVersion) note = 'not in the live inventory any more';
    else {
      live = await reader.read({
        apiVersion,
        kind: subject.kind,
        metadata: { name: subject.name, namespace: subject.namespace || undefined },
      });
    }
  } else if (!desired) {
    note = 'flux build did not print this object';
  } else if (change.action === 'skipped') {
    // Excluded from apply (kustomize.toolkit.fluxcd.io/reconcile: disabled, ssa: ignore…).
    live = await reader.read(desired);
    wouldBe = live;
    note = 'skipped: Flux leaves it as it is';
  } else {
    live = change.action === 'created' ? undefined : await reader.read(desired);
    try {
      wouldBe = await reader.dryRunApply(desired);
    } catch (error) {
      // A new object in a namespace that is new too cannot be dry-run: show what Git renders.
      if (change.action !== 'created') throw error;
      wouldBe = desired;
      note = `as rendered (the server's dry run refused it: ${(error as Error).message})`;
    }
  }
  const [maskedLive, maskedWouldBe] = maskSecrets(
    live && normaliseObject(live),
    wouldBe && normaliseObject(wouldBe),
  );
  const sides = { live: objectYaml(maskedLive), wouldBe: objectYaml(maskedWouldBe) };
  if (change.action === 'drifted' && sides.live === sides.wouldBe && !note) {
    // flux compares labels and annotations too: an object made outside Flux lacks its labels.
    note = `differs only in what the diff leaves out (kustomize-controller's labels, server metadata): ${change.report.split('\n')[0]}`;
  }
  return note ? { ...base, ...sides, note } : { ...base, ...sides };
}
