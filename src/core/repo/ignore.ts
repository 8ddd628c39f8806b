/** `.sourceignore` (gitignore syntax) and source-controller's default excludes. */

export interface IgnoreRule {
  re: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

// source-controller excludes these from every Git artifact (VCS files, CI configs, media,
// archives, .sops.yaml and .flux.yaml); all of them match at any depth.
const DEFAULT_DIRS = new Set(['.git', '.github', '.circleci']);
const DEFAULT_FILES = new Set([
  '.gitignore',
  '.gitmodules',
  '.gitattributes',
  '.travis.yml',
  '.gitlab-ci.yml',
  'appveyor.yml',
  '.drone.yml',
  'cloudbuild.yaml',
  'codeship-services.yml',
  'codeship-steps.yml',
  '.goreleaser.yml',
  '.sops.yaml',
  '.flux.yaml',
]);
const DEFAULT_EXTS = ['.jpg', '.jpeg', '.gif', '.png', '.wmv', '.flv', '.tar.gz', '.zip'];

/** True when source-controller's default excludes drop this entry. */
export function defaultIgnored(name: string, isDir: boolean): boolean {
  if (isDir) return DEFAULT_DIRS.has(name) || name === '.git';
  if (name === '.git' || DEFAULT_FILES.has(name)) return true;
  for (const ext of DEFAULT_EXTS) if (name.endsWith(ext)) return true;
  return false;
}

function globToRegex(glob: string): string {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slashAfter = glob[i + 2] === '/';
        const atStart = i === 0 || glob[i - 1] === '/';
        if (atStart && slashAfter) {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) {
        re += '\\[';
      } else {
        let cls = glob.slice(i + 1, close).replace(/\\/g, '\\\\');
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += '[' + cls + ']';
        i = close;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      re += '\\' + glob[++i];
    } else {
      re += /[.+^${}()|\]\\/]/.test(c) ? '\\' + c : c;
    }
  }
  return re;
}

/** Parses gitignore-syntax text into rules matched against paths relative to its folder. */
export function parseIgnore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let p = raw.replace(/(?<!\\)\s+$/, '');
    if (p === '' || p.startsWith('#')) continue;
    let negate = false;
    if (p.startsWith('!')) {
      negate = true;
      p = p.slice(1);
    }
    let dirOnly = false;
    if (p.endsWith('/')) {
      dirOnly = true;
      p = p.replace(/\/+$/, '');
    }
    if (p === '') continue;
    const anchored = p.includes('/');
    if (p.startsWith('/')) p = p.slice(1);
    try {
      const body = globToRegex(p);
      const re = new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`);
      rules.push({ re, negate, dirOnly });
    } catch {
      // A pattern JavaScript cannot compile is skipped rather than failing the scan.
    }
  }
  return rules;
}

/** Result of the last matching rule: true ignored, false re-included, undefined no match. */
export function matchIgnore(rules: IgnoreRule[], rel: string, isDir: boolean): boolean | undefined {
  let result: boolean | undefined;
  for (const r of rules) {
    if (r.dirOnly && !isDir) continue;
    if (r.re.test(rel)) result = !r.negate;
  }
  return result;
}
