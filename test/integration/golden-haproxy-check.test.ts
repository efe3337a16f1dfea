// Every golden case is not only the bytes we expect, it is a config HAProxy 2.6 accepts:
// each case is rendered with install values pointed at real files (the repo's lua/ scripts, a
// temp run dir, the case's maps written next to the config, and a real certificate at every
// path the case references) and checked with `haproxy -c`.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { validateConfig } from '../../src/haproxy/index.js';
import { generateSelfSignedPem } from '../../src/ssl/index.js';
import { CASES, type GoldenCase } from '../golden/cases.js';
import { renderCase } from '../golden/render-case.js';
import { REPO } from '../support/controller-process.js';
import { findHaproxy, tempDir } from '../support/haproxy.js';
import { TEST_BUILTINS } from '../support/render-support.js';

const bin = findHaproxy();
const d = bin ? describe : describe.skip;

/** Cases HAProxy is expected to reject, with the reason. None today: keep it that way or say why. */
const EXPECTED_TO_FAIL: Readonly<Record<string, string>> = {};

const CERT_DIR = '/etc/ssl/';

/**
 * Warnings HAProxy may give for a valid golden config. Rules of several apps share the :80/:443
 * frontends, so an app's `http-request auth`/`redirect` can follow another app's `use_backend`;
 * HAProxy runs them first anyway, which is what every app's rules intend (each is guarded by its
 * own host ACL). Any other warning is a finding.
 */
const KNOWN_WARNINGS = [/a '(redirect|http-request)' rule placed after a '(use_backend|redirect)' rule will still be processed before/];

/** The case with every certificate path (labels and flags) moved under `certDir`. */
function withCertsIn(c: GoldenCase, certDir: string): GoldenCase {
  const moved = JSON.parse(JSON.stringify(c).split(CERT_DIR).join(`${certDir}/`)) as GoldenCase;
  return { ...moved, render: { ...moved.render, sslCerts: (c.render?.sslCerts ?? [`${CERT_DIR}cert.pem`]).map((p) => p.replace(CERT_DIR, `${certDir}/`)) } };
}

d('golden configs pass haproxy -c', () => {
  let root: string;
  let pem: string;

  beforeAll(async () => {
    root = await tempDir('mlb-golden-check-');
    pem = generateSelfSignedPem({ now: new Date(), commonName: 'golden.example.com', keyBits: 2048 });
  });

  it('the cases reference certificate paths this test knows how to move', () => {
    // A new case with a certificate elsewhere would fail below with a missing file; say so here.
    for (const c of CASES) {
      const text = JSON.stringify(c);
      const pems = text.match(/"[^"]*\.pem"/g) ?? [];
      expect([c.name, pems.filter((p) => !p.startsWith(`"${CERT_DIR}`))]).toEqual([c.name, []]);
    }
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    const dir = join(root, name);
    const certDir = join(dir, 'ssl');
    const runDir = join(dir, 'run');
    await mkdir(certDir, { recursive: true });
    await mkdir(runDir, { recursive: true });
    await writeFile(join(runDir, 'server-state'), '1\n'); // an empty state dump (version line), as after a first reload
    const moved = withCertsIn(c, certDir);
    const out = renderCase(moved, {
      sslCerts: moved.render!.sslCerts!,
      haproxyDir: dir,
      builtins: { ...TEST_BUILTINS, luaDir: join(REPO, 'lua'), runDir, pidFile: join(runDir, 'marathon-lb.pid') },
    });
    // A real certificate at every path the config names, maps next to it (HAProxy loads both at parse time).
    const certPaths = [...new Set(out.config.match(new RegExp(`${certDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/[^\\s]+`, 'g')) ?? [])];
    for (const p of certPaths) {
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, pem);
    }
    for (const [map, text] of Object.entries(out.maps)) await writeFile(join(dir, map), text);
    const file = join(dir, 'haproxy.cfg');
    await writeFile(file, out.config);
    expect(out.config).not.toContain('/etc/');

    const result = await validateConfig({ bin: bin!, file });
    if (EXPECTED_TO_FAIL[name] !== undefined) {
      expect(result.ok).toBe(false);
      return;
    }
    const lines = out.config.split('\n');
    const explained = result.ok ? [] : result.alerts.map((a) => ({ ...a, text: a.line ? lines[a.line - 1] : undefined }));
    expect(explained).toEqual([]);
    if (result.ok) expect(result.warnings.filter((w) => !KNOWN_WARNINGS.some((k) => k.test(w)))).toEqual([]);
  });
});
