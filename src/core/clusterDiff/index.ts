export * from './diffOutput';
export * from './fluxCli';
export * from './liveObjects';
export * from './objects';
export * from './run';
