// Public surface of the command line: parse, build settings, docs.
export { parseArgs, buildParser, type RawArgs, type ParseOutcome, type ModeArg } from './args.js';
export { buildSettings, parseUserPass, firstLine, globalDefaultOptions, sslCertList, type SettingsInput, type SettingsProblem, type SettingsResult, type Env } from './settings.js';
export { expandAbbreviations } from './abbreviations.js';
export { FLAGS, FLAG_BY_NAME, ENVIRONMENT, MODES, DEFAULT_MARATHON_URL, DEFAULT_SSL_CERT, DEFAULT_LOG_FORMAT, type FlagSpec } from './flags.js';
export { LOG_LEVELS, PINO_LEVEL, pinoLevelOf, isLogLevel, type MarathonLbLogLevel, type PinoLevel } from './log-levels.js';
export { renderFlagDocs } from './flag-docs.js';
export { renderLongHelp, usageText } from './longhelp.js';
export { runCli, EXIT_USAGE, type CliIo, type MainFn } from './run.js';
export { parseSettings, type ParseSettingsOptions } from './parse-settings.js';
