// HAProxy judges a temp copy of the candidate config (in the writer's .mlb-tmp/, with a random
// name) and quotes that path in its alerts. What the controller reports, logs and compares
// pass after pass must be stable: the config's own path, no temp names, no HAProxy pids.

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { applyConfigFiles } from '../../src/haproxy/index.js';
import { basicConfig, describeWithHaproxy, tempDir } from '../support/haproxy.js';

describeWithHaproxy('HAProxy alert text', (bin) => {
  let dir: string;
  beforeEach(async () => { dir = await tempDir(); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('names the config path, not the temp check file, and is the same on every try', async () => {
    const configPath = join(dir, 'haproxy.cfg');
    // A second backend `be`: HAProxy's alert quotes the file twice (here and where the first was declared).
    const config = `${basicConfig({ adminSocket: join(dir, 'admin.sock'), frontendPort: 18997, servers: { s1: 18996 } })}\nbackend be\n  server s2 127.0.0.1:18995\n`;
    const opts = { configPath, config, maps: { 'app2backend.map': 'x be\n' }, validate: true, bin, archiveVersions: 0 };
    const first = await applyConfigFiles(opts);
    const second = await applyConfigFiles(opts);
    expect(first.ok).toBe(false);
    if (first.ok || second.ok) return;
    const text = JSON.stringify([first.alerts, first.output]);
    expect(text).toContain(configPath);
    expect(text).not.toContain('.mlb-tmp');
    expect(text).not.toMatch(/\[(ALERT|WARNING|NOTICE)\]\s+\(\d+\)/);
    expect(first.alerts.some((a) => a.file === configPath && a.message.includes(configPath))).toBe(true);
    expect(second.alerts).toEqual(first.alerts);
    expect(second.output).toEqual(first.output);
  });
});
