// Entry point of the second bundle, dist/yaml-server.js: yaml-language-server, started by the
// client in a separate Node process over IPC (`--node-ipc`). The server module starts itself
// when loaded and reads the transport from process.argv.
import './umdShim';
import 'yaml-language-server/out/server/src/server';
