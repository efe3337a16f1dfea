// Changing HAProxy: validation, atomic files, reload (external command or the supervised
// master), the runtime API, and the pure plan that chooses between them.

export { validateConfig, parseAlerts, parseWarnings, runProcess, type ValidationAlert, type ValidationResult, type ProcessResult } from './validate.js';
export { writeAtomic, writeTemp, writeFilesAtomically, archive, archivePath, readIfExists, syncDir, removeTempFiles, tempDirOf } from './write.js';
export {
  applyConfigFiles, rejectedPathOf, repointPaths, stableText, withoutPids, writeUncheckedFiles, type ApplyFilesOptions, type ApplyFilesResult, type ApplyFilesStep,
} from './apply-files.js';
export { marathonLbDefaultReload, runReloadCommand, type ReloadCommandResult } from './reload-command.js';
export { splitShellWords } from './shell-words.js';
export {
  startHaproxyMaster, connectHaproxyMaster, parseShowProc, type HaproxyMaster, type ProcList, type StartMasterOptions,
} from './master.js';
export { HaproxyOutputParser, parseHaproxyLine, type HaproxyRecord } from './output.js';
export {
  runtimeCommand, mustRun, isRuntimeError, RuntimeApiError, cliWord,
  addServer, delServer, setServerState, setServerAddr, enableHealth, enableServer,
  addMapEntry, setMapEntry, delMapEntry, showMap, parseShowMap,
  showServersState, parseServersState, showStat, parseStatCsv,
  type ServerStateRow, type MapEntry,
} from './runtime-api.js';
export { planChange, retiredAfter, retiredCount, serversReader, isDynamicCapable, structuralReasons, parseMapFile, type BackendDesired, type BackendLookup, type DesiredState, type RetiredServers, type RuntimeOp, type Plan } from './plan.js';
export {
  backendTraits, backendTraitsWith, defaultsTraits, supportsDynamicServers, mapMatchKinds, parseSections, type BackendTraits, type MapMatch, type Section,
} from './config-sections.js';
export { checkDynamicServerArgs, type ServerArgsCheck } from './dynamic-server-args.js';
export { applyRuntimeOps, type RuntimeApplyOptions, type RuntimeApplyResult } from './apply-runtime.js';
export { liveDifference, type LiveDifference } from './live-state.js';
