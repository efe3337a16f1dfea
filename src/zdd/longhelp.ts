// `zdd --longhelp`: a Markdown reference built from the flag table, so it cannot drift from it.

import { ZDD_FLAGS, zddUsage } from './options.js';

export function zddLongHelp(): string {
  const rows = ZDD_FLAGS.map((f) => `| \`--${f.name}\`${f.short ? ` / \`-${f.short}\`` : ''} | ${f.default !== undefined ? `\`${String(f.default)}\`` : ''} | ${f.help} |`);
  return [
    '# zdd: zero-downtime blue/green deploys through marathon-lb',
    '',
    'Deploys a new version of an app beside the running one (the next colour, on the alternate',
    'service port), grows it step by step, and kills each old task only when every load balancer',
    'given with `--marathon-lb` shows it drained (no new traffic, no session, nothing queued, in any',
    'HAProxy worker). The old app is deleted at the end. When the new version is not healthy within',
    '`--max-wait`, or the pre-kill hook says no, the deployment is rolled back: the old app back to',
    'its size, the new app withdrawn on every load balancer (`/_mlb_withdraw`), and deleted once',
    'its tasks are drained. See docs/zdd.md.',
    '',
    '```',
    zddUsage().trimEnd(),
    '```',
    '',
    '| flag | default | meaning |',
    '|---|---|---|',
    ...rows,
    '',
    'Exit codes: 0 done, 1 declined (prompt or pre-kill hook; rolled back), 2 error or rolled back,',
    '3 no hybrid deployment for `--complete-*`, 4 missing label or port, 5 load balancer unreachable,',
    '6 Marathon unreachable, 7 create failed, 8 delete failed, 9 scale or kill failed.',
    '',
  ].join('\n');
}
