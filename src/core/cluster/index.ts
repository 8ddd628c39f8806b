// The cluster side of the domain: kubeconfig, binding, watches and the status store.
export * from './api';
export * from './backoff';
export * from './binding';
export * from './connection';
export * from './kinds';
export * from './kubeconfig';
export * from './status';
export * from './store';
export * from './table';
export * from './watch';
