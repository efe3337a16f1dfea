import { escapeHtml, prefersHtml, renderStatusHtml, statusProblems } from '../../../src/admin/index.js';
import { BROKEN, HEALTHY } from './sample-snapshot.js';

describe('renderStatusHtml', () => {
  const html = renderStatusHtml(HEALTHY);

  test('is one self-contained page: no scripts, no external assets', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|src=|href=/i);
  });

  test('escapes text from app owners', () => {
    expect(html).toContain('/team/&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('got &#34;eighty&#34; &#38; &#60;b&#62;more&#60;/b&#62;');
    expect(html).not.toContain('<b>more</b>');
  });

  test('shows services with vhosts, path and servers with their states', () => {
    for (const text of ['/shop/web', '10000', 'shop_web_10000', 'shop.example.com', 'www.shop.example.com', '/api', '10.0.0.2:31001', 'shop_web.3c4d']) {
      expect(html).toContain(text);
    }
    expect(html).toContain('<span class="state-draining">draining</span>');
    expect(html).toContain('<span class="state-down">down</span>');
    expect(html).not.toContain('class="banner"');
  });

  test('the banner is green only when no app is skipped, stale or rejected', () => {
    expect(html).not.toContain('id="all-ok"');
    expect(html).toContain('id="warn-apps-skipped"');
    expect(renderStatusHtml({ ...HEALTHY, skipped: [] })).toContain('id="all-ok"');
    const stale = renderStatusHtml({ ...HEALTHY, skipped: [], services: [{ ...HEALTHY.services[0]!, stale: { reason: 'label HAPROXY_0_MODE: expected http or tcp' } }] });
    expect(stale).toContain('id="warn-apps-stale"');
    expect(stale).toContain('<strong class="stale">stale</strong><br><small>label HAPROXY_0_MODE: expected http or tcp</small>');
    const rejected = renderStatusHtml({ ...HEALTHY, skipped: [{ appId: '/x', reason: 'CONFIG_REJECTED', label: 'HAPROXY_0_BALANCE', message: 'm' }] });
    expect(rejected).toContain('id="warn-apps-rejected"');
    expect(rejected).not.toContain('id="all-ok"');
    const notice = renderStatusHtml({ ...HEALTHY, skipped: [], services: [{ ...HEALTHY.services[0]!, notices: ['HAPROXY_0_MODE=tcp is overridden to http because of HAPROXY_0_VHOST'] }] });
    expect(notice).toContain('id="warn-notices"');
    expect(renderStatusHtml({ ...HEALTHY, otherGroups: 7 })).toContain('7 apps of other groups are not ours to serve.');
  });

  test('a dead HAProxy master is a problem while it is restarted, and a warning once it was', () => {
    const lastExit = { at: '2030-06-01T10:07:00.000Z', code: 137 };
    const down = renderStatusHtml({ ...HEALTHY, skipped: [], haproxy: { running: false, restarts: 0, lastExit } });
    expect(down).toContain('id="banner-haproxy-down"');
    const back = renderStatusHtml({ ...HEALTHY, skipped: [], haproxy: { running: true, restarts: 1, lastExit } });
    expect(back).not.toContain('class="banner"');
    expect(back).toContain('id="warn-haproxy-restarted"');
    expect(back).toContain('1 restarts');
  });

  test('a failed pass and a lost stream each get a banner', () => {
    const broken = renderStatusHtml(BROKEN);
    expect(broken).toMatch(/<p class="banner" role="alert" id="banner-pass-failed">[^<]*ECONNREFUSED/);
    expect(broken).toMatch(/<p class="banner" role="alert" id="banner-stream-down">Marathon event stream is not connected since 2030-06-01T10:05:30.000Z/);
    expect(broken).not.toContain('id="all-ok"');
  });

  test('empty lists say so', () => {
    const empty = renderStatusHtml({ ...HEALTHY, services: [], skipped: [], lastPass: undefined, lastReload: undefined });
    expect(empty).toContain('No services are exposed.');
    expect(empty).toContain('No apps are skipped.');
    expect(empty).toContain('none yet');
  });
});

test('statusProblems: invalid config counts as a failed pass; poll mode names Marathon, not the stream', () => {
  expect(statusProblems(HEALTHY)).toEqual([]);
  const invalid = statusProblems({ ...HEALTHY, lastPass: { at: 't', result: 'invalid', error: 'haproxy -c: line 3' } });
  expect(invalid).toEqual([{ kind: 'pass-failed', message: expect.stringContaining('the generated configuration was rejected: haproxy -c: line 3') }]);
  const poll = statusProblems({ ...HEALTHY, stream: { mode: 'poll', connected: false, url: undefined, since: undefined, reconnects: 0 } });
  expect(poll).toEqual([{ kind: 'stream-down', message: 'Marathon is not connected; changes in Marathon are not seen.' }]);
});

test('escapeHtml escapes the five special characters', () => {
  expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
});

test.each([
  [undefined, false],
  ['', false],
  ['*/*', false],
  ['application/json', false],
  ['text/html', true],
  ['text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8', true], // Chromium
  ['application/json, text/html;q=0.5', false],
  ['text/*', true],
  ['text/html;q=0, */*', false],
])('prefersHtml(%p) = %p', (accept, expected) => {
  expect(prefersHtml(accept)).toBe(expected);
});

test('statusProblems claims a last good configuration only when one was applied', () => {
  const failed = { ...HEALTHY, lastPass: { at: 't', result: 'error' as const, error: 'no Marathon answered' } };
  expect(statusProblems(failed)[0]?.message).toMatch(/HAProxy keeps the last good configuration\.$/);
  expect(statusProblems({ ...failed, lastReload: undefined })[0]?.message)
    .toBe('Last pass at t: it failed: no Marathon answered. No configuration has been applied since the controller started.');
});
