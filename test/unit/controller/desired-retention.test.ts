// What a desired state keeps. A long-running controller holds the last full pass's desired state
// (one object per backend) until the next full pass, so whatever those objects keep is kept for
// every backend of the cluster. These check with a real collection (V8's gc, exposed at run
// time) that a desired state keeps neither the rendered config text nor what its fields made.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRenderer } from '../../../src/controller/renderer.js';
import { CASES } from '../../golden/cases.js';
import { caseInputs } from '../../golden/render-case.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Whether the target of `ref` is collected (a WeakRef holds it until the current job ends). */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 5; i += 1) {
    await new Promise((ok) => setImmediate(ok));
    gc();
    if (ref.deref() === undefined) return true;
  }
  return false;
}

const mapMode = CASES.find((c) => c.name === 'map-mode')!;

function fullRender() {
  const { model, templates, options } = caseInputs(mapMode);
  const out = createRenderer(templates, options).full(model);
  if (!out.ok) throw out.error;
  return out;
}

describe('what a desired state keeps', () => {
  it('the collection this file relies on does collect, and does not collect what is still held', async () => {
    const held = { a: 1 };
    expect(await collected(new WeakRef(held))).toBe(false);
    expect(held.a).toBe(1);
    expect(await collected(new WeakRef({ b: 2 }))).toBe(true);
  });

  it('a full render\'s desired state keeps neither the rendered text nor its builder output', async () => {
    let out: ReturnType<typeof fullRender> | undefined = fullRender();
    const { desired } = out;
    // What a pass reads of the rendered text before it writes it.
    const config = out.rendered.config;
    const maps = out.rendered.maps;
    expect(out.rendered.skeleton.length).toBeGreaterThan(0);
    expect(out.rendered.owners.length).toBeGreaterThan(0);
    const rendered = new WeakRef(out.rendered);
    out = undefined;
    expect(await collected(rendered)).toBe(true);
    // What the plan reads later still answers, the same maps without building them again.
    expect(desired.maps()).toBe(maps);
    expect(Object.values(maps).some((text) => text.includes('a.com'))).toBe(true);
    expect(desired.mapKinds([...Object.keys(maps)]).size).toBe(Object.keys(maps).length);
    expect(config).toContain('backend a_10000');
  });

  it('a backend\'s servers and map entries are made on each read, not kept', async () => {
    const { desired } = fullRender();
    const backend = desired.backends.get('a_10000')!;
    const servers = new WeakRef(backend.servers as object);
    const entries = backend.mapEntries;
    expect(await collected(servers)).toBe(true);
    expect(Object.keys(backend.servers).length).toBeGreaterThan(0);
    expect(backend.mapEntries).toBe(entries);
    expect(entries).toContain('a.com');
  });

  it('backends with the same traits share one traits object', () => {
    const { desired } = fullRender();
    const names = [...desired.backends.keys()];
    expect(names.length).toBeGreaterThanOrEqual(5);
    const traits = new Set(names.map((n) => desired.backends.get(n)!.traits));
    expect(traits.size).toBe(1);
    expect([...traits][0]!.balance).toBe('roundrobin');
  });
});
