/**
 * Compatibility with the real sops binary (v3.13.2), both ways, with age keys generated at test
 * time by age-keygen. These tests fail (not skip) when sops or age-keygen is missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdirSync,
  lstatSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { SopsCliEngine } from '../../src/core/sops/cli-engine';
import { createSopsService, type SopsService } from '../../src/core/sops/service';

const CACHE = process.env.FLUX_GITOPS_CACHE || path.join(os.homedir(), '.cache', 'flux-gitops');

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

function executable(p: string | undefined): p is string {
  if (!p) return false;
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const SOPS = [path.join(CACHE, 'bin', 'sops'), which('sops')].find(executable);
const AGE_KEYGEN = which('age-keygen');

let ws: string;
let key1: { file: string; recipient: string };
let key2: { file: string; recipient: string };
let cli: SopsCliEngine;
let service: SopsService;
let service2: SopsService;

function keygen(file: string): { file: string; recipient: string } {
  execFileSync(AGE_KEYGEN as string, ['-o', file], { stdio: 'pipe' });
  const recipient = execFileSync(AGE_KEYGEN as string, ['-y', file], { encoding: 'utf8' }).trim();
  return { file, recipient };
}

function cleanEnv(keyFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SOPS_AGE_KEY_FILE: keyFile };
  delete env.SOPS_AGE_KEY;
  delete env.SOPS_AGE_KEY_CMD;
  return env;
}

/** Runs real sops in the workspace with the given key file. */
function sops(args: string[], keyFile: string, input?: string): string {
  return execFileSync(SOPS as string, args, {
    cwd: ws,
    input,
    encoding: 'utf8',
    env: cleanEnv(keyFile),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function write(rel: string, text: string): string {
  const p = path.join(ws, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const docsOf = (text: string): unknown[] => YAML.parseAllDocuments(text).map((d) => d.toJS() as unknown);
/** sops writes a YAML date back as a full RFC 3339 time. */
const normDates = (text: string): string => text.replace(/: (\d{4}-\d\d-\d\d)$/gm, ': $1T00:00:00Z');

const SECRET = `# Kubernetes secret, comment at the top
apiVersion: v1
kind: Secret # inline comment
metadata:
  name: demo
  namespace: default
type: Opaque
stringData:
  # comment inside stringData
  password: hunter2 # trailing
  token: "0123"
  multiline: |
    first line
    second line
data:
  blob: aGVsbG8=
---
# second document
config:
  str: text
  int: 42
  negative: -7
  float: 3.25
  whole: 2.0
  bool: true
  falsy: false
  nothing: null
  empty: ""
  date: 2024-02-29
  list:
    - one
    - 2
    - false
  nested:
    deep: value
plain_unencrypted: visible
`;

before(() => {
  assert.ok(
    SOPS,
    `the sops binary was not found in ${path.join(CACHE, 'bin')} nor on PATH: run \`bash test/env/install.sh\`, or build it with: GOBIN=${path.join(CACHE, 'bin')} go install github.com/getsops/sops/v3/cmd/sops@v3.13.2`,
  );
  assert.ok(AGE_KEYGEN, 'age-keygen was not found on PATH (apt-get install -y age)');
  ws = mkdtempSync(path.join(os.tmpdir(), 'flux-gitops-sops-compat-'));
  key1 = keygen(path.join(ws, 'key1.txt'));
  key2 = keygen(path.join(ws, 'key2.txt'));
  writeFileSync(
    path.join(ws, '.sops.yaml'),
    `creation_rules:
  - path_regex: regex/.*\\.yaml$
    encrypted_regex: ^(data|stringData)$
    age: ${key1.recipient}
  - path_regex: unregex/.*\\.yaml$
    unencrypted_regex: ^(metadata|kind|apiVersion|type)$
    age: ${key1.recipient}
  - path_regex: suffix/.*\\.yaml$
    encrypted_suffix: _enc
    age: ${key1.recipient}
  - path_regex: maconly/.*\\.yaml$
    encrypted_regex: ^(data|stringData)$
    mac_only_encrypted: true
    age: ${key1.recipient}
  - path_regex: multi/.*
    age: ${key1.recipient},${key2.recipient}
  - path_regex: \\.json$
    age: ${key1.recipient}
  - age: ${key1.recipient}
`,
  );
  cli = new SopsCliEngine({ sopsPath: SOPS, env: cleanEnv(key1.file) });
  const mk = (keyFile: string): SopsService =>
    createSopsService({
      root: ws,
      env: { SOPS_AGE_KEY_FILE: keyFile },
      homedir: path.join(ws, 'nohome'),
      sopsPath: SOPS,
    });
  service = mk(key1.file);
  service2 = mk(key2.file);
});

after(() => {
  if (ws) rmSync(ws, { recursive: true, force: true });
});

const VARIANTS = [
  'default/secret.yaml',
  'regex/secret.yaml',
  'unregex/secret.yaml',
  'suffix/secret.yaml',
  'maconly/secret.yaml',
  'multi/secret.yaml',
];

for (const rel of VARIANTS) {
  void test(`sops-encrypted ${rel} decrypts natively to what sops decrypts`, async () => {
    const src = SECRET.replace(
      'password: hunter2',
      rel.startsWith('suffix') ? 'password_enc: hunter2' : 'password: hunter2',
    );
    const file = write(rel, src);
    const enc = sops(['encrypt', file], key1.file);
    writeFileSync(file, enc);
    const bySops = sops(['decrypt', file], key1.file);
    const native = await service.decryptText(file, enc);
    assert.deepEqual(docsOf(native), docsOf(bySops));
    for (const c of ['comment at the top', 'comment inside stringData', 'second document'])
      assert.ok(native.includes(c), c);
    if (rel.startsWith('multi'))
      assert.deepEqual(docsOf(await service2.decryptText(file, enc)), docsOf(bySops));
  });

  void test(`natively encrypted ${rel} decrypts with sops and passes its MAC check`, async () => {
    const src = SECRET.replace(
      'password: hunter2',
      rel.startsWith('suffix') ? 'password_enc: hunter2' : 'password: hunter2',
    );
    const file = path.join(ws, rel.replace('secret', 'native'));
    mkdirSync(path.dirname(file), { recursive: true });
    const enc = await service.encryptText(file, src);
    assert.ok(!enc.includes('hunter2'));
    writeFileSync(file, enc);
    const bySops = sops(['decrypt', file], key1.file);
    assert.doesNotMatch(bySops, /ENC\[/, 'sops decrypted every value and comment');
    for (const c of [
      'comment at the top',
      'comment inside stringData',
      'second document',
      'inline comment',
      'trailing',
    ]) {
      assert.ok(bySops.includes(c), c);
    }
    const expected = docsOf(normDates(src));
    assert.deepEqual(docsOf(bySops), expected);
    const natively = await service.decryptText(file, enc);
    assert.deepEqual(docsOf(normDates(natively)), docsOf(bySops));
    if (rel.startsWith('multi')) assert.deepEqual(docsOf(sops(['decrypt', file], key2.file)), expected);
  });
}

void test('the rule variants encrypt the same leaves as sops', async () => {
  for (const rel of VARIANTS) {
    const src = SECRET.replace(
      'password: hunter2',
      rel.startsWith('suffix') ? 'password_enc: hunter2' : 'password: hunter2',
    );
    const file = write(rel.replace('secret', 'shape'), src);
    const bySops = sops(['encrypt', file], key1.file);
    const native = await service.encryptText(file, src);
    const shape = (t: string): unknown[] =>
      docsOf(t).map(
        (d) =>
          JSON.parse(
            JSON.stringify(d, (k, v: unknown) =>
              k === 'sops'
                ? undefined
                : typeof v === 'string' && v.startsWith('ENC[')
                  ? `ENC:${/type:(\w+)/.exec(v)?.[1]}`
                  : v,
            ),
          ) as unknown,
      );
    assert.deepEqual(shape(normDates(native)), shape(bySops), rel);
  }
});

void test('JSON both ways', async () => {
  const src =
    '{\n\t"a": 7,\n\t"b": 1.5,\n\t"c": "s",\n\t"d": [1, true, null, "x"],\n\t"e": {"f": "g", "h_unencrypted": "open"}\n}\n';
  const file = write('data.json', src);
  const bySops = sops(['encrypt', file], key1.file);
  rmSync(file);
  assert.deepEqual(JSON.parse(await service.decryptText(file, bySops)), JSON.parse(src));
  const native = await service.encryptText(file, src);
  writeFileSync(file, native);
  assert.deepEqual(JSON.parse(sops(['decrypt', file], key1.file)), JSON.parse(src));
});

void test('edit decrypted: only the edited line, mac and lastmodified change; sops still decrypts', async () => {
  const file = write('regex/edit.yaml', SECRET);
  const enc = sops(['encrypt', file], key1.file);
  writeFileSync(file, enc);
  const plain = await service.decryptText(file, enc);
  const edited = plain.replace('hunter2', 'correct-horse');
  await new Promise((r) => setTimeout(r, 1100)); // a new lastmodified second
  const re = await service.reencryptEdited(file, enc, edited);
  writeFileSync(file, re);
  const a = enc.split('\n');
  const b = re.split('\n');
  assert.equal(a.length, b.length);
  const changed = new Set(a.flatMap((l, i) => (l === b[i] ? [] : [l.trim().split(':')[0]])));
  assert.deepEqual([...changed].sort(), ['lastmodified', 'mac', 'password']);
  const bySops = sops(['decrypt', file], key1.file);
  assert.deepEqual(docsOf(bySops), docsOf(edited));
});

void test('the sops CLI engine: stdin/stdout, --filename-override, config folder as cwd', async () => {
  const file = path.join(ws, 'regex', 'cli.yaml');
  const enc = await cli.encrypt(file, SECRET, { cwd: ws });
  assert.match(enc, /encrypted_regex/);
  assert.ok(!existsSync(file), 'nothing written to disk');
  assert.deepEqual(docsOf(await cli.decrypt(file, enc, { cwd: ws })), docsOf(normDates(SECRET)));
  assert.deepEqual(docsOf(await service.decryptText(file, enc)), docsOf(normDates(SECRET)));
  assert.match(await cli.version(), /^3\.13\.2$/);
});

function scan(dir: string, needle: string, depth: number, hits: string[]): void {
  if (depth < 0) return;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) continue;
    if (st.isDirectory()) scan(p, needle, depth - 1, hits);
    else if (st.isFile() && st.size < 4 * 1024 * 1024) {
      try {
        if (readFileSync(p).includes(needle)) hits.push(p);
      } catch {
        /* unreadable */
      }
    }
  }
}

void test('after an edit-and-save cycle no plaintext value is on disk (workspace and temp folder)', async () => {
  const secret = `s-${randomUUID()}`;
  const edit = `e-${randomUUID()}`;
  const file = path.join(ws, 'regex', 'cycle.yaml');
  const enc = await service.encryptText(file, SECRET.replace('hunter2', secret));
  writeFileSync(file, enc);
  const plain = await service.decryptText(file, readFileSync(file, 'utf8'));
  const re = await service.reencryptEdited(file, enc, plain.replace(secret, edit));
  writeFileSync(file, re);
  const hits: string[] = [];
  for (const root of [ws, os.tmpdir()]) {
    for (const needle of [secret, edit]) scan(root, needle, 6, hits);
  }
  assert.deepEqual(hits, []);
  assert.ok(statSync(file).size > 0);
});

const COMMENTS = `# head of file
a: 1 # after a
# before b
b: # after b key
  # first in b
  c: x
  # between c and d
  d: y # after d
  # end of b, indented
# after b, not indented
list: # after list key
  # before first item
  - one # after one
  # between items
  - k: v
    # inside item map
    k2: v2
  # end of list
deep:
  deeper:
    deepest: z
    # end of deeper
  # end of deep
# last comment
`;

void test('comments in every position decrypt both ways', async () => {
  const file = path.join(ws, 'default', 'comments.yaml');
  const native = await service.encryptText(file, COMMENTS);
  assert.doesNotMatch(native, /first in b|between items/);
  writeFileSync(file, native);
  const bySops = sops(['decrypt', file], key1.file);
  assert.doesNotMatch(bySops, /ENC\[/);
  const texts = [...COMMENTS.matchAll(/# (.*)$/gm)].map((m) => m[1] as string);
  for (const t of texts) assert.ok(bySops.includes(t), `sops decrypted "${t}"`);
  // sops 3.13.2 turns comments inside a sequence into list items and then fails its own MAC
  // check, so the sops-encrypted direction leaves the sequence comments out.
  const noSeqComments = COMMENTS.replace(
    /\n\s+# (before first item|between items|inside item map|end of list)/g,
    '',
  ).replace(/ # after one/, '');
  const sopsEnc = sops(
    ['encrypt', '--filename-override', file, '--input-type', 'yaml', '--output-type', 'yaml'],
    key1.file,
    noSeqComments,
  );
  const plain = await service.decryptText(file, sopsEnc);
  assert.doesNotMatch(plain, /ENC\[/);
  for (const t of [...noSeqComments.matchAll(/# (.*)$/gm)].map((m) => m[1] as string)) {
    assert.ok(plain.includes(t), `natively decrypted "${t}"`);
  }
  assert.equal(await service.decryptText(file, native), COMMENTS);
});

void test('dotenv both ways', async () => {
  const src =
    '# database\nDB_USER=admin\nDB_PASS=p@ss=word\nMULTI=line1\\nline2\nPUBLIC_unencrypted=visible\n';
  const file = path.join(ws, 'default', 'app.env');
  const native = await service.encryptText(file, src);
  writeFileSync(file, native);
  assert.equal(sops(['decrypt', file], key1.file), src);
  const bySops = sops(
    ['encrypt', '--filename-override', file, '--input-type', 'dotenv', '--output-type', 'dotenv'],
    key1.file,
    src,
  );
  assert.equal(await service.decryptText(file, bySops), src);
  const edited = src.replace('admin', 'root');
  writeFileSync(file, await service.reencryptEdited(file, bySops, edited));
  assert.equal(sops(['decrypt', file], key1.file), edited);
});

void test('CRLF YAML encrypted natively decrypts with sops', async () => {
  const src = 'a: 1\r\nb:\r\n  c: "multi\\nline"\r\n# note\r\n';
  const file = path.join(ws, 'default', 'crlf.yaml');
  const native = await service.encryptText(file, src);
  writeFileSync(file, native);
  const bySops = sops(['decrypt', file], key1.file);
  assert.deepEqual(docsOf(bySops), docsOf(src));
  assert.match(bySops, /# note/);
});

const TRICKY = `a: "with: colon space"
b: "hash # inside"
c: " leading space"
d: "trailing space "
e: "true"
f: "123"
g: "null"
h: "multi\\nline"
i: "keep\\n\\n"
j: "  indented first\\nsecond"
k: "unicode é 你好 🔐"
l: "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n"
m: "- dash"
n: "*star"
o: 0x1F
p: 1e3
q: .inf
r: -0.0
s: 2024-01-02T03:04:05.123+02:00
u: 0o17
v: +12
w: "yes"
x: yes
y: ~
list:
  - "true"
  - 1.0
  - |
    block
    text
`;

void test('tricky values: sops and the native engine agree both ways', async () => {
  const file = path.join(ws, 'default', 'tricky.yaml');
  const bySopsEnc = sops(
    ['encrypt', '--filename-override', file, '--input-type', 'yaml', '--output-type', 'yaml'],
    key1.file,
    TRICKY,
  );
  writeFileSync(file, bySopsEnc);
  const sopsPlain = sops(['decrypt', file], key1.file);
  assert.deepEqual(docsOf(await service.decryptText(file, bySopsEnc)), docsOf(sopsPlain));
  const native = await service.encryptText(file, TRICKY);
  writeFileSync(file, native);
  assert.equal(sops(['decrypt', file], key1.file), sopsPlain);
});
