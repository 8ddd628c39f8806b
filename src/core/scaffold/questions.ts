/**
 * New App's questions as wizard steps over a partly filled state (VS Code-free): answers given up
 * front skip their steps; the repository pre-fills the rest (targets, sources, charts in use).
 */
import * as path from 'node:path';
import type { RepoModel } from '../repo/model';
import type { PickItem, Reply, Step, StepOutcome, StepRun } from '../wizard';
import { listSources, listTargets, suggestChart, type ClusterTargets } from './defaults';
import type { HelmWorkload, PlainWorkload, SecretInput, SourceRef } from './types';
import {
  appNameError,
  chartError,
  dnsLabelError,
  imageError,
  portError,
  secretKeyError,
  versionError,
} from './validate';

export const NEW_APP_TITLE = 'Flux: New App';

/** The answers so far; undefined means "not answered yet". */
export interface NewAppState {
  cluster?: string;
  /** Key of the target Flux Kustomization. */
  target?: string;
  name?: string;
  namespace?: string;
  kind?: 'helm' | 'plain';
  source?: { existing: SourceRef } | 'new';
  sourceUrl?: string;
  sourceName?: string;
  chart?: string;
  version?: string;
  /** Container image (plain workloads, and the app-template's one container). */
  image?: string;
  /** Container port; null: none (no Service). */
  port?: number | null;
  wantsSecret?: boolean;
  secretData?: Record<string, string>;
  /** A Secret key whose value is asked next. */
  pendingKey?: string;
  secretDone?: boolean;
  /** A workload given whole up front: none of its steps are asked. */
  workload?: HelmWorkload | PlainWorkload;
}

/** What New App scaffolds once every question is answered. */
export interface NewAppAnswers {
  cluster: string;
  target: string;
  name: string;
  namespace: string;
  workload: HelmWorkload | PlainWorkload;
  secret?: SecretInput;
}

/** The bjw-s app-template chart, whose values describe controllers and containers directly. */
export function isAppTemplate(chart: string | undefined): boolean {
  return chart !== undefined && chart.split('/').pop() === 'app-template';
}

// Path segments and host labels that say nothing about whose charts these are.
const GENERIC = new Set(['charts', 'chart', 'helm-charts', 'helm', 'www', 'oci', 'registry', 'registry-1']);
const HOST_SUFFIXES = new Set([
  'io',
  'com',
  'org',
  'net',
  'dev',
  'sh',
  'cloud',
  'github',
  'gitlab',
  'docker',
]);

/**
 * The name to suggest for a new chart source from its URL: the last path segment that is not a
 * generic word (`…/ingress-nginx`, `oci://ghcr.io/stefanprodan/charts` → stefanprodan), else the
 * host's first meaningful label (`https://charts.jetstack.io` → jetstack), as a DNS-1123 label.
 */
export function sourceNameFromUrl(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)([^?#]*)/i.exec(url.trim());
  if (!m) return 'charts';
  const label = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63)
      .replace(/-+$/, '');
  const segments = m[2]
    .split('/')
    .map(label)
    .filter((s) => s !== '' && !GENERIC.has(s));
  if (segments.length > 0) return segments[segments.length - 1];
  const host = m[1].replace(/:\d+$/, '').split('.').map(label);
  const meaningful = host.filter((s) => s !== '' && !GENERIC.has(s) && !HOST_SUFFIXES.has(s));
  return meaningful[0] ?? 'charts';
}

/** `repository[:tag][@digest]` split as app-template's image values want it. */
export function splitImage(image: string): { repository: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const ref = at >= 0 ? image.slice(0, at) : image;
  const colon = ref.lastIndexOf(':');
  const tagged = colon > ref.lastIndexOf('/');
  return {
    repository: tagged ? ref.slice(0, colon) : ref,
    ...(tagged ? { tag: ref.slice(colon + 1) } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** The workload the answers describe. */
function workloadOf(s: NewAppState): HelmWorkload | PlainWorkload {
  if (s.workload) return s.workload;
  const port = s.port === null || s.port === undefined ? {} : { port: s.port };
  if (s.kind === 'plain') return { kind: 'plain', image: s.image ?? '', ...port };
  const source: HelmWorkload['source'] =
    s.source === 'new' || s.source === undefined
      ? {
          new: {
            type: (s.sourceUrl ?? '').startsWith('oci://') ? 'oci' : 'helm',
            name: s.sourceName ?? '',
            url: s.sourceUrl ?? '',
          },
        }
      : s.source;
  return {
    kind: 'helm',
    source,
    chart: s.chart ?? '',
    version: s.version ?? '',
    ...(s.image !== undefined ? { container: { image: s.image, ...port } } : {}),
  };
}

/** The answers of a state no step needs any more. */
export function answersOf(s: NewAppState): NewAppAnswers {
  return {
    cluster: s.cluster ?? '',
    target: s.target ?? '',
    name: s.name ?? '',
    namespace: s.namespace ?? s.name ?? '',
    workload: workloadOf(s),
    ...(s.wantsSecret && s.secretData ? { secret: { data: s.secretData } } : {}),
  };
}

const answered = <S>(state: S, answer: unknown, asked = true): StepOutcome<S> => ({ state, answer, asked });

async function pickStep<T, S>(
  run: StepRun,
  placeholder: string,
  items: Array<PickItem<T>>,
  same: (a: T, b: unknown) => boolean,
  apply: (value: T) => S,
): Promise<StepOutcome<S>> {
  // One choice is no question: taken without asking (and skipped by Back).
  if (items.length === 1) return answered(apply(items[0].value), items[0].value, false);
  const active = items.findIndex((i) => run.previous !== undefined && same(i.value, run.previous));
  const reply: Reply<T> = await run.ui.pick({
    ...run.context,
    placeholder,
    items,
    ...(active >= 0 ? { active } : {}),
  });
  if (reply === 'back' || reply === 'cancel') return reply;
  return answered(apply(reply.value), reply.value);
}

async function askStep<S>(
  run: StepRun,
  question: { prompt: string; value: string; placeholder?: string; password?: boolean },
  validate: (text: string) => string | null,
  apply: (text: string) => S,
  /** What to pre-fill when asked again (default: the text); undefined: the default again. */
  remember: (text: string) => string | undefined = (text) => text,
): Promise<StepOutcome<S>> {
  const reply = await run.ui.ask({
    ...run.context,
    ...question,
    value: typeof run.previous === 'string' ? run.previous : question.value,
    validate,
  });
  if (reply === 'back' || reply === 'cancel') return reply;
  return answered(apply(reply.value.trim()), remember(reply.value.trim()));
}

const helm = (s: NewAppState) => !s.workload && s.kind === 'helm';
const plain = (s: NewAppState) => !s.workload && s.kind === 'plain';
const newSource = (s: NewAppState) => helm(s) && s.source === 'new';
/** An existing OCIRepository pins its chart and version itself. */
const chartAsked = (s: NewAppState) =>
  helm(s) && !(s.source !== undefined && s.source !== 'new' && s.source.existing.kind === 'OCIRepository');
const containerAsked = (s: NewAppState) => plain(s) || (chartAsked(s) && isAppTemplate(s.chart));

/** New App's steps for a repository model (the cluster list comes from `listTargets`). */
export function newAppSteps(
  model: RepoModel,
  clusters: ClusterTargets[] = withTargets(model),
): Array<Step<NewAppState>> {
  const clusterOf = (s: NewAppState) => clusters.find((c) => c.cluster === s.cluster);
  /** The chart and version the chosen existing source's other releases use (none for a new source). */
  const chartSuggestion = (s: NewAppState): ReturnType<typeof suggestChart> =>
    s.source !== undefined && s.source !== 'new' ? suggestChart(model, s.source.existing, s.cluster) : null;
  return [
    {
      id: 'cluster',
      needed: (s) => s.cluster === undefined,
      run: (s, run) =>
        pickStep(
          run,
          'Which cluster?',
          clusters.map((c) => ({ label: c.cluster, description: c.folder, value: c.cluster })),
          (a, b) => a === b,
          (cluster) => ({ ...s, cluster }),
        ),
    },
    {
      id: 'target',
      needed: (s) => s.target === undefined,
      run: (s, run) => {
        const cluster = clusterOf(s)!;
        return pickStep(
          run,
          'Add the app to which Flux Kustomization?',
          [...cluster.targets]
            .sort((a, b) => Number(b.name === 'apps') - Number(a.name === 'apps'))
            .map((t) => ({
              label: t.name,
              description: `${t.apps.length} apps · ${path.relative(cluster.folder, t.folder) || '.'}`,
              value: t.key,
            })),
          (a, b) => a === b,
          (target) => ({ ...s, target }),
        );
      },
    },
    {
      id: 'name',
      needed: (s) => s.name === undefined,
      run: (s, run) =>
        askStep(
          run,
          { prompt: 'App name (a DNS-1123 label: lower-case letters, digits and -)', value: '' },
          (text) => appNameError(model, s.cluster!, s.target!, text),
          (name) => ({ ...s, name }),
        ),
    },
    {
      id: 'namespace',
      needed: (s) => s.namespace === undefined,
      run: (s, run) =>
        askStep(
          run,
          { prompt: 'Namespace', value: s.name ?? '' },
          (text) => dnsLabelError(text, 'The namespace'),
          (namespace) => ({ ...s, namespace }),
          // A namespace left at the app's name follows the name when it is changed after Back.
          (namespace) => (namespace === s.name ? undefined : namespace),
        ),
    },
    {
      id: 'kind',
      needed: (s) => !s.workload && s.kind === undefined,
      run: (s, run) =>
        pickStep(
          run,
          'What does the app deploy?',
          [
            { label: '$(package) A Helm chart', description: 'HelmRelease', value: 'helm' as const },
            {
              label: '$(server-process) An image',
              description: 'Deployment + Service',
              value: 'plain' as const,
            },
          ],
          (a, b) => a === b,
          (kind) => ({ ...s, kind }),
        ),
    },
    {
      id: 'source',
      needed: (s) => helm(s) && s.source === undefined,
      run: (s, run) =>
        pickStep<{ existing: SourceRef } | 'new', NewAppState>(
          run,
          'Chart source',
          [
            ...listSources(model, s.cluster).map((source) => ({
              label: source.name,
              description: `${source.kind} · ${source.url ?? ''}`,
              detail:
                source.usedBy > 0
                  ? `used by ${source.usedBy} release${source.usedBy === 1 ? '' : 's'}`
                  : undefined,
              value: { existing: { kind: source.kind, name: source.name, namespace: source.namespace } },
            })),
            { label: '$(add) Add a chart repository…', description: 'https:// or oci://', value: 'new' },
          ],
          (a, b) => JSON.stringify(a) === JSON.stringify(b),
          (source) => ({ ...s, source }),
        ),
    },
    {
      id: 'sourceUrl',
      needed: (s) => newSource(s) && s.sourceUrl === undefined,
      run: (s, run) =>
        askStep(
          run,
          { prompt: 'Chart repository URL', value: '' },
          (text) => (/^(https?|oci):\/\/\S+$/.test(text) ? null : 'Give an https:// or oci:// URL.'),
          (sourceUrl) => ({ ...s, sourceUrl }),
        ),
    },
    {
      id: 'sourceName',
      needed: (s) => newSource(s) && s.sourceName === undefined,
      run: (s, run) =>
        askStep(
          run,
          { prompt: 'Name of the new source', value: sourceNameFromUrl(s.sourceUrl ?? '') },
          (text) => dnsLabelError(text, 'The source name'),
          (sourceName) => ({ ...s, sourceName }),
        ),
    },
    {
      id: 'chart',
      needed: (s) => chartAsked(s) && s.chart === undefined,
      run: (s, run) => {
        const suggestion = chartSuggestion(s);
        return askStep(
          run,
          { prompt: 'Chart name', value: suggestion?.chart ?? s.name ?? '' },
          chartError,
          (chart) => ({ ...s, chart }),
        );
      },
    },
    {
      id: 'version',
      needed: (s) => chartAsked(s) && s.version === undefined,
      run: (s, run) => {
        const suggestion = chartSuggestion(s);
        return askStep(
          run,
          {
            prompt: 'Chart version',
            value: suggestion?.chart === s.chart ? (suggestion?.version ?? '') : '',
            placeholder: 'e.g. 4.1.1 or 1.x',
          },
          versionError,
          (version) => ({ ...s, version }),
        );
      },
    },
    {
      id: 'image',
      needed: (s) => containerAsked(s) && s.image === undefined,
      run: (s, run) =>
        askStep(
          run,
          {
            prompt: plain(s) ? 'Container image' : 'Container image of the app (repository:tag)',
            value: '',
            placeholder: 'ghcr.io/org/app:1.2.3',
          },
          (text) =>
            imageError(text) ??
            (plain(s) || splitImage(text).tag !== undefined || splitImage(text).digest !== undefined
              ? null
              : 'Give the image with its tag (repository:tag).'),
          (image) => ({ ...s, image }),
        ),
    },
    {
      id: 'port',
      needed: (s) => containerAsked(s) && s.port === undefined,
      run: (s, run) =>
        askStep(
          run,
          { prompt: 'Container port (empty: no Service)', value: '80' },
          (text) => (text === '' ? null : portError(Number(text))),
          (text) => ({ ...s, port: text === '' ? null : Number(text) }),
        ),
    },
    {
      id: 'secret',
      needed: (s) => s.wantsSecret === undefined,
      run: (s, run) =>
        pickStep(
          run,
          'Add a Secret (encrypted with SOPS)?',
          [
            { label: 'No Secret', value: false },
            {
              label: '$(lock) Add a Secret with keys I type',
              description: 'values masked, encrypted before they are written',
              value: true,
            },
          ],
          (a, b) => a === b,
          (wantsSecret) => ({
            ...s,
            wantsSecret,
            ...(wantsSecret ? { secretData: {} } : { secretDone: true }),
          }),
        ),
    },
    {
      id: 'secretValue',
      needed: (s) => s.pendingKey !== undefined,
      run: (s, run) =>
        askStep(
          run,
          { prompt: `Value of ${s.pendingKey}`, value: '', password: true },
          () => null,
          (value) => {
            const { pendingKey, ...rest } = s;
            return { ...rest, secretData: { ...s.secretData, [pendingKey!]: value } };
          },
        ),
    },
    {
      id: 'secretKey',
      needed: (s) => s.wantsSecret === true && s.secretDone !== true,
      run: (s, run) => {
        const first = Object.keys(s.secretData ?? {}).length === 0;
        return askStep(
          run,
          { prompt: first ? 'Secret key (e.g. API_TOKEN)' : 'Another key (empty: done)', value: '' },
          (text) =>
            text === '' && !first
              ? null
              : (secretKeyError(text) ?? (text in (s.secretData ?? {}) ? `${text} is already a key.` : null)),
          (key) => (key === '' ? { ...s, secretDone: true } : { ...s, pendingKey: key }),
        );
      },
    },
  ];
}

/** The clusters that have a Flux Kustomization to add an app to. */
export function withTargets(model: RepoModel): ClusterTargets[] {
  return listTargets(model).filter((c) => c.targets.length > 0);
}

/** The first state: what was given up front; a workload given whole leaves only name and target to ask. */
export function initialState(
  given: Partial<NewAppAnswers> & { secret?: SecretInput | null },
  preset: { cluster?: string; target?: string } = {},
): NewAppState {
  const state: NewAppState = {
    cluster: given.cluster ?? preset.cluster,
    target: given.target ?? preset.target,
    name: given.name,
    namespace: given.namespace,
  };
  if (given.secret !== undefined) {
    state.wantsSecret = given.secret !== null;
    state.secretDone = true;
    if (given.secret) state.secretData = given.secret.data;
  }
  if (given.workload) {
    state.workload = given.workload;
    // What to deploy was given: the optional answers take their defaults.
    if (state.namespace === undefined && state.name !== undefined) state.namespace = state.name;
    if (state.wantsSecret === undefined) {
      state.wantsSecret = false;
      state.secretDone = true;
    }
  }
  return Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)) as NewAppState;
}
