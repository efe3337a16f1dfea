import fc from 'fast-check';
import { fillKnownPlaceholders, fillPlaceholders } from '../../../src/config/placeholders.js';

describe('fillPlaceholders', () => {
  it.each([
    ['plain {a}', { a: 'x' }, 'plain x'],
    ['{a}{b}', { a: '1', b: '2' }, '12'],
    ['literal {{ ssl_fc }} and {a}', { a: 'v' }, 'literal { ssl_fc } and v'],
    ['no placeholders', {}, 'no placeholders'],
  ])('%s', (tpl, values, expected) => {
    expect(fillPlaceholders(tpl, values)).toEqual({ ok: true, text: expected });
  });

  it('rejects a placeholder the call site does not supply', () => {
    const r = fillPlaceholders('use_backend {bakend}', { backend: 'b' });
    expect(r).toMatchObject({ ok: false, problem: 'UNKNOWN_PLACEHOLDER' });
    expect(!r.ok && r.detail).toContain('{bakend}');
  });

  it('rejects names outside the allowed set even when a value exists', () => {
    expect(fillPlaceholders('{a}', { a: '1' }, new Set(['b']))).toMatchObject({ ok: false, problem: 'UNKNOWN_PLACEHOLDER' });
  });

  it.each(['{', 'a } b', '{a'])('rejects unbalanced braces in %j', (tpl) => {
    expect(fillPlaceholders(tpl, { a: '1' })).toMatchObject({ ok: false });
  });

  it('never evaluates: a value that looks like a placeholder stays literal', () => {
    expect(fillPlaceholders('{a}', { a: '{b}', b: 'no' })).toEqual({ ok: true, text: '{b}' });
  });

  it('refuses any value containing CR, LF or NUL', () => {
    fc.assert(fc.property(fc.string(), fc.constantFrom('\n', '\r', '\0'), fc.string(), (pre, bad, post) => {
      const r = fillPlaceholders('x {v} y', { v: pre + bad + post });
      return !r.ok && r.problem === 'UNSAFE_VALUE';
    }));
  });

  it('lets trusted multi-line values through when named', () => {
    expect(fillPlaceholders('{o}', { o: 'a\nb' }, new Set(['o']), new Set(['o']))).toEqual({ ok: true, text: 'a\nb' });
  });
});

describe('fillKnownPlaceholders (raw templates)', () => {
  it('fills listed names and leaves HAProxy braces alone', () => {
    expect(fillKnownPlaceholders('bind *:{port}\nhttp-request deny if { path /x }', { port: '80' }))
      .toBe('bind *:80\nhttp-request deny if { path /x }');
  });
});
