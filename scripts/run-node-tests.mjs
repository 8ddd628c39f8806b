// Runs node:test files (compiled *.test.js) found under the folders given, with node's own
// runner, so the closing summary is node's ("# pass N" / "# fail N").
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...collect(full));
    else if (entry.name.endsWith('.test.js')) found.push(full);
  }
  return found;
}

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const dirs = args.filter((a) => !a.startsWith('--'));
const files = [];
for (const dir of dirs) {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    console.error(`run-node-tests: no such folder ${dir} (did "npm run compile-tests" run?)`);
    process.exit(2);
  }
  files.push(...collect(dir));
}
if (files.length === 0) {
  console.error(`run-node-tests: no *.test.js under ${dirs.join(', ')}`);
  process.exit(2);
}
files.sort();
const result = spawnSync(process.execPath, ['--enable-source-maps', '--test', ...flags, ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
