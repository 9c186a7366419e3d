import { existsSync } from 'node:fs';
import path from 'node:path';
import { HeraldError } from '../domain/errors.js';

/** Invalid configuration: one line per bad field, naming where the value came from. */
export class ConfigError extends HeraldError {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      code: 'invalid_configuration',
    });
  }
}

const DEFAULT_FILES = ['config/herald.yaml', 'config/herald.yml', 'config/herald.json'];

/** `HERALD_CONFIG`, else the first default file that exists, else null. */
export function findConfigFile(env: NodeJS.ProcessEnv, cwd: string): string | null {
  if (env.HERALD_CONFIG) {
    const file = path.resolve(cwd, env.HERALD_CONFIG);
    if (!existsSync(file)) throw new ConfigError([`HERALD_CONFIG: file ${file} does not exist`]);
    return file;
  }
  return DEFAULT_FILES.map((f) => path.resolve(cwd, f)).find((f) => existsSync(f)) ?? null;
}
