// The real `flux build kustomization` as a conformance oracle: what Flux itself would apply from a
// repository, to compare with the extension's own model. The flux binary is built by
// `bash test/env/install.sh` into the test cache.
//
// Facts about flux v2.9.5 that shape this runner:
// - With --dry-run it never contacts a cluster (no kubeconfig needed), but postBuild.substituteFrom
//   (ConfigMaps/Secrets) is skipped: `${VAR}` stays verbatim unless spec.postBuild.substitute is set.
// - With --recursive every Kustomization it meets must have its source in --local-sources, or the
//   whole build fails with no output ("cannot get local path for Kind/ns/name of kustomization x").
//   Remote kustomize resources (http URLs, git bases) fail it too: there is no network in tests.
// - Its default (on-disk) build writes kustomization.yaml into each built folder and puts the
//   original back afterwards, changing file modes. Running as root, read-only snapshots are no
//   protection, so callers hand it a scratch copy; the check below refuses folders without a
//   write bit (the shared corpus). --in-memory-build avoids the writes but only works when the cwd
//   contains every source and no path segment has characters outside [A-Za-z0-9-_.:].
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const NAME_LABEL = 'kustomize.toolkit.fluxcd.io/name';
const NAMESPACE_LABEL = 'kustomize.toolkit.fluxcd.io/namespace';

/** `${FLUX_GITOPS_CACHE:-$HOME/.cache/flux-gitops}/bin/flux`; throws when install.sh has not built it. */
export function fluxBinary() {
  const cache = process.env.FLUX_GITOPS_CACHE || path.join(homedir(), '.cache', 'flux-gitops');
  const bin = path.join(cache, 'bin', 'flux');
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new Error(`flux CLI not found at ${bin}: run \`bash test/env/install.sh\` first`);
  }
  return bin;
}

function refuseReadOnly(dir) {
  // The owner write bit, not access(): root may write anywhere, and flux would.
  if ((statSync(dir).mode & 0o200) === 0) {
    throw new Error(`flux build writes kustomization.yaml files into ${dir}: give it a writable copy`);
  }
}

/**
 * Runs `flux build kustomization NAME --recursive` and lists the objects it prints, each with the
 * Kustomization that applies it (its kustomize.toolkit.fluxcd.io labels). flux prints the root's
 * objects (child Kustomization objects included) in kustomize order, then each child's output,
 * depth first. A failing build prints nothing on stdout: objects is then empty and stderr says why.
 *
 * localSources: ["GitRepository/flux-system/flux-system=/path/to/checkout", ...]; relative paths
 * (path, kustomizationFile, local sources) are resolved by flux against cwd.
 */
export async function fluxBuild({
  fluxBin = fluxBinary(),
  name,
  namespace = 'flux-system',
  path: buildPath,
  kustomizationFile,
  localSources = [],
  cwd = process.cwd(),
  dryRun = true,
  timeoutMs = 120_000,
}) {
  const args = ['build', 'kustomization', name, '--namespace', namespace, '--path', buildPath, '--recursive'];
  if (kustomizationFile) args.push('--kustomization-file', kustomizationFile);
  if (dryRun) args.push('--dry-run');
  refuseReadOnly(path.resolve(cwd, buildPath));
  for (const source of localSources) {
    // flux reads the flag as CSV (key=value pairs), so a comma would split one source in two.
    if (source.includes(',')) throw new Error(`a local source may not contain a comma: ${source}`);
    refuseReadOnly(path.resolve(cwd, source.slice(source.indexOf('=') + 1)));
    args.push(`--local-sources=${source}`);
  }
  // In dry-run, a kubeconfig that cannot exist makes sure no real cluster is ever read.
  const env = dryRun
    ? { ...process.env, KUBECONFIG: path.join(tmpdir(), 'flux-oracle-no-kubeconfig') }
    : process.env;

  const { stdout, stderr, exitCode } = await new Promise((resolve, reject) => {
    let timedOut = false;
    const child = execFile(
      fluxBin,
      args,
      { cwd, env, maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        clearTimeout(timer);
        if (timedOut || (error && typeof error.code !== 'number')) {
          // Not flux's own verdict (timeout, spawn error): a broken oracle, not a result.
          const why = timedOut
            ? `timed out after ${timeoutMs} ms (kustomization.yaml files in the copy may be left rewritten)`
            : error.message;
          reject(new Error(`flux ${args.join(' ')}: ${why}\n${stderr}`));
          return;
        }
        resolve({ stdout, stderr, exitCode: error ? error.code : 0 });
      },
    );
    // SIGINT, not SIGTERM: on an interrupt flux puts back the root's kustomization.yaml (then exits
    // 0, hence the flag). A child's may stay rewritten: after a timeout the copy is spoiled.
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, timeoutMs);
  });

  const objects = [];
  for (const doc of parseAllDocuments(stdout)) {
    if (doc.errors.length > 0) throw new Error(`flux printed invalid YAML: ${doc.errors[0].message}`);
    const object = doc.toJS();
    if (object === null || typeof object !== 'object') continue;
    const metadata = object.metadata ?? {};
    const labels = metadata.labels ?? {};
    objects.push({
      apiVersion: object.apiVersion,
      kind: object.kind,
      namespace: metadata.namespace ?? null,
      name: metadata.name,
      appliedBy:
        labels[NAMESPACE_LABEL] && labels[NAME_LABEL]
          ? `${labels[NAMESPACE_LABEL]}/${labels[NAME_LABEL]}`
          : null,
    });
  }
  return { objects, stderr, exitCode };
}
