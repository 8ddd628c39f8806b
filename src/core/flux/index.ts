// Flux actions: reconcile / suspend / resume requests and their completion.
export * from './actions';
export * from './annotations';
export * from './completion';
export * from './token';
