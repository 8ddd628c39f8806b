export { runProcess, DEFAULT_TIMEOUT_MS, type ProcessResult, type RunOptions } from './run';
export { findOnPath } from './which';
