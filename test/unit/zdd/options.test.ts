import { describe, expect, it } from '@jest/globals';
import { parseZddArgs } from '../../../src/zdd/options.js';

const base = ['-m', 'http://m:8080', '-l', 'http://lb:9090', '-j', 'app.json'];

describe('zdd flags', () => {
  it('has zdd.py defaults', () => {
    const r = parseZddArgs(base);
    expect(r.ok && r.options).toMatchObject({
      marathon: 'http://m:8080', marathonLb: ['http://lb:9090'], json: 'app.json', dryRun: false, force: false,
      stepDelay: 5, initialInstances: 1, linearIncrease: 0, resume: false, maxWait: 300, newInstances: 0,
      completeCur: false, completePrev: false, logLevel: 'INFO',
    });
  });

  it.each([
    [['-d', '-f', '-r', '-c'], { dryRun: true, force: true, resume: true, completeCur: true }],
    [['-s', '2', '-i', '3', '-w', '60', '-n', '4'], { stepDelay: 2, initialInstances: 3, maxWait: 60, newInstances: 4 }],
    [['--step-delay=0.5', '--linear-increase', '2', '--pre-kill-hook', '/bin/hook'], { stepDelay: 0.5, linearIncrease: 2, preKillHook: '/bin/hook' }],
    [['--dry', '--forc', '--max-w', '9'], { dryRun: true, force: true, maxWait: 9 }],
    [['-p', '--auth-credentials', 'u:p', '--syslog-socket', '/dev/null', '--log-format', '%(x)s', '--log-level', 'DEBUG'], { completePrev: true, authCredentials: 'u:p', logLevel: 'DEBUG' }],
  ])('%j', (extra, expected) => {
    const r = parseZddArgs([...base, ...extra]);
    expect(r.ok && r.options).toMatchObject(expected);
  });

  it('takes several load balancers, after one flag or by repeating it', () => {
    const a = parseZddArgs(['-m', 'm', '-j', 'x', '-l', 'http://a:9090', 'http://b:9090', '-f']);
    expect(a.ok && a.options.marathonLb).toEqual(['http://a:9090', 'http://b:9090']);
    const b = parseZddArgs(['-m', 'm', '-j', 'x', '-l', 'http://a:9090', '--marathon-lb', 'http://b:9090']);
    expect(b.ok && b.options.marathonLb).toEqual(['http://a:9090', 'http://b:9090']);
  });

  it('reads DC/OS credentials from the environment', () => {
    const r = parseZddArgs(base, { DCOS_SERVICE_ACCOUNT_CREDENTIAL: '{"uid":"u"}' });
    expect(r.ok && r.options.dcosAuthCredentials).toBe('{"uid":"u"}');
  });

  it.each([
    [['-m', 'm'], /required: --marathon-lb\/-l, --json\/-j/],
    [[...base, '--bogus'], /unrecognized argument: --bogus/],
    [[...base, '--c'], /ambiguous option: --c could match/],
    [[...base, '-s', 'soon'], /invalid non-negative number value: 'soon'/],
    [[...base, '-i', '1.5'], /invalid int value/],
    [[...base, '-c', '-p'], /exclude each other/],
    [[...base, '-w'], /expected one argument/],
  ])('%j is a usage error', (argv, message) => {
    const r = parseZddArgs(argv);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(message);
  });

  it('--help and --longhelp need no other flag', () => {
    expect(parseZddArgs(['--longhelp'])).toMatchObject({ ok: true, options: { longhelp: true } });
    expect(parseZddArgs(['-h'])).toMatchObject({ ok: true, options: { help: true } });
  });
});
