// Can a server line be created with the runtime API's `add server`? Pure.
//
// The keyword list is management.txt's `add server` list for 2.6, with each keyword's number of
// arguments, so that an argument (`inter 2s`) is never mistaken for a keyword. Anything not in
// the table (notably `cookie`, which HAProxy 2.6.12 refuses for dynamic servers, and
// `init-addr`, `resolvers`, `check-port`) makes the change a reload.

const ARITY: Readonly<Record<string, number>> = {
  'agent-addr': 1, 'agent-check': 0, 'agent-inter': 1, 'agent-port': 1, 'agent-send': 1,
  'allow-0rtt': 0, alpn: 1, addr: 1, backup: 0, 'ca-file': 1, check: 0, 'check-alpn': 1,
  'check-proto': 1, 'check-send-proxy': 0, 'check-sni': 1, 'check-ssl': 0, 'check-via-socks4': 0,
  ciphers: 1, ciphersuites: 1, 'crl-file': 1, crt: 1, disabled: 0, downinter: 1, enabled: 0,
  'error-limit': 1, fall: 1, fastinter: 1,
  'force-sslv3': 0, 'force-tlsv10': 0, 'force-tlsv11': 0, 'force-tlsv12': 0, 'force-tlsv13': 0,
  id: 1, inter: 1, maxconn: 1, maxqueue: 1, minconn: 1, 'no-ssl-reuse': 0,
  'no-sslv3': 0, 'no-tlsv10': 0, 'no-tlsv11': 0, 'no-tlsv12': 0, 'no-tlsv13': 0, 'no-tls-tickets': 0,
  npn: 1, observe: 1, 'on-error': 1, 'on-marked-down': 1, 'on-marked-up': 1,
  'pool-low-conn': 1, 'pool-max-conn': 1, 'pool-purge-delay': 1, port: 1, proto: 1,
  'proxy-v2-options': 1, rise: 1, 'send-proxy': 0, 'send-proxy-v2': 0, 'send-proxy-v2-ssl': 0,
  'send-proxy-v2-ssl-cn': 0, slowstart: 1, sni: 1, source: 1, ssl: 0, 'ssl-max-ver': 1,
  'ssl-min-ver': 1, tfo: 0, 'tls-tickets': 0, track: 1, usesrc: 1, verify: 1, verifyhost: 1,
  weight: 1, ws: 1,
};

export interface ServerArgsCheck {
  readonly ok: boolean;
  /** Why not, when not ok ("option cookie cannot be set at run time"). */
  readonly problem?: string;
  readonly words: readonly string[];
}

/** Checks `args` (what follows `server <name> `: address first, then keywords). */
export function checkDynamicServerArgs(args: string): ServerArgsCheck {
  const words = args.trim().split(/\s+/).filter((w) => w !== '');
  const address = words[0] ?? '';
  // An IP:port (v4, or v6 in its usual HAProxy spelling); names are not resolved by `add server`.
  if (!/^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*|ipv6@[^ ]+|ipv4@[^ ]+):\d+$/.test(address)) {
    return { ok: false, problem: `address ${address || '(none)'} is not an IP:port (add server does not resolve names)`, words };
  }
  for (let i = 1; i < words.length; i += 1) {
    const w = words[i]!;
    const arity = ARITY[w];
    if (arity === undefined) return { ok: false, problem: `option ${w} cannot be set at run time`, words };
    if (arity > 0 && words[i + arity] === undefined) {
      return { ok: false, problem: `option ${w} lacks its value`, words };
    }
    i += arity;
  }
  return { ok: true, words };
}

/** True when `args` asks for health checks, which `add server` leaves off until `enable health`. */
export function wantsHealthCheck(words: readonly string[]): boolean {
  return argKeywords(words).includes('check');
}

/** True when the server is meant to start in maintenance (marathon-lb renders draining tasks `disabled`). */
export function startsDisabled(words: readonly string[]): boolean {
  return argKeywords(words).includes('disabled');
}

/** The keywords of a server's args (skipping the address and keyword values). */
function argKeywords(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < words.length; i += 1) {
    const w = words[i]!;
    out.push(w);
    i += ARITY[w] ?? 0;
  }
  return out;
}
