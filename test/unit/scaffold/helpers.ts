/** Temp copies of repositories, a test age key, snapshots and a small JSON-schema check for the scaffold tests. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { scanRepository, type RepoModel } from '../../../src/core/repo';
import { createSopsService, type SopsService } from '../../../src/core/sops';

/** The project folder (tests run from out/test/unit/scaffold). */
export const repoRoot = path.resolve(__dirname, '../../../..');
export const ownFixture = path.join(repoRoot, 'test', 'fixtures', 'repos', 'superbloom-like');
/** The user's repositories: copied to a temp folder at test time, never into the project. */
export const sharedFixtures = path.resolve(repoRoot, '../shared/fixtures');
export const userFixture = path.join(sharedFixtures, 'superbloom-2025-12');
export const schemaDir = path.join(repoRoot, 'dist', 'schemas');

export interface TestRepo {
  root: string;
  /** Folder of the cluster (e.g. <root>/flux/clusters/demo). */
  clusterDir: string;
  cluster: string;
}

function makeWritable(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) makeWritable(p);
    else fs.chmodSync(p, 0o644);
  }
}

/** A writable temp copy of a repository. */
export function tempCopy(src: string, label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `scaffold-${label}-`));
  fs.cpSync(src, dir, { recursive: true });
  makeWritable(dir);
  return dir;
}

export function removeTemp(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export const OWN: Omit<TestRepo, 'root' | 'clusterDir'> & { rel: string } = {
  cluster: 'demo',
  rel: 'flux/clusters/demo',
};
export const USER: Omit<TestRepo, 'root' | 'clusterDir'> & { rel: string } = {
  cluster: 'superbloom',
  rel: 'flux/clusters/superbloom',
};

export function copyOwn(): TestRepo {
  const root = tempCopy(ownFixture, 'own');
  return { root, clusterDir: path.join(root, OWN.rel), cluster: OWN.cluster };
}

export function copyUser(): TestRepo {
  const root = tempCopy(userFixture, 'user');
  return { root, clusterDir: path.join(root, USER.rel), cluster: USER.cluster };
}

export interface AgeKey {
  keyFile: string;
  recipient: string;
}

let cachedKey: AgeKey | null | undefined;

function ageKeygen(): string | null {
  for (const p of [
    path.join(
      process.env.FLUX_GITOPS_CACHE ?? path.join(os.homedir(), '.cache', 'flux-gitops'),
      'bin',
      'age-keygen',
    ),
    ...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'age-keygen')),
  ]) {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return null;
}

/** An age key generated now with age-keygen (null when age-keygen is not installed). */
export function testKey(): AgeKey | null {
  if (cachedKey !== undefined) return cachedKey;
  const bin = ageKeygen();
  if (!bin) return (cachedKey = null);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaffold-age-'));
  const keyFile = path.join(dir, 'keys.txt');
  execFileSync(bin, ['-o', keyFile], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
  const recipient = /# public key: (age1[0-9a-z]+)/.exec(fs.readFileSync(keyFile, 'utf8'))?.[1];
  if (!recipient) throw new Error('age-keygen wrote no public key');
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return (cachedKey = { keyFile, recipient });
}

/** Writes `<root>/flux/.sops.yaml` with one rule for the cluster's secrets files, for `key`. */
export function writeSopsConfig(repo: TestRepo, key: AgeKey): void {
  const clusterRel = path.relative(path.join(repo.root, 'flux'), repo.clusterDir).split(path.sep).join('/');
  fs.writeFileSync(
    path.join(repo.root, 'flux', '.sops.yaml'),
    `creation_rules:\n  - path_regex: '${clusterRel}/.*/secrets\\.yaml$'\n    encrypted_regex: '^(data|stringData)$'\n    age: ['${key.recipient}']\n`,
  );
}

/** The SOPS service as the extension builds it, with only the test key. */
export function sopsFor(repo: TestRepo, key: AgeKey): SopsService {
  return createSopsService({
    env: { SOPS_AGE_KEY_FILE: key.keyFile },
    homedir: repo.root,
    root: repo.root,
    allowProcesses: false,
  });
}

export function scan(repo: TestRepo): RepoModel {
  return scanRepository([repo.root]);
}

/** Every file under a folder with its bytes (for byte-identical checks). */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out.set(path.relative(dir, p) + '/', '');
        walk(p);
      } else out.set(path.relative(dir, p), fs.readFileSync(p).toString('base64'));
    }
  };
  walk(dir);
  return out;
}

export function problemSet(model: RepoModel): string[] {
  return model.problems.map((p) => `${p.severity} ${p.code} ${p.file}:${p.line} ${p.message}`).sort();
}

/** Parsed YAML documents of a file. */
export function docsOf(text: string): Array<Record<string, unknown>> {
  return parseAllDocuments(text).map((d) => ('toJS' in d ? (d.toJS() as Record<string, unknown>) : {}));
}

type Schema = Record<string, unknown>;

/**
 * The subset of JSON Schema the generated Flux schemas use: type, required, properties,
 * additionalProperties, items, const, enum, pattern, minLength, maxLength, minimum.
 * Returns the errors as `path: message`.
 */
export function checkSchema(schema: Schema, value: unknown, at = '$'): string[] {
  const errors: string[] = [];
  // A type may be a list (`['string', 'null']`): any of them will do.
  const types = (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []) as string[];
  const actual = Array.isArray(value)
    ? 'array'
    : value === null
      ? 'null'
      : typeof value === 'number' && Number.isInteger(value)
        ? 'integer'
        : typeof value;
  if (types.length > 0) {
    const ok = types.some((type) => type === actual || (type === 'number' && actual === 'integer'));
    if (!ok) return [`${at}: expected ${types.join(' or ')}, got ${actual}`];
  }
  if ('const' in schema && schema.const !== value) errors.push(`${at}: must be ${String(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    errors.push(`${at}: must be one of ${schema.enum.join(', ')}`);
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      errors.push(`${at}: does not match ${schema.pattern}`);
    if (typeof schema.minLength === 'number' && value.length < schema.minLength)
      errors.push(`${at}: too short`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength)
      errors.push(`${at}: too long`);
  }
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum)
    errors.push(`${at}: below ${schema.minimum}`);
  if (Array.isArray(value) && schema.items && typeof schema.items === 'object')
    value.forEach((v, i) => errors.push(...checkSchema(schema.items as Schema, v, `${at}[${i}]`)));
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of (schema.required as string[] | undefined) ?? [])
      if (!(r in obj)) errors.push(`${at}: missing required ${r}`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) errors.push(...checkSchema(props[k], v, `${at}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${at}: unknown field ${k}`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
        errors.push(...checkSchema(schema.additionalProperties as Schema, v, `${at}.${k}`));
    }
  }
  return errors;
}

/** A generated schema from dist/schemas, or null when `scripts/gen-schemas.mjs` has not run. */
export function loadSchema(file: string): Schema | null {
  const p = path.join(schemaDir, file);
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as Schema) : null;
}
