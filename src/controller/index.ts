// The controller: the reconcile loop, one pass, the triggers per mode, and the adapters that
// bind a pass to the real HAProxy and certificates.

export { createController, type Controller, type ControllerDeps } from './controller.js';
export { createLoop, type ReconcileLoop, type LoopOptions } from './loop.js';
export { reconcileOnce, servedModel, type PassOutcome, type PassRequest, type PassResult, type AppliedState, type ReconcileDeps } from './reconcile.js';
export { ClusterModel, type ModelChange } from './cluster-model.js';
export { createHostResolver, type HostResolver } from './host-resolver.js';
export { createRenderer, type ModelRenderer } from './renderer.js';
export { createConfigWriter, createHaproxyDriver, crashAtStep, adminSocket, masterSocket, APPLY_STEPS, type ApplyStep } from './haproxy-adapters.js';
export { startTriggers, RELEVANT_EVENTS, type Triggers } from './triggers.js';
export { prepareCertificates } from './certificates.js';
export { carryOverLastGood } from './carry-over.js';
export type { ConfigWriter, HaproxyDriver, AppSource, WriteResult } from './ports.js';
export { createRunSpecSource, type RunSpecSource, type RunSpecClient } from './run-spec-source.js';
export { LruCache } from './lru-cache.js';
