// Changing HAProxy: validation, atomic files, reload (external command or the supervised
// master), the runtime API, and the pure plan that chooses between them.

export { validateConfig, parseAlerts, runProcess, type ValidationAlert, type ValidationResult } from './validate.js';
export { writeAtomic, writeTemp, archive, readIfExists } from './write.js';
export { applyConfigFiles, type ApplyFilesOptions, type ApplyFilesResult } from './apply-files.js';
export { runReloadCommand } from './reload-command.js';
export { splitShellWords } from './shell-words.js';
export { startHaproxyMaster, connectHaproxyMaster, parseShowProc, type HaproxyMaster, type ProcList } from './master.js';
export { runtimeCommand, mustRun, isRuntimeError, showServersState, showStat, type ServerStateRow } from './runtime-api.js';
export { planChange, isDynamicCapable, structuralReasons, type DesiredState, type RuntimeOp, type Plan } from './plan.js';
export { applyRuntimeOps, type RuntimeApplyOptions, type RuntimeApplyResult } from './apply-runtime.js';
