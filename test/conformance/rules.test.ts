/**
 * Conformance of the rule fixtures (test/unit/repo/ruleFixtures.ts): the real flux CLI builds
 * each fixture repository recursively from its sync roots, and the objects it applies per Flux
 * Kustomization must be the model's and the fixture's expectation. The unit tests assert the
 * model on the same expectations, so each expected object list there is confirmed by Flux.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { scanRepository } from '../../src/core/repo';
import { loadOracle, type Oracle } from './support';
import {
  materialise,
  observe,
  RULE_FIXTURES,
  type FluxJudge,
  type RuleFixture,
} from '../unit/repo/ruleFixtures';

/**
 * Fixtures on which flux and the model disagree, each with the reason. The test prints the
 * differences and fails when an entry agrees again (so the table does not outlive the bug).
 */
const OPEN: Record<string, string> = {};

type Root = FluxJudge['roots'][number];

/** The root Kustomization document: the repository's own, or the one the root's maker creates. */
function rootDocument(dir: string, root: Root): string {
  if (root.file) {
    for (const d of parseAllDocuments(fs.readFileSync(path.join(dir, root.file), 'utf8'))) {
      const v = d.toJS() as { kind?: string; metadata?: { name?: string } } | null;
      if (v?.kind === 'Kustomization' && v.metadata?.name === root.name) return d.toString();
    }
    throw new Error(`${root.file} has no Kustomization ${root.name}`);
  }
  const source = root.source ?? { kind: 'GitRepository', name: 'flux-system' };
  return [
    'apiVersion: kustomize.toolkit.fluxcd.io/v1',
    'kind: Kustomization',
    'metadata:',
    `  name: ${root.name}`,
    '  namespace: flux-system',
    'spec:',
    '  interval: 10m',
    '  prune: true',
    `  path: ${root.path}`,
    '  sourceRef:',
    `    kind: ${source.kind}`,
    `    name: ${source.name}`,
    '',
  ].join('\n');
}

/** `--local-sources` values: folders of the checkout, or empty stand-ins for other repositories. */
function localSources(dir: string, scratch: string, judge: FluxJudge): string[] {
  const declared = judge.sources ?? { 'GitRepository/flux-system/flux-system': '.' };
  return Object.entries(declared).map(([key, where]) => {
    if (typeof where === 'string') return `${key}=${path.resolve(dir, where)}`;
    const stand = fs.mkdtempSync(path.join(scratch, 'other-repository-'));
    for (const p of where.standIn) fs.mkdirSync(path.join(stand, p), { recursive: true });
    return `${key}=${stand}`;
  });
}

/** The objects flux applies per `<cluster> <namespace>/<name>` Kustomization, sorted. */
async function fluxApplies(
  oracle: Oracle,
  fluxBin: string,
  dir: string,
  judge: FluxJudge,
): Promise<{ applies: Record<string, string[]>; errors: string[] }> {
  const applies: Record<string, string[]> = {};
  const errors: string[] = [];
  for (const root of judge.roots) {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rule-oracle-'));
    try {
      const rootFile = path.join(scratch, 'root.yaml');
      fs.writeFileSync(rootFile, rootDocument(dir, root));
      const result = await oracle.fluxBuild({
        fluxBin,
        name: root.name,
        namespace: 'flux-system',
        path: path.resolve(dir, root.path),
        kustomizationFile: rootFile,
        localSources: localSources(dir, scratch, judge),
        cwd: dir,
      });
      if (result.exitCode !== 0) {
        errors.push(`${root.cluster}: flux build exited ${result.exitCode}: ${result.stderr.trim()}`);
        continue;
      }
      for (const o of result.objects) {
        const key = `${root.cluster} ${o.appliedBy ?? '?'}`;
        (applies[key] ??= []).push(`${o.apiVersion} ${o.kind} ${o.namespace ?? ''}/${o.name}`);
      }
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  for (const list of Object.values(applies)) list.sort();
  return { applies, errors };
}

/** Lines only one side has, per Kustomization (an absent Kustomization applies nothing). */
function differences(ours: Record<string, string[]>, theirs: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(ours), ...Object.keys(theirs)])) {
    const a = ours[k] ?? [];
    const b = theirs[k] ?? [];
    for (const x of a) if (!b.includes(x)) out.push(`only ours: ${k} → ${x}`);
    for (const y of b) if (!a.includes(y)) out.push(`only flux: ${k} → ${y}`);
  }
  return out;
}

const judged = RULE_FIXTURES.filter((f): f is RuleFixture & { flux: FluxJudge } => !('cannot' in f.flux));

test('rule fixtures flux cannot judge, and why', () => {
  const exceptions = RULE_FIXTURES.filter((f) => 'cannot' in f.flux).map(
    (f) => `${f.id.padEnd(46)} ${(f.flux as { cannot: string }).cannot}`,
  );
  // Roots made by something else than a Kustomization document: flux build reads only those, so
  // the test writes the Kustomization the maker creates and flux judges the tree below it.
  const madeRoots = judged
    .filter((f) => f.flux.roots.some((r) => !r.file))
    .map(
      (f) =>
        `${f.id.padEnd(46)} root not judged (flux build reads Kustomization documents; bootstrap, the Flux Operator or the flux-instance chart makes this one): the tree below it is`,
    );
  console.log(['not judged by flux:', ...exceptions, ...madeRoots].join('\n'));
  assert.ok(judged.length > 0);
  for (const f of RULE_FIXTURES.filter((x) => 'cannot' in x.flux))
    assert.ok((f.flux as { cannot: string }).cannot.length > 20, `${f.id}: the reason flux cannot judge it`);
});

for (const f of judged) {
  test(`flux builds ${f.id} as the model and the fixture say`, async (t) => {
    let oracle: Oracle;
    let fluxBin: string;
    try {
      oracle = await loadOracle();
      fluxBin = process.env.FLUX_GITOPS_FLUX_BIN ?? oracle.fluxBinary();
    } catch (e) {
      t.skip(`no flux CLI: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const dir = materialise(f);
    try {
      const model = observe(scanRepository([dir]), dir);
      const flux = await fluxApplies(oracle, fluxBin, dir, f.flux);
      const clusters = new Set(f.flux.roots.map((r) => r.cluster));
      const ours = Object.fromEntries(
        Object.entries(model.applies).filter(([k]) => clusters.has(k.slice(0, k.indexOf(' ')))),
      );
      const vsModel = differences(ours, flux.applies);
      const expected = Object.fromEntries(
        Object.entries(f.expect.applies).map(([k, v]) => [k, [...v].sort()]),
      );
      const vsExpected = differences(expected, flux.applies);
      const found = [
        ...flux.errors,
        ...vsModel.map((d) => `model ${d}`),
        ...vsExpected.map((d) => `expectation ${d}`),
      ];
      const open = OPEN[f.id];
      if (open) {
        console.log(`OPEN ${f.id}: ${open}\n  ${found.join('\n  ')}`);
        assert.notDeepEqual(found, [], `${f.id} agrees with flux now: remove it from OPEN`);
        return;
      }
      assert.deepEqual(found, [], `${f.id}: flux says\n${JSON.stringify(flux.applies, null, 1)}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
