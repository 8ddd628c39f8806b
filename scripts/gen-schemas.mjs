#!/usr/bin/env node
// Generates the JSON schemas of every Flux kind and served version (deprecated ones too) from the
// openAPIV3Schema of the Flux v2.7.3 CRDs, into dist/schemas/ (build output, shipped in the VSIX).
// The CRDs come from the controllers' Go modules (`go mod download`), cached in
// ${FLUX_GITOPS_CACHE:-~/.cache/flux-gitops}/crds/ as test/env/install.sh leaves them.
// It also copies yaml-language-server's message bundles to dist/schemas/l10n/: the bundled server
// cannot find them next to itself, so the client passes that folder as initializationOptions.l10nPath.
// Usage: node scripts/gen-schemas.mjs [--force]   (build.mjs calls generateSchemas())
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import YAML from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const converterSource = path.join(root, 'src/core/schemas/convert.ts');
const outDir = path.join(root, 'dist/schemas');
const l10nSource = path.join(root, 'node_modules/yaml-language-server/l10n');

export const FLUX_VERSION = 'v2.7.3';
// The controller versions Flux v2.7.3 ships (image tags of its gotk-components.yaml).
export const CRD_MODULES = [
  'github.com/fluxcd/source-controller@v1.7.3',
  'github.com/fluxcd/kustomize-controller@v1.7.2',
  'github.com/fluxcd/helm-controller@v1.4.3',
  'github.com/fluxcd/notification-controller@v1.7.4',
];

function cacheDir() {
  return process.env.FLUX_GITOPS_CACHE || path.join(os.homedir(), '.cache', 'flux-gitops');
}

/** Hash of everything the output depends on; the CRDs are pinned by module version. */
function inputsHash() {
  const hash = createHash('sha256');
  hash.update(fs.readFileSync(fileURLToPath(import.meta.url)));
  hash.update(fs.readFileSync(converterSource));
  hash.update(CRD_MODULES.join('\n'));
  hash.update(fs.readFileSync(path.join(l10nSource, '..', 'package.json')));
  return hash.digest('hex').slice(0, 16);
}

function upToDate(hash) {
  try {
    const index = JSON.parse(fs.readFileSync(path.join(outDir, 'index.json'), 'utf8'));
    return index.inputsHash === hash && index.schemas.every((s) => fs.existsSync(path.join(outDir, s.file)));
  } catch {
    return false;
  }
}

/** Loads src/core/schemas/convert.ts through esbuild, so this script needs no tsc run first. */
async function loadConverter() {
  const result = await esbuild.build({
    entryPoints: [converterSource],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'error',
  });
  const code = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/** The CRD files: the cache folder when it holds any, else `go mod download` fills it. */
function provideCrds(log) {
  const crdDir = path.join(cacheDir(), 'crds');
  const existing = () =>
    fs.existsSync(crdDir)
      ? fs
          .readdirSync(crdDir)
          .filter((f) => f.endsWith('.yaml'))
          .map((f) => path.join(crdDir, f))
      : [];
  let files = existing();
  let missing = readMissing(crdDir);
  if (files.length > 0) return { files, missing, source: crdDir };

  fs.mkdirSync(crdDir, { recursive: true });
  // A throwaway module folder: `go mod download` must not touch a go.mod of the caller's.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-gitops-crds-'));
  missing = [];
  try {
    for (const mod of CRD_MODULES) {
      log(`go mod download -json ${mod}`);
      let info;
      try {
        const stdout = execFileSync('go', ['mod', 'download', '-json', mod], {
          cwd: work,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
          timeout: 300_000,
        });
        info = JSON.parse(stdout);
      } catch (error) {
        if (error.code === 'ENOENT')
          throw new Error(`gen-schemas: \`go\` is not on PATH and no CRDs are cached in ${crdDir}`, {
            cause: error,
          });
        try {
          info = JSON.parse(error.stdout);
        } catch {
          info = { Error: String(error.stderr || error.message).trim() };
        }
      }
      const bases = info.Dir ? path.join(info.Dir, 'config', 'crd', 'bases') : undefined;
      if (info.Error || !bases || !fs.existsSync(bases)) {
        log(`WARNING: ${mod}: ${info.Error ?? 'no config/crd/bases'}; its kinds get no schema`);
        missing.push(mod);
        continue;
      }
      for (const file of fs.readdirSync(bases).filter((f) => f.endsWith('.yaml'))) {
        const target = path.join(crdDir, file);
        fs.copyFileSync(path.join(bases, file), target);
        fs.chmodSync(target, 0o644); // the module cache is read-only
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (missing.length > 0) fs.writeFileSync(path.join(crdDir, 'MISSING.txt'), missing.join('\n') + '\n');
  files = existing();
  if (files.length === 0) throw new Error(`gen-schemas: no Flux CRDs could be downloaded into ${crdDir}`);
  return { files, missing, source: 'go mod download' };
}

function readMissing(crdDir) {
  try {
    return fs.readFileSync(path.join(crdDir, 'MISSING.txt'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** Writes dist/schemas unless it is up to date; returns what it did. */
export async function generateSchemas({
  force = false,
  log = (line) => console.log(`gen-schemas: ${line}`),
} = {}) {
  const started = performance.now();
  const hash = inputsHash();
  if (!force && upToDate(hash)) {
    log(`dist/schemas is up to date (${(performance.now() - started).toFixed(0)} ms)`);
    return { skipped: true };
  }
  const converter = await loadConverter();
  const { files, missing, source } = provideCrds(log);

  const schemas = [];
  for (const file of files.sort()) {
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      schemas.push(...converter.crdToSchemas(doc.toJS({ maxAliasCount: -1 })));
    }
  }
  schemas.sort((a, b) => a.fileName.localeCompare(b.fileName));

  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  let bytes = 0;
  const write = (name, value) => {
    const text = JSON.stringify(value);
    fs.writeFileSync(path.join(outDir, name), text);
    bytes += Buffer.byteLength(text);
  };
  for (const s of schemas) write(s.fileName, s.schema);
  fs.mkdirSync(path.join(outDir, 'l10n'));
  for (const file of fs.readdirSync(l10nSource).filter((f) => f.endsWith('.json'))) {
    fs.copyFileSync(path.join(l10nSource, file), path.join(outDir, 'l10n', file));
  }
  const entries = schemas.map((s) => ({
    apiVersion: s.apiVersion,
    kind: s.kind,
    file: s.fileName,
    deprecated: s.deprecated,
    ...(s.deprecationMessage ? { deprecationMessage: s.deprecationMessage } : {}),
  }));
  write('all.json', converter.dispatcherSchema(entries));
  // index.json last: its presence with the right hash marks a complete output.
  write('index.json', {
    flux: FLUX_VERSION,
    modules: CRD_MODULES,
    missingModules: missing,
    inputsHash: hash,
    schemas: entries,
  });

  for (const s of schemas)
    log(`  ${s.fileName}  ${s.apiVersion} ${s.kind}${s.deprecated ? '  (deprecated)' : ''}`);
  if (missing.length > 0)
    log(`WARNING: no CRDs for ${missing.join(', ')} (not served by the Go module proxy)`);
  log(
    `wrote ${schemas.length} schemas + all.json + index.json (${(bytes / 1024).toFixed(0)} KiB) to ${path.relative(root, outDir)} ` +
      `from ${source} in ${(performance.now() - started).toFixed(0)} ms`,
  );
  return { skipped: false, count: schemas.length, missing, bytes };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  generateSchemas({ force: process.argv.includes('--force') }).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
