import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

// The SOPS injection grammar: its structure always, its tokens when a VS Code build (code-server,
// installed by test/harness/setup-code-server.sh) provides vscode-textmate and the YAML grammar.

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const grammarPath = path.join(repoRoot, 'syntaxes', 'sops.injection.json');
const grammarText = fs.readFileSync(grammarPath, 'utf8');

interface Rule {
  include?: string;
  match?: string;
  begin?: string;
  patterns?: Rule[];
  captures?: Record<string, Rule>;
}
const grammar = JSON.parse(grammarText) as {
  scopeName: string;
  injectionSelector: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
};

const VALUE = 'ENC[AES256_GCM,data:QU5e7Rjq+/==,iv:Z0qDgbITavfO=,tag:b7pcNTwV9i3h3nEdcvQo2g==,type:str]';

test('the grammar is an injection into YAML and JSON whose includes all resolve', () => {
  assert.equal(grammar.scopeName, 'sops.injection');
  assert.match(grammar.injectionSelector, /L:source\.yaml/);
  assert.match(grammar.injectionSelector, /L:source\.json/);
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    contributes: { grammars?: { scopeName: string; path: string; injectTo?: string[] }[] };
  };
  const contributed = pkg.contributes.grammars?.find((g) => g.scopeName === grammar.scopeName);
  assert.ok(contributed, 'package.json contributes.grammars lacks sops.injection');
  assert.equal(path.resolve(repoRoot, contributed.path), grammarPath);
  assert.deepEqual(contributed.injectTo?.slice(0, 2), ['source.yaml', 'source.json']);

  const visit = (rule: Rule): void => {
    if (rule.include)
      assert.ok(
        rule.include.startsWith('#') && grammar.repository[rule.include.slice(1)],
        `dangling include ${rule.include}`,
      );
    rule.patterns?.forEach(visit);
    Object.values(rule.captures ?? {}).forEach(visit);
  };
  grammar.patterns.forEach(visit);
  Object.values(grammar.repository).forEach(visit);
});

test('the value pattern matches what sops writes and nothing shorter', () => {
  const match = grammar.repository['encrypted-value']?.match;
  assert.ok(match);
  const regex = new RegExp(match);
  assert.equal(regex.exec(`key: ${VALUE}`)?.[0], VALUE);
  assert.equal(regex.exec('ENC[AES256_GCM,data:abc]'), null);
  assert.equal(regex.exec('ENC[AES256_GCM,data:,iv:,tag:,type:comment]')?.[19], 'comment');
});

// --- tokens, with VS Code's own TextMate engine and YAML/JSON grammars ---------------------------

const cache = process.env.FLUX_GITOPS_CACHE || path.join(os.homedir(), '.cache', 'flux-gitops');
const vscodeDir = fs.existsSync(cache)
  ? fs
      .readdirSync(cache)
      .filter((d) => d.startsWith('code-server-'))
      .map((d) => path.join(cache, d, 'node_modules', 'code-server', 'lib', 'vscode'))
      .find((d) => fs.existsSync(path.join(d, 'node_modules', 'vscode-textmate')))
  : undefined;

interface Token {
  startIndex: number;
  endIndex: number;
  scopes: string[];
}
interface Grammar {
  tokenizeLine(line: string, state: unknown): { tokens: Token[]; ruleStack: unknown };
}

async function tokenize(scope: string, text: string): Promise<{ text: string; scopes: string[] }[]> {
  assert.ok(vscodeDir);
  const load = createRequire(path.join(vscodeDir, 'package.json'));
  /* eslint-disable @typescript-eslint/no-explicit-any -- untyped modules of the VS Code build */
  const textmate = load('vscode-textmate') as any;
  const oniguruma = load('vscode-oniguruma') as any;
  /* eslint-enable @typescript-eslint/no-explicit-any */
  const wasm = fs.readFileSync(
    path.join(vscodeDir, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'),
  );
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const grammarFiles: Record<string, string> = { 'sops.injection': grammarPath };
  for (const extension of ['yaml', 'json']) {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(vscodeDir, 'extensions', extension, 'package.json'), 'utf8'),
    ) as {
      contributes: { grammars: { scopeName: string; path: string }[] };
    };
    for (const g of manifest.contributes.grammars)
      grammarFiles[g.scopeName] = path.join(vscodeDir, 'extensions', extension, g.path);
  }
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: (name: string) => {
      const file = grammarFiles[name];
      return file ? textmate.parseRawGrammar(fs.readFileSync(file, 'utf8'), file) : null;
    },
    getInjections: (name: string) =>
      name === 'source.yaml' || name === 'source.json' ? ['sops.injection'] : [],
  });
  const loaded = (await registry.loadGrammar(scope)) as Grammar;
  let state: unknown = textmate.INITIAL;
  const out: { text: string; scopes: string[] }[] = [];
  for (const line of text.split('\n')) {
    const result = loaded.tokenizeLine(line, state);
    for (const t of result.tokens) out.push({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    state = result.ruleStack;
  }
  return out;
}

function scopesOf(tokens: { text: string; scopes: string[] }[], text: string): string[] {
  const token = tokens.find((t) => t.text.trim() === text);
  assert.ok(token, `no token "${text}" in ${tokens.map((t) => JSON.stringify(t.text)).join(' ')}`);
  return token.scopes;
}

const skip = vscodeDir ? false : `no code-server build in ${cache}`;

test(
  'YAML: ciphertexts, encrypted comments and the sops block get their scopes; the rest stays YAML',
  { skip },
  async () => {
    const tokens = await tokenize(
      'source.yaml',
      [
        'apiVersion: v1',
        'stringData:',
        `    #${VALUE.replace('type:str', 'type:comment')}`,
        `    API_TOKEN: ${VALUE}`,
        'sops:',
        '    age:',
        '        - enc: |',
        '            -----BEGIN AGE ENCRYPTED FILE-----',
        '            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0',
        '    version: 3.13.2',
        '---',
        'kind: Secret',
      ].join('\n'),
    );
    assert.ok(scopesOf(tokens, 'API_TOKEN').includes('entity.name.tag.yaml'));
    const enc = tokens.filter((t) => t.text === 'ENC');
    assert.equal(enc.length, 2);
    assert.ok(
      enc.every(
        (t) =>
          t.scopes.includes('keyword.other.encrypted.sops') && t.scopes.includes('meta.encrypted.value.sops'),
      ),
    );
    assert.ok(enc[0]?.scopes.includes('comment.line.number-sign.encrypted.sops'), 'the encrypted comment');
    assert.ok(scopesOf(tokens, 'QU5e7Rjq+/==').includes('comment.other.ciphertext.sops'));
    assert.ok(scopesOf(tokens, 'str').includes('storage.type.encrypted.sops'));
    assert.ok(scopesOf(tokens, 'sops').includes('keyword.other.metadata.sops'));
    assert.ok(scopesOf(tokens, 'YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0').includes('comment.block.metadata.sops'));
    assert.ok(scopesOf(tokens, '-----BEGIN AGE ENCRYPTED FILE-----').includes('comment.block.armor.sops'));
    const after = scopesOf(tokens, 'kind');
    assert.ok(
      after.includes('entity.name.tag.yaml') && !after.includes('meta.metadata.sops'),
      'the block ends at the next top-level line',
    );
  },
);

test('JSON: the sops object is quiet and the document stays valid JSON after it', { skip }, async () => {
  const tokens = await tokenize(
    'source.json',
    [
      '{',
      `    "data": {"a": "${VALUE}"},`,
      '    "sops": {',
      '        "mac": "ENC[AES256_GCM,data:AA==,iv:BB==,tag:CC==,type:str]",',
      '        "version": "3.13.2"',
      '    },',
      '    "after": 1',
      '}',
    ].join('\n'),
  );
  assert.equal(tokens.filter((t) => t.text === 'ENC').length, 2);
  assert.ok(scopesOf(tokens, '"version"').includes('comment.block.metadata.sops'));
  assert.ok(
    tokens.every((t) => !t.scopes.some((s) => s.startsWith('invalid.'))),
    'an invalid token after the sops object',
  );
  assert.ok(!scopesOf(tokens, 'after').includes('meta.metadata.sops'));
});
