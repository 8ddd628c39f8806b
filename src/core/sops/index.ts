/** Public API of the SOPS core (VS Code-free). */
export {
  createSopsService,
  formatForPath,
  type SopsService,
  type SopsServiceOptions,
  type SopsCallOptions,
  type SopsFileFormat,
} from './service';
export { NativeSopsEngine, hasSopsMetadata, type EncryptSpec, type DecryptResult } from './engine';
export { SopsCliEngine, SOPS_INSTALL_HINT, type CliEngineOptions, type CliCallOptions } from './cli-engine';
export {
  findSopsConfig,
  parseSopsConfig,
  matchCreationRule,
  creationRuleWarnings,
  relativeForRules,
  type SopsConfig,
  type CreationRule,
  type SopsFs,
} from './config';
export {
  loadAgeIdentities,
  defaultKeyFiles,
  splitCommand,
  type IdentityEnv,
  type IdentityOptions,
} from './identities';
export { translateRe2, type Re2Result } from './re2';
export { SopsError, isSopsError, type SopsErrorCode } from './errors';
export type { SelectionRules } from './rules';
export type { StoreFormat } from './document';
export { parseEnc, looksEncrypted, type EncValue, type ValueType } from './cipher';
export { parseIdentities, ageRecipientsIn, describeNeededAgeKey, AGE_RECIPIENT_RE } from './age';
