import { accessSync, constants, statSync } from 'node:fs';
import * as nodePath from 'node:path';

/**
 * The absolute path of `name` on PATH, or undefined. Relative PATH entries (".", "") are skipped,
 * so a binary dropped into the working folder (a cloned repository) is never the one run.
 */
export function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':');
  const extensions =
    platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').map((e) => e.toLowerCase()) : [''];
  for (const dir of dirs) {
    if (!dir || !nodePath.isAbsolute(dir)) continue;
    for (const extension of extensions) {
      const candidate = nodePath.join(dir, name + extension);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
