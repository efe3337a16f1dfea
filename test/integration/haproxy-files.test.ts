// validate + atomic apply against the real haproxy binary.
import { chmod, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import {
  applyConfigFiles, archivePath, removeTempFiles, runReloadCommand, tempDirOf, validateConfig, writeFilesAtomically, writeTemp, writeUncheckedFiles,
} from '../../src/haproxy/index.js';
import { basicConfig, describeWithHaproxy, tempDir } from '../support/haproxy.js';
import { rm } from 'node:fs/promises';

describeWithHaproxy('haproxy files', (bin) => {
  let dir: string;
  beforeEach(async () => { dir = await tempDir(); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  const config = (d: string, extra = '') => basicConfig({ adminSocket: join(d, 'admin.sock'), frontendPort: 18999, servers: { s1: 18998 }, extraBackend: extra });

  it('validateConfig accepts a good config and reports the line number of a bad one', async () => {
    const good = join(dir, 'good.cfg');
    await writeFile(good, config(dir));
    expect(await validateConfig({ bin, file: good })).toEqual({ ok: true, warnings: [] });

    const text = config(dir, '  bogus-directive here\n');
    const badLine = text.split('\n').findIndex((l) => l.includes('bogus-directive')) + 1;
    const bad = join(dir, 'bad.cfg');
    await writeFile(bad, text);
    const r = await validateConfig({ bin, file: bad });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.alerts).toContainEqual({ file: bad, line: badLine, message: expect.stringContaining("unknown keyword 'bogus-directive'") });
  });

  it('applyConfigFiles writes, then does nothing for the same text, archives the previous version', async () => {
    const configPath = join(dir, 'haproxy.cfg');
    const mapLine = `  use_backend %[req.hdr(host),lower,map(${join(dir, 'domain2backend.map')})]\n`;
    const v1 = config(dir).replace('  default_backend be\n', `${mapLine}  default_backend be\n`);
    const opts = { configPath, maps: { 'domain2backend.map': 'a.com be\n' }, validate: true, bin, archiveVersions: 2 };
    expect(await applyConfigFiles({ ...opts, config: v1 })).toMatchObject({ ok: true, changed: true });
    await chmod(configPath, 0o640);
    const before = await stat(configPath);
    expect(await applyConfigFiles({ ...opts, config: v1 })).toEqual({ ok: true, changed: false });
    expect((await stat(configPath)).mtimeMs).toBe(before.mtimeMs);

    const v2 = v1.replace('retries 0', 'retries 1');
    expect(await applyConfigFiles({ ...opts, config: v2 })).toMatchObject({ ok: true, changed: true });
    expect(await readFile(configPath, 'utf8')).toBe(v2);
    expect((await stat(configPath)).mode & 0o777).toBe(0o640); // mode of the existing file kept
    expect(await readFile(archivePath(configPath, 1), 'utf8')).toBe(v1);
    // No temp files left behind.
    expect((await readdir(dir)).filter((n) => n.startsWith('.') && n !== '.archive')).toEqual([]);
  });

  it('a rejected candidate leaves config and maps untouched and is kept for inspection', async () => {
    const configPath = join(dir, 'haproxy.cfg');
    const mapPath = join(dir, 'domain2backend.map');
    const mapLine = `  use_backend %[req.hdr(host),lower,map(${mapPath})]\n`;
    const good = config(dir).replace('  default_backend be\n', `${mapLine}  default_backend be\n`);
    const opts = { configPath, validate: true, bin, archiveVersions: 0 };
    expect(await applyConfigFiles({ ...opts, config: good, maps: { 'domain2backend.map': 'a.com be\n' } })).toMatchObject({ ok: true });

    const bad = `${good}  server s2 127.0.0.1:1 chekc\n`;
    const r = await applyConfigFiles({ ...opts, config: bad, maps: { 'domain2backend.map': 'b.com be\n' } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.alerts[0]?.line).toBe(bad.split('\n').length - 1);
    expect(await readFile(configPath, 'utf8')).toBe(good);
    expect(await readFile(mapPath, 'utf8')).toBe('a.com be\n');
    expect(await readFile(r.rejectedPath, 'utf8')).toBe(bad);
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('validates a candidate against its NEW maps (a map HAProxy cannot read is caught)', async () => {
    const configPath = join(dir, 'haproxy.cfg');
    const mapLine = `  use_backend %[req.hdr(host),lower,map_ip(${join(dir, 'ip.map')})]\n`;
    const cfg = config(dir).replace('  default_backend be\n', `${mapLine}  default_backend be\n`);
    const r = await applyConfigFiles({ configPath, config: cfg, maps: { 'ip.map': 'not-an-ip be\n' }, validate: true, bin, archiveVersions: 0 });
    expect(r.ok).toBe(false);
    await expect(stat(join(dir, 'ip.map'))).rejects.toThrow();
  });

  /** Every file below `d`, relative, sorted. */
  async function tree(d: string): Promise<string[]> {
    const entries = await readdir(d, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(d.length + 1)).sort();
  }

  it('temp files live in <config dir>/.mlb-tmp/ and none is left after an apply, whatever its outcome', async () => {
    const configPath = join(dir, 'haproxy.cfg');
    const tmp = await writeTemp(configPath, 'x');
    expect(tmp.startsWith(`${tempDirOf(dir)}/`)).toBe(true);
    await rm(tmp);
    const opts = { configPath, maps: { 'domain2backend.map': 'a.com be\n' }, validate: true, bin, archiveVersions: 2 };
    const good = config(dir);
    expect(await applyConfigFiles({ ...opts, config: good })).toMatchObject({ ok: true, changed: true });
    expect(await applyConfigFiles({ ...opts, config: good })).toEqual({ ok: true, changed: false });
    expect(await applyConfigFiles({ ...opts, config: config(dir, '  bogus-directive here\n'), maps: { 'domain2backend.map': 'b.com be\n' } })).toMatchObject({ ok: false });
    expect(await applyConfigFiles({ ...opts, config: config(dir, '  balance first\n') })).toMatchObject({ ok: true, changed: true });
    expect(await tree(dir)).toEqual(['.archive/haproxy.cfg.1', 'domain2backend.map', 'haproxy.cfg', 'haproxy.cfg.rejected']);
  });

  it('removes the temp files a killed run left: in .mlb-tmp at every apply, old-style ones beside the config at start', async () => {
    const configPath = join(dir, 'haproxy.cfg');
    const opts = { configPath, config: config(dir), maps: {}, validate: false, bin, archiveVersions: 0 };
    expect(await applyConfigFiles(opts)).toMatchObject({ ok: true, changed: true });
    // What a kill between writing and renaming leaves behind, in this version and the earlier one.
    await writeTemp(configPath, 'half-applied');
    await writeTemp(join(dir, 'domain2backend.map'), 'x', 'check');
    await writeFile(join(dir, '.haproxy.cfg.4242.0badf00d.tmp'), 'old style');
    await writeFile(join(dir, '.domain2backend.map.77.deadbeef.check'), 'old style');
    await writeFile(join(dir, '.keep-me.tmp'), 'not ours');
    expect((await tree(dir)).filter((f) => f.startsWith('.mlb-tmp/'))).toHaveLength(2);

    // Nothing to change: still, the apply leaves the temp directory empty.
    expect(await applyConfigFiles(opts)).toEqual({ ok: true, changed: false });
    expect((await tree(dir)).filter((f) => f.startsWith('.mlb-tmp/'))).toEqual([]);

    await removeTempFiles(dir, { legacy: true });
    expect(await tree(dir)).toEqual(['.keep-me.tmp', 'haproxy.cfg']);
  });

  it('writeUncheckedFiles writes the pieces as one file in slices, with its digest, maps and archive', async () => {
    const configPath = join(dir, 'haproxy.cfg');
    await writeFile(configPath, 'old\n');
    // About 3 MB in 40,000 pieces: many slices.
    const pieces = Array.from({ length: 40_000 }, (_, i) => `  server s${i} 10.0.${i % 250}.1:${1000 + (i % 5000)} id ${i + 1}\n`);
    let asked = 0;
    const r = await writeUncheckedFiles({ configPath, pieces, maps: { 'app2backend.map': '/web web_10000\n' }, archiveVersions: 2, stop: () => { asked += 1; return false; } });
    const text = await readFile(configPath, 'utf8');
    expect(text).toBe(pieces.join(''));
    expect(r).toEqual({ ok: true, changed: true, configDigest: createHash('sha256').update(text).digest('hex') });
    expect(asked).toBeGreaterThan(5);
    expect(await readFile(join(dir, 'app2backend.map'), 'utf8')).toBe('/web web_10000\n');
    expect(await readFile(archivePath(configPath, 1), 'utf8')).toBe('old\n');
    expect(await readdir(tempDirOf(dir)).catch(() => [])).toEqual([]);
  });

  it('a stopped writeUncheckedFiles leaves every file as it was and no temp file behind', async () => {
    const configPath = join(dir, 'haproxy.cfg');
    await writeFile(configPath, 'old\n');
    await writeFile(join(dir, 'app2backend.map'), 'old map\n');
    let made = 0;
    const pieces = (function* () {
      for (let i = 0; i < 40_000; i += 1) { made += 1; yield `  server s${i} 10.0.0.1:${1000 + i}\n`; }
    })();
    const r = await writeUncheckedFiles({ configPath, pieces, maps: { 'app2backend.map': 'new map\n' }, archiveVersions: 2, stop: () => true });
    expect(r).toEqual({ ok: true, changed: false, stopped: true });
    // Stopped at the first slice: the rest of the pieces were never made.
    expect(made).toBeLessThan(40_000);
    expect(await readFile(configPath, 'utf8')).toBe('old\n');
    expect(await readFile(join(dir, 'app2backend.map'), 'utf8')).toBe('old map\n');
    expect(await readdir(tempDirOf(dir)).catch(() => [])).toEqual([]);
    await expect(stat(archivePath(configPath, 1))).rejects.toThrow();
  });

  it('writeFilesAtomically writes every file', async () => {
    await writeFilesAtomically([{ path: join(dir, 'a'), text: 'A' }, { path: join(dir, 'b'), text: 'B' }]);
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('A');
    expect(await readFile(join(dir, 'b'), 'utf8')).toBe('B');
  });
});

describe('runReloadCommand', () => {
  it('returns exit code and output without throwing', async () => {
    expect(await runReloadCommand(`sh -c 'echo "reloading now"; exit 3'`)).toEqual({ ok: false, code: 3, output: 'reloading now\n' });
    expect(await runReloadCommand('true')).toEqual({ ok: true, code: 0, output: '' });
    expect((await runReloadCommand('/nonexistent/cmd')).ok).toBe(false);
    expect((await runReloadCommand("echo 'unclosed")).ok).toBe(false);
  });
});
