// Bundles the extension and the CLI with esbuild into dist/. Each entry point is one
// CommonJS file holding its dependencies, so the VSIX needs no node_modules.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
if (!watch) await (await import('./gen-schemas.mjs')).generateSchemas(); // dist/schemas, skipped when up to date

/**
 * The extension reaches @kubernetes/client-node only through a dynamic import(); pointing it at
 * the separate dist/k8s-client.js keeps that library out of the activation path.
 */
const lazyKubernetesClient = {
  name: 'lazy-kubernetes-client',
  setup(build) {
    build.onResolve({ filter: /^@kubernetes\/client-node$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: './k8s-client.js', external: true } : undefined,
    );
  },
};

/**
 * Entry points: the extension host bundle, the repository scan worker it starts (a
 * worker_threads Worker, next to extension.js), the CLI, and the YAML language server when present.
 */
const entries = [
  { in: 'src/extension.ts', out: 'extension', external: ['vscode'], plugins: [lazyKubernetesClient] },
  { in: 'src/core/scan/scanWorker.ts', out: 'scan-worker', external: [] },
  { in: 'src/platform/k8sClientBundle.ts', out: 'k8s-client', external: [] },
  { in: 'src/cli.ts', out: 'cli', external: [] },
  { in: 'src/language/server.ts', out: 'yaml-server', external: [] },
  // The decrypted-secret editor runs in a webview (a browser page), not in Node.
  {
    in: 'src/webview/secretEditor.ts',
    out: 'secret-editor',
    external: [],
    platform: 'browser',
    format: 'iife',
  },
].filter((entry) => existsSync(entry.in));

const contexts = await Promise.all(
  entries.map((entry) =>
    esbuild.context({
      entryPoints: { [entry.out]: entry.in },
      bundle: true,
      outdir: 'dist',
      format: entry.format ?? 'cjs',
      platform: entry.platform ?? 'node',
      target: entry.platform === 'browser' ? 'es2022' : 'node20',
      external: entry.external,
      plugins: entry.plugins ?? [],
      sourcemap: production ? false : 'linked',
      minify: production,
      keepNames: true,
      logLevel: 'warning',
      banner: entry.banner ? { js: entry.banner } : undefined,
      // Packages that ship an ESM "module" build resolve to CommonJS-friendly code first.
      mainFields: ['module', 'main'],
    }),
  ),
);

if (watch) {
  await Promise.all(contexts.map((ctx) => ctx.watch()));
  console.log(`esbuild: watching ${entries.map((e) => e.in).join(', ')}`);
} else {
  const started = performance.now();
  await Promise.all(contexts.map((ctx) => ctx.rebuild()));
  await Promise.all(contexts.map((ctx) => ctx.dispose()));
  console.log(
    `esbuild: built ${entries.map((e) => `dist/${e.out}.js`).join(', ')} in ${(performance.now() - started).toFixed(0)} ms`,
  );
}
