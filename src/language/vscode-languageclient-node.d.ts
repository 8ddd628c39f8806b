// tsconfig uses moduleResolution "node", which ignores package.json "exports"; vscode-languageclient
// 11 and its protocol packages publish their entry points only there. esbuild resolves them through
// "exports"; these declarations give tsc the same modules' types.
declare module 'vscode-languageclient/node' {
  export * from 'vscode-languageclient/lib/node/main';
}
declare module 'vscode-languageserver-protocol' {
  export * from 'vscode-languageserver-protocol/lib/common/api';
}
declare module 'vscode-jsonrpc' {
  export * from 'vscode-jsonrpc/lib/common/api';
}
