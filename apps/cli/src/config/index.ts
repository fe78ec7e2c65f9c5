export {
  BUILTIN_DATASETS,
  BUILTIN_MODELS,
  CONFIG_DEFAULTS,
  CONFIG_FILE_NAME,
  CONFIG_SCHEMA_ID,
  LABEL_SOURCES,
  METHODS,
  RUNTIMES,
  configSchema,
  createConfigSchema,
} from './schema.js';
export { parseConfig } from './parseConfig.js';
export { checkConfigRules } from './rules.js';
export { loadConfig, parseConfigText } from './loadConfig.js';
export { flagName, mergeOptions } from './mergeOptions.js';
export { resolveLambda, withTotalSteps } from './lambda.js';
export { resolveSchemes, weightSchemeFor } from './resolveScheme.js';
export { defaultRandomizeSets, describeRecipe, resolveRecipe } from './recipe.js';
export { configJsonSchema, configJsonSchemaText } from './jsonSchema.js';
export { jsonErrorLocation } from './jsonErrorLocation.js';

export type { Config, ConfigInput, ConfigRegistries, LambdaConfig, Method, RuntimeName } from './schema.js';
export type { ParseConfigOptions, ParseConfigResult } from './parseConfig.js';
export type { RuleResult } from './rules.js';
export type { LoadedConfig } from './loadConfig.js';
export type { ConfigFlags } from './mergeOptions.js';
export type { ResolvedSchemes } from './resolveScheme.js';
export type { JsonErrorLocation } from './jsonErrorLocation.js';
export { CONFIG_SCHEMA_PATH, configSchemaFile, configSchemaReference } from './schemaFile.js';
