// Labels the model had to override, said to the operator (status page and log). Pure.

import type { Service } from '../model/types.js';

/** A label the model overrode, said where it matters (HAPROXY_{n}_MODE=tcp with a vhost is served as http). */
export function noticesOf(s: Service): readonly string[] {
  // Asked of every served service after every full pass: only an http one can have been overridden.
  if (s.mode !== 'http') return NONE;
  const label = `HAPROXY_${s.index}_MODE`;
  const asked = s.labels[label]?.trim().toLowerCase();
  if (asked === 'tcp') {
    const why = s.vhosts.length > 0 ? `HAPROXY_${s.index}_VHOST` : `HAPROXY_${s.index}_BACKEND_HEALTHCHECK_PORT_INDEX`;
    return [`${label}=tcp is overridden to http because of ${why}`];
  }
  return NONE;
}

const NONE: readonly string[] = Object.freeze([]);
