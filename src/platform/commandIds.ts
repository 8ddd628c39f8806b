/** Command ids contributed in package.json. A test checks that the two lists agree. */
export const CommandId = {
  refresh: 'fluxGitops.refresh',
  showLog: 'fluxGitops.showLog',
  openObject: 'fluxGitops.openObject',
  revealInTree: 'fluxGitops.revealInTree',
  checkRepository: 'fluxGitops.checkRepository',
  reconcile: 'fluxGitops.reconcile',
  reconcileWithSource: 'fluxGitops.reconcileWithSource',
  reconcileForce: 'fluxGitops.reconcileForce',
  reconcileReset: 'fluxGitops.reconcileReset',
  reconcileAppliedBy: 'fluxGitops.reconcileAppliedBy',
  suspend: 'fluxGitops.suspend',
  resume: 'fluxGitops.resume',
  selectContext: 'fluxGitops.selectContext',
  sopsEncrypt: 'fluxGitops.sops.encrypt',
  sopsDecrypt: 'fluxGitops.sops.decrypt',
  sopsEditDecrypted: 'fluxGitops.sops.editDecrypted',
  newApp: 'fluxGitops.newApp',
  migrateCluster: 'fluxGitops.migrateCluster',
  checkAgainstFlux: 'fluxGitops.checkAgainstFlux',
  diffWithCluster: 'fluxGitops.diffWithCluster',
  fluxBuild: 'fluxGitops.fluxBuild',
} as const;

export type CommandIdValue = (typeof CommandId)[keyof typeof CommandId];
