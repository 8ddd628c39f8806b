#!/usr/bin/env node
/** flux-gitops: the repository model on the command line, for CI and pre-commit hooks. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanRepository, type RepoModel } from './core/repo';
import { modelToJson, sortedProblems } from './core/repo/json';
import { relSlash } from './core/repo/fsCache';
import { fluxLabel } from './core/fluxVersion/detect';

const USAGE = `Usage:
  flux-gitops scan <folder> [--json]   Show what Flux applies from a repository (JSON with --json)
  flux-gitops check <folder> [--strict]  List problems; exit 1 when there is an error
                                       (--strict: also on a warning, e.g. a folder nothing applies)
`;

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

/** Runs the CLI with arguments (without node and script); returns the exit code. */
export function main(
  argv: string[],
  io: Io = { out: (s) => console.log(s), err: (s) => console.error(s) },
): number {
  const args = argv.filter((a) => !a.startsWith('--'));
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  if (flags.has('--help') || args.length === 0) {
    (args.length === 0 && !flags.has('--help') ? io.err : io.out)(USAGE);
    return flags.has('--help') ? 0 : 2;
  }
  const [command, folder] = args;
  if ((command !== 'scan' && command !== 'check') || !folder || args.length > 2) {
    io.err(USAGE);
    return 2;
  }
  const base = path.resolve(folder);
  if (!fs.existsSync(base) || !fs.statSync(base).isDirectory()) {
    io.err(`flux-gitops: ${folder} is not a folder`);
    return 2;
  }
  const model = scanRepository([base]);
  if (command === 'scan') {
    if (flags.has('--json')) io.out(JSON.stringify(modelToJson(model, base), null, 2));
    else printTree(model, base, io);
    return 0;
  }
  const problems = sortedProblems(model);
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
  process.exitCode = main(process.argv.slice(2));
}
