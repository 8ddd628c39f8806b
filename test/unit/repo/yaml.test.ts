import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { lineOf, parseYaml, parseYamlSlow, type YamlResult } from '../../../src/core/repo/yaml';
import { fixturesDir, repoRoot, sharedFixtures } from './helpers';

/** The real repositories every developer and CI have beside the project (read in place). */
const shared = path.resolve(repoRoot, '../shared');

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
  try {
    return docs.map((d) => d.toJS());
  } catch {
    // An alias without its anchor.
    return null;
  }
}

/** Same line for every key and item of two trees (the fast result and the `yaml` package's). */
function sameLines(fast: unknown, slow: unknown, where: string): void {
  if (fast === null || typeof fast !== 'object') return;
  const keys = Array.isArray(fast) ? fast.map((_, i) => i) : Object.keys(fast);
  for (const k of keys) {
    assert.equal(lineOf(fast, k), lineOf(slow, k), `${where}: line of ${JSON.stringify(k)}`);
    sameLines((fast as Record<string, unknown>)[k], (slow as Record<string, unknown>)[k], `${where}.${k}`);
  }
}

/** When the fast path takes a text: the `yaml` package's values, document lines and key lines. */
function agrees(text: string, where: string): YamlResult {
  const r = parseYaml(text);
  if (!r.fast) return r;
  const ref = reference(text);
  assert.ok(ref !== null, `${where}: the fast path accepted what the yaml package rejects`);
  assert.deepEqual(
    r.docs.map((d) => d.value),
    ref,
    `${where}: values`,
  );
  const slow = parseYamlSlow(text);
  assert.deepEqual(
    r.docs.map((d) => d.line),
    slow.docs.map((d) => d.line),
    `${where}: document lines`,
  );
  r.docs.forEach((d, i) => sameLines(d.value, slow.docs[i].value, `${where} #${i}`));
  return r;
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
  // Everything but deliberately broken files takes the fast path, the Flux CRD bundles included.
  assert.ok(fast >= files.length - 3, `only ${fast} of ${files.length} fast`);
});

test('differential: every YAML file of the shared corpus and fixtures, values and lines', (t) => {
  const roots = ['corpus', 'fixtures'].map((d) => path.join(shared, d));
  if (!roots.every((r) => fs.existsSync(r))) {
    t.skip(`${shared}/corpus or /fixtures absent: the differential test needs the shared repositories`);
    return;
  }
  const seen = new Set<string>();
  let files = 0;
  let fast = 0;
  for (const f of roots.flatMap((r) => yamlFiles(r))) {
    const text = fs.readFileSync(f, 'utf8');
    // The same file is often in several repositories (Flux's gotk-components.yaml).
    const hash = crypto.createHash('sha1').update(text).digest('hex');
    if (seen.has(hash)) continue;
    seen.add(hash);
    files++;
    if (agrees(text, path.relative(shared, f)).fast) fast++;
  }
  assert.ok(files > 1000, `${files} files`);
  // Anchors, aliases, multi-line quoted strings, local tags, multi-line flow collections... take
  // the fast path: only rarer constructs (secondary tags, complex keys) are left to the yaml package.
  assert.ok(fast / files > 0.99, `only ${fast} of ${files} fast`);
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

test('anchors and aliases of scalars take the fast path', () => {
  const text = [
    'metadata:',
    '  name: &app echo-server # the app',
    '  labels:',
    '    app.kubernetes.io/name: *app',
    '    port: &port 8080',
    '    quoted: &q "a: b"',
    'spec:',
    '  values:',
    '    controllers:',
    '      *app :',
    '        replicas: 1',
    '    service:',
    '      ports: [http]',
    '      port: *port',
    '      again: *q # comment',
    '    list:',
    '      - &item one',
    '      - *item',
    '',
  ].join('\n');
  const r = agrees(text, 'scalars');
  assert.equal(r.fast, true);
  const v = r.docs[0].value as {
    metadata: { labels: Record<string, unknown> };
    spec: {
      values: { controllers: Record<string, unknown>; service: Record<string, unknown>; list: unknown[] };
    };
  };
  assert.equal(v.metadata.labels['app.kubernetes.io/name'], 'echo-server');
  assert.equal(v.metadata.labels.port, 8080);
  assert.deepEqual(Object.keys(v.spec.values.controllers), ['echo-server']);
  assert.equal(v.spec.values.service.port, 8080);
  assert.equal(v.spec.values.service.again, 'a: b');
  assert.deepEqual(v.spec.values.list, ['one', 'one']);
  assert.equal(lineOf(v.spec.values.controllers, 'echo-server'), 10);
});

test('anchored collections are copied by their aliases, merge keys stay keys (YAML 1.2)', () => {
  const text = [
    'defaults: &defaults',
    '  probes: &probes',
    '    liveness:',
    '      enabled: true',
    '  tags: &tags [a, "b"]',
    'first:',
    '  <<: *defaults',
    '  probes: *probes',
    '- wrong',
  ];
  // The last line is an error: the yaml package reports it.
  assert.equal(parseYaml(text.join('\n')).fast, false);
  text.pop();
  text.push(
    'second:',
    '  - *tags',
    '  - &item',
    '    k: v',
    '  - *item',
    'third: &empty',
    'fourth: *empty',
    '',
  );
  const r = agrees(text.join('\n'), 'collections');
  assert.equal(r.fast, true);
  const v = r.docs[0].value as Record<string, Record<string, unknown> & unknown[]>;
  assert.deepEqual(v.first['<<'], v.defaults);
  assert.deepEqual(v.first.probes, { liveness: { enabled: true } });
  assert.deepEqual(v.second, [['a', 'b'], { k: 'v' }, { k: 'v' }]);
  assert.equal(v.fourth, null);
  // Copies, as the slow path makes: changing one leaves the anchor alone.
  assert.notEqual(v.first.probes, v.defaults.probes);
  // Lines inside a copy are those of the anchored text.
  assert.equal(lineOf(v.first['<<'], 'probes'), 2);
  assert.equal(lineOf(v.second, 1), 12);
  assert.equal(lineOf(v.second, 2), 13);
});

test('aliases redefined, unknown or inside their own anchor', () => {
  const redefined = agrees('a: &x 1\nb: *x\nc: &x 2\nd: *x\n', 'redefined');
  assert.equal(redefined.fast, true);
  assert.deepEqual(redefined.docs[0].value, { a: 1, b: 1, c: 2, d: 2 });
  // Anchors belong to their document.
  assert.equal(parseYaml('a: &x 1\n---\nb: *x\n').fast, false);
  for (const text of ['a: *nothing\n', 'a: &x\n  b: *x\n', 'a: &x &y 1\n', 'a: &x *x\n', '- &x k: v\n']) {
    assert.equal(parseYaml(text).fast, false, text);
  }
  // "Billion laughs": the copies stop the fast path, and the yaml package's budget makes an error.
  let laughs = 'a0: &a0\n  - x\n  - x\n';
  for (let i = 1; i < 18; i++) laughs += `a${i}: &a${i}\n  - *a${i - 1}\n  - *a${i - 1}\n`;
  const r = parseYaml(laughs);
  assert.equal(r.fast, false);
  assert.equal(r.docs[0].broken, true);
});

test('multi-line quoted strings, block scalar indicators, flow items and comments', () => {
  const cases: [string, unknown][] = [
    ["a: 'it''s\n  long\n\n  text '\n", { a: "it's long\ntext " }],
    ['a: "one \\\n   two\\tthree\n  four"\n', { a: 'one two\tthree four' }],
    ['- "x\n  y" # c\n- z\n', ['x y', 'z']],
    ['a: |2\n    indented\n  b\n', { a: '  indented\nb\n' }],
    ['a: >-\n  folded\n    more\n  back\n', { a: 'folded\n  more\nback' }],
    ['a: |+\n  keep\n\nb: 1\n', { a: 'keep\n\n', b: 1 }],
    ['a:\n  - { key: k, values: ["v"] }\n  - [1, -2]\n', { a: [{ key: 'k', values: ['v'] }, [1, -2]] }],
    ['- abc # dislike: tags\n', ['abc']],
    ['hubble: :4244\n', { hubble: ':4244' }],
    ['1.0: a\ntrue: b\n', { '1': 'a', true: 'b' }],
    ['a: "\\x41\\u00e9\\U0001F600\\e"\n', { a: 'Aé😀\x1b' }],
  ];
  for (const [text, want] of cases) {
    const r = agrees(text, JSON.stringify(text));
    assert.equal(r.fast, true, text);
    assert.deepEqual(r.docs[0].value, want, text);
  }
});

test('local tags on scalars take the fast path: the yaml package keeps their text as a string', () => {
  const cases: [string, unknown][] = [
    ['api_key: !env_var SONARR_API_KEY\n', { api_key: 'SONARR_API_KEY' }],
    ['- !x 1\n- !x ~\n- !x null\n- !x true\n- !x -1.5e3\n', ['1', '~', 'null', 'true', '-1.5e3']],
    ["a: !x \"q\\tz\" # c\nb: !x.y-z_w 'it''s'\n", { a: 'q\tz', b: "it's" }],
    ['a: !x  two words  # c\nb: !x one\n  continued\n', { a: 'two words', b: 'one continued' }],
  ];
  for (const [text, want] of cases) {
    const r = agrees(text, JSON.stringify(text));
    assert.equal(r.fast, true, text);
    assert.deepEqual(r.docs[0].value, want, text);
  }
});

test('flow collections over several lines and values on the line after their key take the fast path', () => {
  const cases: [string, unknown][] = [
    [
      'h:\n  allow:\n    [\n      "authorization",\n      "x-auth-request-user",\n    ]\n  deny: ["a"]\n',
      { h: { allow: ['authorization', 'x-auth-request-user'], deny: ['a'] } },
    ],
    ['a: {b: 1,\n  c: [2,\n    3]}\nd: 4\n', { a: { b: 1, c: [2, 3] }, d: 4 }],
    ['- [1,\n  2]\n-\n  [3]\n', [[1, 2], [3]]],
    ['a: [one\n  two, "three  \n   four", \'five\n  six\']\n', { a: ['one two', 'three four', 'five six'] }],
    [
      'description:\n  "New certificates will not be minted, and existing\n  ones can\'t be renewed."\nsummary: "s"\n',
      {
        description: "New certificates will not be minted, and existing ones can't be renewed.",
        summary: 's',
      },
    ],
    ['a:\n  \'x\' # c\nb:\n  "k": v\n', { a: 'x', b: { k: 'v' } }],
    ['a: &l\n  [1,\n   2]\nb: *l\n', { a: [1, 2], b: [1, 2] }],
  ];
  for (const [text, want] of cases) {
    const r = agrees(text, JSON.stringify(text));
    assert.equal(r.fast, true, text);
    assert.deepEqual(r.docs[0].value, want, text);
  }
  // Each item keeps its own line.
  const v = parseYaml(cases[0][0]).docs[0].value as { h: { allow: unknown[] } };
  assert.equal(lineOf(v.h.allow, 1), 5);
});

test('tags, complex keys and multi-line flow collections fall back to the yaml package', () => {
  for (const text of [
    'a: !!str 1\n',
    'a: !x\n  b: 1\n',
    'a: !x # tagged nothing\n',
    'a: !x [1]\n',
    'a: !x |\n  text\n',
    'a: &y !x v\n',
    '- !x k: v\n',
    '? complex\n: key\n',
    'a: [1, # comment\n  2]\n',
    'a: [1,\n\n  2]\n',
    'a: ["x \\\n  y"]\n',
    'a: [\n  1,\n]\n',
    '\ufeffa: 1\n',
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

test('flow collections not indented under their key are errors, from the yaml package', () => {
  for (const text of ['a: [1,\n2]\n', 'a:\n  b: [1,\n  2]\n', 'a:\n  b:\n    [1,\n  2]\n']) {
    const r = parseYaml(text);
    assert.equal(r.fast, false, text);
    assert.ok(r.errors.length > 0, text);
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
    'metadata:',
    '  name: &name crd',
    '  labels: &labels',
    '    app: *name',
    'spec:',
    '  description: >',
    '    Folded text that',
    '    continues.',
    '',
    '      More indented.',
    '    New paragraph.',
    '  versions:',
    '  - name: v1',
    '    labels: *labels',
    '    schema:',
    '      description: Plain multi-line text that goes on',
    '        across lines, as controller-gen writes it.',
    "      message: 'single quoted,",
    "        ''continued'' here'",
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
    '&x ',
    '*x',
    '*name',
    '\\',
    '2',
    '+',
    '!x ',
    '!!',
  ];
  let fastChecked = 0;
  for (let i = 0; i < Number(process.env.FUZZ ?? 1500); i++) {
    let text = i % 2 === 0 ? release : crdLike;
    for (let m = 0, n = 1 + rand(3); m < n; m++) {
      const at = rand(text.length);
      if (rand(2) === 0) text = text.slice(0, at) + pieces[rand(pieces.length)] + text.slice(at);
      else text = text.slice(0, at) + text.slice(at + 1 + rand(3));
    }
    if (agrees(text, `fast path disagrees on:\n${text}\n`).fast) fastChecked++;
  }
  assert.ok(fastChecked > 100);
});
