// Public surface of the model: wire types in, Model out, and the label registry.

export type * from './types.js';
export type * from './wire.js';
export {
  APP_LABELS, PORT_LABELS, LABELS, TEMPLATE_OVERRIDE_LABEL, APP_LABEL_BY_NAME, PORT_LABEL_BY_NAME,
  labelName, labelPattern, renderLabelDocs, templateOverrideNames,
  type LabelSpec, type LabelValueType,
} from './labels.js';
export {
  decodeAppLabels, decodePortLabels, parseBool, parseInteger,
  type AppSettings, type PortSettings, type LabelProblem, type LabelProblemReason, type Labels, type Decoded,
} from './decode.js';
export {
  networkingMode, portMappings, declaredServicePorts, containerPorts, servicePorts, assignServicePort,
  type NetworkingMode, type ServicePortSlot, type PortRange,
} from './service-ports.js';
export { taskAddress, resolveHost, type Resolver, type TaskAddress } from './task-address.js';
export { sanitize, serverName, serverId, serverIds, stickyCookie } from './server-naming.js';
export { toHealthCheck, healthCheckFor, MARATHON_HEALTH_CHECK_DEFAULTS, HTTP_LIKE_PROTOCOLS } from './health-checks.js';
export { EXCLUDED_TASK_STATES, isTaskRunnable, type HealthCache, type TaskFilterOptions } from './task-filter.js';
export { colourKey, servedApps, type ServedApp, type SourceApp } from './blue-green.js';
export { normalize, normalizeOptionsFrom, type NormalizeOptions } from './normalize.js';
export { podAsApp, isPodApp, normalizePod, normalizeRunSpecs, type PodApp } from './pods.js';
export type * from './pod-wire.js';
