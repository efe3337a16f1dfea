// The values the HEAD template's built-in placeholders take from the settings, and the warnings
// about admin-plane flags that a HEAD (or ejs template) without those placeholders would ignore.
// Pure; kept apart from the composition so tests and main.ts load them without the controller.

import type { BuiltinValues } from './config/template-lookup.js';
import type { Settings } from './settings.js';

/** Every address, for an HAProxy `src` match: what an empty --admin-write-networks means. */
export const ALL_NETWORKS = '0.0.0.0/0 ::/0';

function adminPlaneValues(s: Settings): Pick<BuiltinValues, 'adminBindAddress' | 'adminWriteNetworks'> {
  return {
    adminBindAddress: s.adminBindAddress,
    adminWriteNetworks: s.adminWriteNetworks.length > 0 ? s.adminWriteNetworks.join(' ') : ALL_NETWORKS,
  };
}

/**
 * The admin-plane flags work through placeholders of the HEAD template (`m.builtins.*` in an ejs
 * template): an operator's own HEAD (env or file) or ejs template without them would silently
 * not apply them. Says so.
 */
export function adminPlaneWarnings(s: Settings, template: { readonly kind: 'head' | 'ejs'; readonly text: string }): string[] {
  const out: string[] = [];
  const check = (flag: string, placeholder: string): void => {
    const [needle, what] = template.kind === 'head' ? [`{${placeholder}}`, 'HAPROXY_HEAD'] : [`builtins.${placeholder}`, 'ejs template'];
    if (!template.text.includes(needle)) out.push(`${flag} is set, but the ${what} in use has no ${needle}: it is not applied (see docs/compat.md)`);
  };
  if (s.adminWriteNetworks.length > 0) check('--admin-write-networks', 'adminWriteNetworks');
  if (s.adminBindAddress !== s.bindAddress) check('--admin-bind-address', 'adminBindAddress');
  return out;
}

export function builtinValues(s: Settings): BuiltinValues {
  const options = s.globalDefaultOptions.map((o) => `  option ${o}\n`).join('');
  return {
    luaDir: s.luaDir, runDir: s.runDir, pidFile: s.pidFile, statusPort: String(s.statusPort),
    adminPort: String(s.adminPort), httpPort: String(s.httpPort), httpsPort: String(s.httpsPort),
    appidPort: String(s.appidPort), bindAddress: s.bindAddress, globalOptions: options, hardStopAfter: '5m',
    // Port 0 would make HAProxy connect to the client's own destination port (a loop back into
    // :9090), so with the status server off the backend gets a server that is never used.
    controllerServer: s.statusPort > 0 ? `127.0.0.1:${s.statusPort}` : '127.0.0.1:1 disabled',
    ...adminPlaneValues(s),
  };
}
