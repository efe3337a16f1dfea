// argv + environment -> Settings in one pure call, for the CLI and for tests of other folders
// that need a realistic Settings (`parseSettings(['--group', 'external'])`).

import { parseArgs } from './args.js';
import { buildSettings, type Env, type SettingsResult } from './settings.js';

export interface ParseSettingsOptions {
  readonly env?: Env;
  readonly cwd?: string;
  readonly packageRoot?: string;
  readonly credentialFileText?: string;
}

export function parseSettings(argv: readonly string[], options: ParseSettingsOptions = {}): SettingsResult {
  const outcome = parseArgs(argv);
  if (outcome.kind === 'help') return { ok: false, problems: [{ flag: '--help', message: 'help requested' }] };
  if (outcome.kind === 'error') return { ok: false, problems: [{ flag: '', message: outcome.message }] };
  return buildSettings({
    args: outcome.args,
    env: options.env ?? {},
    cwd: options.cwd ?? '/',
    packageRoot: options.packageRoot ?? '/package',
    credentialFileText: options.credentialFileText,
  });
}
