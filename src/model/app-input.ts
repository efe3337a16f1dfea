// The first look at Marathon's JSON: keep what has the shape of an app, in a fixed order, and
// turn the rest into Skipped entries. Marathon lists apps in no particular order, so everything
// downstream starts from apps sorted by id.

import { sortInPlace } from './sort-in-place.js';
import type { Skipped } from './types.js';
import type { WireApp } from './wire.js';

/** Code-unit order: the same everywhere, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Only string values (Marathon's contract); keys sorted so the output does not depend on JSON key order. */
export function sanitizeLabels(labels: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return out;
  for (const key of sortInPlace(Object.keys(labels), compareText)) {
    const value = (labels as Record<string, unknown>)[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

/** C0 controls (line breaks, tab, NUL, ...) and DEL. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

export interface ValidApp {
  readonly id: string;
  readonly app: WireApp;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : '(no id)';
}

/** Apps with a usable id, sorted by id; malformed and duplicate apps are reported in `skipped`. */
export function validateApps(apps: readonly unknown[], skipped: Skipped[]): ValidApp[] {
  const valid: ValidApp[] = [];
  for (const app of Array.isArray(apps) ? apps : []) {
    if (typeof app !== 'object' || app === null || Array.isArray(app)) {
      skipped.push({ appId: '(no id)', reason: 'INVALID_APP', message: 'an entry of the app list is not an object' });
      continue;
    }
    const wire = app as WireApp;
    if (typeof wire.id !== 'string' || wire.id === '' || wire.id === '/') {
      skipped.push({ appId: describe(wire.id), reason: 'INVALID_APP', message: `app ${describe(wire.id)} has no usable id` });
      continue;
    }
    if (CONTROL_CHARACTER.test(wire.id)) {
      // Backend, server and map entries are all made from the id: no config line can carry it.
      skipped.push({
        appId: wire.id, reason: 'UNSAFE_VALUE',
        message: `app ${JSON.stringify(wire.id)}: the id contains a line break or another control character, which no HAProxy config line can carry`,
      });
      continue;
    }
    if (wire.tasks !== undefined && wire.tasks !== null && !Array.isArray(wire.tasks)) {
      skipped.push({ appId: wire.id, reason: 'INVALID_APP', message: `app ${wire.id}: tasks is not a list` });
      continue;
    }
    valid.push({ id: wire.id, app: wire });
  }
  // The JSON text breaks ties between duplicate ids, so even that case is order-independent.
  sortInPlace(valid, (a, b) => compareText(a.id, b.id) || compareText(JSON.stringify(a.app), JSON.stringify(b.app)));
  const out: ValidApp[] = [];
  for (const v of valid) {
    if (out.length > 0 && out[out.length - 1]?.id === v.id) {
      skipped.push({ appId: v.id, reason: 'INVALID_APP', message: `app ${v.id} is listed more than once; the other copy is served` });
      continue;
    }
    out.push(v);
  }
  return out;
}
