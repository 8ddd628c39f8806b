/** Public API of the app scaffolder (VS Code-free): defaults, validation, plan, apply, undo. */
export * from './types';
export {
  listTargets,
  listSources,
  chartsForSource,
  suggestChart,
  detectStyle,
  sourceFolder,
  sourcePlacement,
  clusterObjects,
  readTextSync,
  DEFAULT_STYLE,
  type ReadText,
  type TargetInfo,
  type ClusterTargets,
  type SourceInfo,
  type ChartUse,
  type RepoStyle,
  type SourcePlacement,
} from './defaults';
export {
  dnsLabelError,
  dnsSubdomainError,
  appNameError,
  appFolderFor,
  findTarget,
  objectClash,
  namespaceExists,
  defaultNamespaceError,
  chartError,
  versionError,
  imageError,
  portError,
  secretKeyError,
} from './validate';
export { planScaffold, type PlanOptions } from './plan';
export {
  applyPlan,
  nodeScaffoldFs,
  ScaffoldWriteError,
  type ScaffoldFs,
  type EncryptFn,
  type ApplyOptions,
  type AppliedScaffold,
} from './apply';
export { addResource, folderEntry, listResources, isOneLineInsertion, type InsertAt } from './kustomizeEdit';
export {
  BUILTIN_TEMPLATES,
  TEMPLATE_DIR,
  PLACEHOLDERS,
  loadTemplate,
  renderTemplate,
  type TemplateName,
} from './templates';
export {
  NEW_APP_TITLE,
  newAppSteps,
  initialState,
  answersOf,
  withTargets,
  isAppTemplate,
  sourceNameFromUrl,
  splitImage,
  type NewAppState,
  type NewAppAnswers,
} from './questions';
