// The admin-plane flags reach HAProxy through HEAD placeholders; a HEAD without them is reported.
import { readFileSync } from 'node:fs';
import { parseSettings } from '../../../src/cli/parse-settings.js';
import { adminPlaneWarnings, builtinValues } from '../../../src/main.js';
import type { Settings } from '../../../src/settings.js';

function settings(flags: string[]): Settings {
  const r = parseSettings(['--group', 'external', ...flags], { cwd: '/work', packageRoot: '/pkg' });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.settings;
}

const DEFAULT_HEAD = readFileSync('templates/HAPROXY_HEAD', 'utf8');
const MARATHON_LB_HEAD = 'global\n  daemon\nlisten stats\n  bind 0.0.0.0:9090\n';
const RESTRICTED = ['--admin-write-networks', '10.0.0.0/8', '--admin-bind-address', '10.0.0.1'];

describe('admin plane flags', () => {
  it('default: every address may write, the admin section binds where the others do', () => {
    expect(builtinValues(settings([]))).toMatchObject({ adminBindAddress: '*', adminWriteNetworks: '0.0.0.0/0 ::/0' });
  });

  it('restricted: the placeholders carry the flags', () => {
    expect(builtinValues(settings(['--admin-write-networks', '10.0.0.0/8,fd00::/8', '--admin-bind-address', '10.0.0.1'])))
      .toMatchObject({ adminBindAddress: '10.0.0.1', adminWriteNetworks: '10.0.0.0/8 fd00::/8' });
  });

  it('says when the HEAD in use cannot apply them, and only then', () => {
    expect(adminPlaneWarnings(settings(RESTRICTED), { kind: 'head', text: DEFAULT_HEAD })).toEqual([]);
    expect(adminPlaneWarnings(settings([]), { kind: 'head', text: MARATHON_LB_HEAD })).toEqual([]);
    const warnings = adminPlaneWarnings(settings(RESTRICTED), { kind: 'head', text: MARATHON_LB_HEAD });
    expect(warnings).toEqual([expect.stringContaining('--admin-write-networks'), expect.stringContaining('--admin-bind-address')]);
    // The shipped ejs example binds where --admin-bind-address says, and has no write endpoint.
    const example = readFileSync('templates/examples/listen-per-app.cfg.ejs', 'utf8');
    expect(adminPlaneWarnings(settings(RESTRICTED), { kind: 'ejs', text: example })).toEqual([
      expect.stringContaining('--admin-write-networks is set, but the ejs template in use has no builtins.adminWriteNetworks'),
    ]);
  });
});
