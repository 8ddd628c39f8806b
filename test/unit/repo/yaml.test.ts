import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { lineOf, parseYaml } from '../../../src/core/repo/yaml';
import { fixturesDir, sharedFixtures } from './helpers';

function yamlFiles(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

/** What the `yaml` package makes of a text: values, or null when it reports an error. */
function reference(text: string): unknown[] | null {
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  if (!Array.isArray(docs)) return [];
  if (docs.some((d) => d.errors.length > 0)) return null;
  return docs.map((d) => d.toJS());
}

test('fast scanner agrees with the yaml package on every fixture file', () => {
  const files = [...yamlFiles(fixturesDir), ...yamlFiles(sharedFixtures)];
  assert.ok(files.length > 50);
  let fast = 0;
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    const r = parseYaml(text);
    const ref = reference(text);
    if (ref === null) {
      assert.ok(r.errors.length > 0, `${f}: errors expected`);
      continue;
    }
    assert.deepEqual(
      r.docs.map((d) => d.value),
      ref,
      f,
    );
    if (r.fast) fast++;
  }
  // Everything but the big CRD bundles and deliberately broken files takes the fast path.
  assert.ok(fast >= files.length - 6, `only ${fast} of ${files.length} fast`);
});

test('line numbers of documents, keys and list items', () => {
  const text = '# header\n---\napiVersion: v1\nkind: List\nitems:\n  - a\n  - b: 1\n---\n\nkind: Two\n';
  const r = parseYaml(text);
  assert.equal(r.fast, true);
  assert.deepEqual(
    r.docs.map((d) => [d.index, d.line]),
    [
      [0, 3],
      [1, 10],
    ],
  );
  const first = r.docs[0].value as { items: unknown[] };
  assert.equal(lineOf(first, 'items'), 5);
  assert.equal(lineOf(first.items, 1), 7);
});

test('anchors, tags and multi-line quoted strings fall back to the yaml package', () => {
  for (const text of [
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    'a: "multi\n  line"\n',
    'a: |+\n  keep\n\n',
    '? complex\n: key\n',
  ]) {
    const r = parseYaml(text);
    assert.equal(r.fast, false, text);
    assert.deepEqual(
      r.docs.map((d) => d.value),
      reference(text),
      text,
    );
  }
});

test('syntax errors carry a line, and the other documents survive', () => {
  const text = 'kind: A\nmetadata:\n  name: a\n---\nkind: B\n  bad: indent\n---\nkind: C\n';
  const r = parseYaml(text);
  assert.equal(r.fast, false);
  assert.ok(r.errors.length > 0);
  assert.ok(
    r.errors.every((e) => e.line >= 5 && e.line <= 7),
    JSON.stringify(r.errors),
  );
  assert.deepEqual(
    r.docs.map((d) => (d.broken ? 'broken' : (d.value as { kind: string }).kind)),
    ['A', 'broken', 'C'],
  );
});

test('duplicate keys are errors, as kustomize would reject them', () => {
  const r = parseYaml('a: 1\na: 2\n');
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0].message, /unique/i);
});

test('mutated manifests: never throws, and the fast path only accepts what the yaml package accepts', () => {
  const crdLike = [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'spec:',
    '  description: >',
    '    Folded text that',
    '    continues.',
    '',
    '    New paragraph.',
    '  versions:',
    '  - name: v1',
    '    schema:',
    '      description: Plain multi-line text that goes on',
    '        across lines, as controller-gen writes it.',
    '      script: |-',
    '        echo "hi"',
    '          more',
    '      required: [a, "b", {c: d}]',
    '    weight: -1.5e3',
    "    mode: '0644' # octal?",
    '',
  ].join('\n');
  const release = fs.readFileSync(
    path.join(fixturesDir, 'superbloom-like/flux/clusters/demo/apps/web/release.yaml'),
    'utf8',
  );
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pieces = [
    ' ',
    '  ',
    '\n',
    ':',
    '- ',
    '#',
    '"',
    "'",
    '[',
    ']',
    '{',
    '}',
    '|',
    '>',
    '\t',
    '---\n',
    'x',
    ': ',
    ',',
    '&',
    '*',
  ];
  let fastChecked = 0;
  for (let i = 0; i < Number(process.env.FUZZ ?? 1500); i++) {
    let text = i % 2 === 0 ? release : crdLike;
    for (let m = 0, n = 1 + rand(3); m < n; m++) {
      const at = rand(text.length);
      if (rand(2) === 0) text = text.slice(0, at) + pieces[rand(pieces.length)] + text.slice(at);
      else text = text.slice(0, at) + text.slice(at + 1 + rand(3));
    }
    const r = parseYaml(text);
    if (!r.fast) continue;
    fastChecked++;
    assert.deepEqual(
      r.docs.map((d) => d.value),
      reference(text),
      `fast path disagrees on:\n${text}`,
    );
  }
  assert.ok(fastChecked > 100);
});
