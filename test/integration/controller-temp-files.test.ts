// The temp files a killed controller left are removed when the next one starts, before it
// reads Marathon (here Marathon is unreachable, so no apply ever runs).

import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePorts, tempDir } from '../support/haproxy.js';
import { isolatedFlags, runController } from '../support/controller-process.js';

describe('controller start', () => {
  let dir: string;
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('removes the writer\'s leftover temp files, old-style ones too, and nothing else', async () => {
    dir = await tempDir('mlb-temps-');
    await mkdir(join(dir, '.mlb-tmp'));
    await writeFile(join(dir, '.mlb-tmp', 'haproxy.cfg.4242.0badf00d.tmp'), 'killed mid-apply');
    await writeFile(join(dir, '.haproxy.cfg.4242.deadbeef.tmp'), 'left by an earlier version');
    await writeFile(join(dir, '.app2backend.map.4242.01234567.check'), 'left by an earlier version');
    await writeFile(join(dir, 'haproxy.cfg'), '# the config on disk\n');
    const [nobody, ...p] = await freePorts(6) as [number, ...number[]];
    const ctl = runController(['--group', 'external', '--marathon', `http://127.0.0.1:${nobody}`,
      ...isolatedFlags(dir, { http: p[0]!, https: p[1]!, admin: p[2]!, appid: p[3]!, status: p[4]! })]);
    await ctl.exited;
    // The pass failed (no Marathon), so nothing was applied: the start alone cleaned up.
    expect(ctl.logs.map((l) => l.msg)).toContain('pass failed; nothing written');
    expect(await readFile(join(dir, 'haproxy.cfg'), 'utf8')).toBe('# the config on disk\n');
    expect((await readdir(dir)).sort()).toEqual(expect.not.arrayContaining(['.mlb-tmp', '.haproxy.cfg.4242.deadbeef.tmp', '.app2backend.map.4242.01234567.check']));
    expect(await readdir(dir)).toContain('haproxy.cfg');
  });
});
