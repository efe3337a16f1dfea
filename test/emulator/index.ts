// The Marathon API emulator used by integration tests and the README demo.
// See startEmulator() in emulator.ts and the types in types.ts.

export { startEmulator } from './emulator.js';
export type { EmulatorWithEvents, RecordedEvent } from './emulator.js';
export type {
  AppSpec,
  ContainerSpec,
  DockerSpec,
  Emulator,
  EmulatorOptions,
  HealthCheckSpec,
  IpAddressSpec,
  MarathonVersion,
  NetworkSpec,
  PortDefinitionSpec,
  PortMappingSpec,
  PodSpec,
  PodContainerSpec,
  PodEndpointSpec,
  PodHealthCheckSpec,
  PodInstanceView,
  RequestRecord,
  Role,
  TaskView,
} from './types.js';
export { sampleApps } from './samples.js';
export { UNHEALTHY_ENV } from './cluster.js';
