#!/usr/bin/env node
/** flux-gitops: the repository model on the command line, for CI and pre-commit hooks. */
// yaml-language-server (the schema check) needs this before it loads, as in the YAML server bundle.
import './language/umdShim';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanRepository, type RepoModel } from './core/repo';
import { modelToJson, sortedProblems } from './core/repo/json';
import { relSlash } from './core/repo/fsCache';
import { fluxLabel } from './core/fluxVersion/detect';
import { createSchemaValidator, schemaProblems } from './core/schemas/validate';
import { createRemoteSchemas } from './core/schemas/remote';
import type { Problem } from './core/repo/model';

const USAGE = `Usage:
  flux-gitops scan <folder> [--json]   Show what Flux applies from a repository (JSON with --json)
  flux-gitops check <folder> [--strict] [--flux-version <v>] [--schemas <dir>]
      List problems, the Flux objects checked against the editor's JSON schemas too;
      exit 1 when there is an error (--strict: also on a warning, e.g. a folder nothing applies).
      --flux-version 2.9: judge every cluster's apiVersions against that Flux (a version or range)
      instead of the one the repository declares, e.g. before an upgrade.
      --schemas: the generated schemas (default: schemas/ beside this script, as npm run build writes them)
`;

/** The schemas the build wrote next to dist/cli.js (dist/schemas). */
const DEFAULT_SCHEMAS = path.join(__dirname, 'schemas');

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

function printTree(model: RepoModel, base: string, io: Io): void {
  const rel = (p: string): string => relSlash(base, p) || '.';
  if (model.clusters.length === 0) io.out('No Flux Kustomization found.');
  for (const c of model.clusters) {
    io.out(`cluster ${c.name} (${rel(c.folder)})${c.flux ? ` · ${fluxLabel(c.flux)}` : ''}`);
    for (const key of c.kustomizations) {
      const k = model.kustomizations.get(key);
      if (!k) continue;
      const flags = [k.suspend ? 'suspended' : '', k.external ? 'external source' : '']
        .filter(Boolean)
        .join(', ');
      io.out(
        `  ${k.namespace}/${k.name} → ${k.external ? k.specPath : rel(k.resolvedPath)}${flags ? ` [${flags}]` : ''}`,
      );
      for (const e of k.entries)
        io.out(
          `    ${e.name}${e.isFolder ? '/' : ''} (${e.files.length} file${e.files.length === 1 ? '' : 's'})`,
        );
    }
  }
  if (model.orphans.length > 0) {
    io.out('not applied by any Flux Kustomization:');
    for (const o of model.orphans) io.out(`  ${rel(o)}`);
  }
  const errors = model.problems.filter((p) => p.severity === 'error').length;
  const warnings = model.problems.filter((p) => p.severity === 'warning').length;
  io.out(`${model.objects.length} objects, ${errors} errors, ${warnings} warnings`);
}

/** Splits `--name value` options from the rest; flags without a value stay in `flags`. */
function parseArgs(argv: string[]): { args: string[]; flags: Set<string>; values: Map<string, string> } {
  const withValue = new Set(['--flux-version', '--schemas']);
  const args: string[] = [];
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const [name, inline] = a.split(/=(.*)/s, 2) as [string, string | undefined];
    if (withValue.has(name)) {
      const value = inline ?? argv[++i];
      if (value !== undefined) values.set(name, value);
      else flags.add(`${name}=`); // a missing value: reported as a usage error
    } else if (a.startsWith('--')) flags.add(a);
    else args.push(a);
  }
  return { args, flags, values };
}

/** Runs the CLI with arguments (without node and script); resolves with the exit code. */
export async function main(
  argv: string[],
  io: Io = { out: (s) => console.log(s), err: (s) => console.error(s) },
): Promise<number> {
  const { args, flags, values } = parseArgs(argv);
  if (flags.has('--help') || args.length === 0) {
    (args.length === 0 && !flags.has('--help') ? io.err : io.out)(USAGE);
    return flags.has('--help') ? 0 : 2;
  }
  const [command, folder] = args;
  if (
    (command !== 'scan' && command !== 'check') ||
    !folder ||
    args.length > 2 ||
    [...flags].some((f) => f.endsWith('='))
  ) {
    io.err(USAGE);
    return 2;
  }
  const base = path.resolve(folder);
  if (!fs.existsSync(base) || !fs.statSync(base).isDirectory()) {
    io.err(`flux-gitops: ${folder} is not a folder`);
    return 2;
  }
  const fluxVersion = values.get('--flux-version');
  const model = scanRepository([base], fluxVersion ? { fluxVersions: { '*': fluxVersion } } : {});
  if (command === 'scan') {
    if (flags.has('--json')) io.out(JSON.stringify(modelToJson(model, base), null, 2));
    else printTree(model, base, io);
    return 0;
  }
  if (fluxVersion)
    for (const c of model.clusters)
      if (!c.flux?.version) io.err(`flux-gitops: --flux-version ${fluxVersion} names no known Flux release`);
  const schemaDir = path.resolve(values.get('--schemas') ?? DEFAULT_SCHEMAS);
  let found: Problem[] = [];
  if (fs.existsSync(path.join(schemaDir, 'index.json'))) {
    const remote = createRemoteSchemas({ log: (line) => io.err(line) });
    const validator = await createSchemaValidator(schemaDir, { remote });
    found = await schemaProblems(model, validator, (file) => {
      try {
        return fs.readFileSync(file, 'utf8');
      } catch {
        return null;
      }
    });
  } else {
    io.err(
      `flux-gitops: no schemas in ${schemaDir} (npm run build writes them): Flux objects not checked against them`,
    );
  }
  const problems = sortedProblems({ ...model, problems: [...model.problems, ...found] });
  for (const n of model.notices) io.out(`note: ${n}`);
  for (const p of problems)
    io.out(`${relSlash(base, p.file) || '.'}:${p.line}: ${p.severity} [${p.code}] ${p.message}`);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.filter((p) => p.severity === 'warning').length;
  io.out(
    `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} ` +
      `(${model.kustomizations.size} Flux Kustomizations, ${model.objects.length} objects)`,
  );
  return errors > 0 || (flags.has('--strict') && warnings > 0) ? 1 : 0;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(`flux-gitops: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 2;
    },
  );
}
