/** Which Panopticon wrote a report: version, git commit when the package is a checkout, and the ODD link. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot, packageVersion } from '../../scenario/load.js';
import type { GeneratorInfo } from '../report/provenance.js';

function git(args: string[]): string | null {
  try {
    return execFileSync('git', ['-C', packageRoot(), ...args], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null; // not a checkout, or no git: the commit is simply not known
  }
}

let cached: { commit: string | null; dirty: boolean } | undefined;

/** The package's git commit, and whether tracked files differ from it; null outside a checkout. */
export function packageCommit(): { commit: string | null; dirty: boolean } {
  if (cached) return cached;
  const inside = git(['rev-parse', '--show-toplevel']);
  // Only the package's own repository counts (not a repository that happens to contain node_modules).
  if (!inside || !existsSync(join(packageRoot(), '.git'))) return (cached = { commit: null, dirty: false });
  const commit = git(['rev-parse', 'HEAD']);
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return (cached = { commit, dirty: Boolean(status) });
}

export function generatorInfo(command: string, at = new Date()): GeneratorInfo {
  const { commit, dirty } = packageCommit();
  return {
    name: 'Panopticon',
    version: packageVersion(),
    commit,
    dirty,
    at: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    command,
  };
}

/** The repository's web address from package.json, if it declares one (github-style `…/blob/REF/path` links). */
function repositoryUrl(): string | null {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
      repository?: string | { url?: string };
    };
    const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    if (!url) return null;
    const https = url
      .replace(/^git\+/, '')
      .replace(/\.git$/, '')
      .replace(/^git@github\.com:/, 'https://github.com/');
    return /^https:\/\//.test(https) ? https : null;
  } catch {
    return null;
  }
}

/**
 * A link to a doc of this package: on the repository's web page at the commit (or version tag)
 * when package.json names a repository, else the installed file itself.
 */
export function docHref(path: string): string | null {
  const repo = repositoryUrl();
  if (repo) return `${repo}/blob/${packageCommit().commit ?? `v${packageVersion()}`}/${path}`;
  const file = join(packageRoot(), path);
  return existsSync(file) ? pathToFileURL(file).href : null;
}
