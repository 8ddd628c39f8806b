// Builds the production bundles and writes the VSIX with @vscode/vsce; prints its size and
// the files it holds, so a change that bloats the package shows up here.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const vsix = `${manifest.name}-${manifest.version}.vsix`;
const vsce = require.resolve('@vscode/vsce/vsce');

execFileSync(process.execPath, ['scripts/build.mjs', '--production'], { stdio: 'inherit' });
// README images resolve against the repository (vsce only guesses that for GitHub/GitLab hosts).
const repository = String(manifest.repository?.url ?? manifest.repository ?? '').replace(/\.git$/, '');
const baseUrls = repository.startsWith('https://')
  ? ['--baseContentUrl', `${repository}/blob/HEAD/`, '--baseImagesUrl', `${repository}/raw/HEAD/`]
  : [];
execFileSync(
  process.execPath,
  [vsce, 'package', '--no-dependencies', '--skip-license', ...baseUrls, '--out', vsix],
  {
    stdio: 'inherit',
  },
);
const listing = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { encoding: 'utf8' });
const files = listing.trim().split('\n');
console.log(`VSIX ${vsix}: ${(statSync(vsix).size / 1024).toFixed(1)} KiB, ${files.length} files`);
for (const file of files) console.log(`  ${file}`);
