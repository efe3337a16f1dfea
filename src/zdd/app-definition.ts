// Turns the user's app definition into the new colour of a blue/green deployment. Pure: the
// existing apps of the group and the time come in as arguments.
//
// The service port is read and written wherever the app declares it, with the controller's own
// rules (Docker/container port mappings off host networking, else portDefinitions, else the
// old `ports`), so every networking shape the controller serves can be deployed.

import { declaredServicePorts, networkingMode } from '../model/service-ports.js';
import type { WireApp } from '../model/wire.js';
import { EXIT, ZddError } from './errors.js';
import { L, appIdOf, intLabel, instancesOf, labelsOf, withoutNulls, type AppJson } from './labels.js';

export interface PrepareInput {
  readonly definition: unknown;
  /** The group's running colour, if any (the one to replace). */
  readonly previous?: AppJson;
  readonly initialInstances: number;
  readonly newInstances: number;
  /** ISO time stamp for HAPROXY_DEPLOYMENT_STARTED_AT. */
  readonly now: string;
}

export interface Prepared {
  readonly app: AppJson;
  /** Instances the deployment ends with (both colours together). */
  readonly target: number;
  readonly servicePort: number;
}

export function servicePortOf(app: AppJson): number | undefined {
  return declaredServicePorts(app as WireApp)[0]?.servicePort;
}

/** Sets the first service port where the controller would read it; undefined if the app declares none. */
function withServicePort(app: AppJson, port: number): AppJson | undefined {
  const a = structuredClone(app) as Record<string, any>;
  const mode = networkingMode(a as WireApp);
  if (mode !== 'host') {
    for (const list of [a.container?.docker?.portMappings, a.container?.portMappings]) {
      if (Array.isArray(list) && list.length > 0 && typeof list[0] === 'object' && list[0] !== null) {
        list[0].servicePort = port;
        return a;
      }
    }
  }
  if (Array.isArray(a.portDefinitions) && a.portDefinitions.length > 0) {
    a.portDefinitions[0] = { ...a.portDefinitions[0], port };
    return a;
  }
  if (Array.isArray(a.ports) && a.ports.length > 0) {
    a.ports[0] = port;
    return a;
  }
  return undefined;
}

function nextColour(previous: AppJson | undefined): 'blue' | 'green' {
  return previous !== undefined && labelsOf(previous)[L.colour] === 'blue' ? 'green' : 'blue';
}

export function prepareApp(input: PrepareInput): Prepared {
  const def = withoutNulls(input.definition);
  if (typeof def !== 'object' || def === null || Array.isArray(def)) throw new ZddError(EXIT.missing, 'the app definition is not a JSON object');
  const app = def as AppJson;
  const id = appIdOf(app);
  if (id === '') throw new ZddError(EXIT.missing, 'the app definition has no "id"');
  const labels = labelsOf(app);
  if (labels[L.group] === undefined) throw new ZddError(EXIT.missing, `the app definition has no ${L.group} label`);
  const altPort = intLabel(app, L.altPort);
  if (altPort === undefined) throw new ZddError(EXIT.missing, `the app definition has no numeric ${L.altPort} label`);
  const port0 = intLabel(app, L.port0) ?? servicePortOf(app);
  if (port0 === undefined || port0 === 0) throw new ZddError(EXIT.missing, 'the app definition declares no service port (portMappings, portDefinitions or ports) and no HAPROXY_0_PORT label');

  const previous = input.previous;
  const colour = nextColour(previous);
  // The new colour takes the port the previous one does not use; the LB serves both on port0.
  const servicePort = previous !== undefined && servicePortOf(previous) !== altPort ? altPort : port0;
  // The definition's instances is the target; zdd.py kept the previous count (see docs/zdd.md).
  const target = typeof app.instances === 'number' ? app.instances : previous !== undefined ? instancesOf(previous) : 1;
  const hybrid = input.newInstances > 0 ? Math.min(input.newInstances, target) : 0;
  const instances = previous === undefined ? target : Math.min(input.initialInstances, hybrid > 0 ? hybrid : target);

  const withPort = withServicePort(app, servicePort);
  if (withPort === undefined) throw new ZddError(EXIT.missing, 'the app definition has no port list to put the service port in');
  const baseId = id.startsWith('/') ? id : `/${id}`;
  const out: AppJson = {
    ...withPort,
    id: `${baseId}-${colour}`,
    instances,
    labels: {
      ...labels,
      [L.appId]: baseId,
      [L.port0]: String(port0),
      [L.colour]: colour,
      [L.startedAt]: input.now,
      [L.targetInstances]: String(target),
      [L.newInstances]: String(hybrid),
    },
  };
  return { app: out, target, servicePort };
}
