// New App's questions driven through a scripted UI (no VS Code): Back re-asks the previous asked
// question with its answer pre-filled, answers given up front skip their questions, Escape cancels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanRepository } from '../../../src/core/repo';
import {
  answersOf,
  initialState,
  newAppSteps,
  NEW_APP_TITLE,
  sourceNameFromUrl,
  splitImage,
  type NewAppState,
} from '../../../src/core/scaffold';
import {
  runWizard,
  type AskQuestion,
  type PickQuestion,
  type Reply,
  type WizardUi,
} from '../../../src/core/wizard';
import { ownFixture } from './helpers';

/** One scripted reply: the question it expects (a substring), and what the user does. */
type Scripted =
  | { expect: string; pick: string }
  | { expect: string; type: string }
  | { expect: string; accept: true }
  | { expect: string; back: true }
  | { expect: string; escape: true };

interface Seen {
  question: string;
  /** Pre-filled text (input boxes) or the highlighted item's label (picks). */
  prefilled: string | undefined;
  canGoBack: boolean;
}

/** A WizardUi that plays a script and records every question it was asked. */
function scriptedUi(script: Scripted[]): WizardUi & { seen: Seen[] } {
  const seen: Seen[] = [];
  const next = (question: string): Scripted => {
    const reply = script.shift();
    if (!reply) throw new Error(`unscripted question "${question}"; asked so far: ${JSON.stringify(seen)}`);
    if (!question.includes(reply.expect))
      throw new Error(`expected "${reply.expect}", was asked "${question}"; so far: ${JSON.stringify(seen)}`);
    return reply;
  };
  return {
    seen,
    pick<T>(q: PickQuestion<T>): Promise<Reply<T>> {
      assert.equal(q.title, NEW_APP_TITLE);
      seen.push({
        question: q.placeholder,
        prefilled: q.active === undefined ? undefined : q.items[q.active].label,
        canGoBack: q.canGoBack,
      });
      const reply = next(q.placeholder);
      if ('back' in reply) return Promise.resolve('back');
      if ('escape' in reply) return Promise.resolve('cancel');
      const wanted = 'pick' in reply ? reply.pick : q.items[q.active ?? 0].label;
      const item = q.items.find((i) => i.label.includes(wanted));
      if (!item) throw new Error(`no item "${wanted}" in ${q.items.map((i) => i.label).join(', ')}`);
      return Promise.resolve({ value: item.value });
    },
    ask(q: AskQuestion): Promise<Reply<string>> {
      seen.push({ question: q.prompt, prefilled: q.value, canGoBack: q.canGoBack });
      const reply = next(q.prompt);
      if ('back' in reply) return Promise.resolve('back');
      if ('escape' in reply) return Promise.resolve('cancel');
      const text = 'type' in reply ? reply.type : q.value;
      const error = q.validate(text.trim());
      if (error) throw new Error(`"${text}" refused for "${q.prompt}": ${error}`);
      return Promise.resolve({ value: text });
    },
  };
}

const model = () => scanRepository([ownFixture]);

test('going back two steps re-asks them with their answers pre-filled, and a changed name carries on', async () => {
  const m = model();
  const ui = scriptedUi([
    { expect: 'Add the app to which Flux Kustomization?', pick: 'apps' },
    { expect: 'App name', type: 'api' },
    { expect: 'Namespace', accept: true },
    { expect: 'What does the app deploy?', back: true },
    { expect: 'Namespace', back: true },
    { expect: 'App name', type: 'billing' },
    { expect: 'Namespace', accept: true },
    { expect: 'What does the app deploy?', pick: 'Helm chart' },
    { expect: 'Chart source', pick: 'app-charts' },
    { expect: 'Chart name', accept: true },
    { expect: 'Chart version', accept: true },
    { expect: 'Container image', type: 'ghcr.io/example/billing:2.0.1' },
    { expect: 'Container port', type: '8080' },
    { expect: 'Add a Secret', pick: 'keys I type' },
    { expect: 'Secret key', type: 'API_TOKEN' },
    { expect: 'Value of API_TOKEN', type: 's3cret' },
    { expect: 'Another key', type: '' },
  ]);
  const state = await runWizard(NEW_APP_TITLE, newAppSteps(m), initialState({}), ui);
  assert.ok(state, `cancelled; asked: ${JSON.stringify(ui.seen)}`);
  const asked = ui.seen.map((s) => [s.question.split(' (')[0], s.prefilled ?? null, s.canGoBack]);
  // One cluster: not asked. The first question asked has no Back; the re-asked name shows "api".
  assert.deepEqual(asked.slice(0, 8), [
    ['Add the app to which Flux Kustomization?', null, false],
    ['App name', '', true],
    ['Namespace', 'api', true],
    ['What does the app deploy?', null, true],
    ['Namespace', 'api', true],
    ['App name', 'api', true],
    ['Namespace', 'billing', true],
    ['What does the app deploy?', null, true],
  ]);
  const answers = answersOf(state);
  assert.equal(answers.cluster, 'demo');
  assert.equal(answers.name, 'billing');
  assert.equal(answers.namespace, 'billing');
  assert.deepEqual(answers.workload, {
    kind: 'helm',
    source: { existing: { kind: 'HelmRepository', name: 'app-charts', namespace: 'flux-system' } },
    chart: 'app-template',
    version: answers.workload.kind === 'helm' ? answers.workload.version : '',
    container: { image: 'ghcr.io/example/billing:2.0.1', port: 8080 },
  });
  assert.ok(
    answers.workload.kind === 'helm' && answers.workload.version !== '',
    'version pre-filled from use',
  );
  assert.deepEqual(answers.secret, { data: { API_TOKEN: 's3cret' } });
});

test('Back on a pick re-highlights the earlier choice, and a changed kind asks its own questions', async () => {
  const ui = scriptedUi([
    { expect: 'Add the app', pick: 'apps' },
    { expect: 'App name', type: 'echo' },
    { expect: 'Namespace', type: 'tools' },
    { expect: 'What does the app deploy?', pick: 'Helm chart' },
    { expect: 'Chart source', back: true },
    { expect: 'What does the app deploy?', pick: 'An image' },
    { expect: 'Container image', type: 'ghcr.io/example/echo:1.0.0' },
    { expect: 'Container port', back: true },
    { expect: 'Container image', back: true },
    { expect: 'What does the app deploy?', back: true },
    { expect: 'Namespace', accept: true },
    { expect: 'What does the app deploy?', accept: true },
    { expect: 'Container image', accept: true },
    { expect: 'Container port', type: '' },
    { expect: 'Add a Secret', pick: 'No Secret' },
  ]);
  const state = await runWizard(NEW_APP_TITLE, newAppSteps(model()), initialState({}), ui);
  assert.ok(state);
  const prefills = ui.seen.slice(5).map((s) => [s.question.split(' (')[0], s.prefilled ?? null]);
  assert.deepEqual(prefills, [
    ['What does the app deploy?', '$(package) A Helm chart'],
    ['Container image', ''],
    ['Container port', '80'],
    ['Container image', 'ghcr.io/example/echo:1.0.0'],
    ['What does the app deploy?', '$(server-process) An image'],
    ['Namespace', 'tools'],
    ['What does the app deploy?', '$(server-process) An image'],
    ['Container image', 'ghcr.io/example/echo:1.0.0'],
    ['Container port', '80'],
    ['Add a Secret', null],
  ]);
  assert.deepEqual(answersOf(state), {
    cluster: 'demo',
    target: answersOf(state).target,
    name: 'echo',
    namespace: 'tools',
    workload: { kind: 'plain', image: 'ghcr.io/example/echo:1.0.0' },
  });
});

test('answers given up front skip their questions; a whole workload leaves only what is missing', async () => {
  const m = model();
  const partial = scriptedUi([
    { expect: 'Namespace', accept: true },
    { expect: 'What does the app deploy?', pick: 'An image' },
    { expect: 'Container image', type: 'nginx:1.27' },
    { expect: 'Container port', accept: true },
    { expect: 'Add a Secret', pick: 'No Secret' },
  ]);
  const apps = newAppSteps(m)[1];
  assert.equal(apps.id, 'target');
  const key = [...m.kustomizations.values()].find((k) => k.name === 'apps')!.key;
  const state = await runWizard(
    NEW_APP_TITLE,
    newAppSteps(m),
    initialState({ target: key, name: 'web2' }, { cluster: 'demo' }),
    partial,
  );
  assert.ok(state);
  assert.equal(partial.seen[0].canGoBack, false, 'the first question asked offers no Back');
  assert.deepEqual(answersOf(state).workload, { kind: 'plain', image: 'nginx:1.27', port: 80 });

  const none = scriptedUi([]);
  const whole: NewAppState = initialState(
    { cluster: 'demo', target: key, name: 'web3', workload: { kind: 'plain', image: 'nginx:1.27' } },
    {},
  );
  const filled = await runWizard(NEW_APP_TITLE, newAppSteps(m), whole, none);
  assert.deepEqual(none.seen, []);
  assert.equal(answersOf(filled!).namespace, 'web3');
  assert.equal(answersOf(filled!).secret, undefined);
});

test('Escape cancels at any question', async () => {
  const ui = scriptedUi([
    { expect: 'Add the app', pick: 'apps' },
    { expect: 'App name', type: 'api' },
    { expect: 'Namespace', escape: true },
  ]);
  assert.equal(await runWizard(NEW_APP_TITLE, newAppSteps(model()), initialState({}), ui), undefined);
});

test('a chart repository URL suggests the source name a maintainer would give it', () => {
  const cases: Array<[string, string]> = [
    ['https://bjw-s-labs.github.io/helm-charts', 'bjw-s-labs'],
    ['https://charts.jetstack.io', 'jetstack'],
    ['https://kubernetes.github.io/ingress-nginx/', 'ingress-nginx'],
    ['https://stefanprodan.github.io/podinfo', 'podinfo'],
    ['oci://ghcr.io/stefanprodan/charts', 'stefanprodan'],
    ['oci://registry-1.docker.io/bitnamicharts', 'bitnamicharts'],
    ['https://helm.cilium.io', 'cilium'],
    ['https://Charts.Example.COM/My_Repo', 'my-repo'],
    ['not a url', 'charts'],
  ];
  assert.deepEqual(
    cases.map(([url]) => [url, sourceNameFromUrl(url)]),
    cases,
  );
});

test('an image reference splits into repository, tag and digest', () => {
  assert.deepEqual(splitImage('ghcr.io/org/app:1.2.3'), { repository: 'ghcr.io/org/app', tag: '1.2.3' });
  assert.deepEqual(splitImage('localhost:5000/app'), { repository: 'localhost:5000/app' });
  assert.deepEqual(splitImage(`nginx:1.27@sha256:${'a'.repeat(64)}`), {
    repository: 'nginx',
    tag: '1.27',
    digest: `sha256:${'a'.repeat(64)}`,
  });
});
