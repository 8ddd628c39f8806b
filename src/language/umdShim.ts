// yaml-language-server deep-imports four services from vscode-json-languageservice's UMD build.
// A UMD factory receives Node's real `require`, so esbuild cannot see its relative requires and
// they fail at run time in the bundle. This hook answers those requests with modules esbuild did
// bundle (the ESM build of the same package version, and the bundled UMD schema service).
// It must be imported before yaml-language-server.
import Module from 'node:module';

/* eslint-disable @typescript-eslint/no-require-imports -- static require strings are what esbuild bundles */
const providers: Record<string, () => unknown> = {
  '../jsonLanguageTypes': () => require('vscode-json-languageservice/lib/esm/jsonLanguageTypes.js'),
  '../parser/jsonParser': () => require('vscode-json-languageservice/lib/esm/parser/jsonParser.js'),
  '../utils/colors': () => require('vscode-json-languageservice/lib/esm/utils/colors.js'),
  '../utils/glob': () => require('vscode-json-languageservice/lib/esm/utils/glob.js'),
  '../utils/objects': () => require('vscode-json-languageservice/lib/esm/utils/objects.js'),
  '../utils/strings': () => require('vscode-json-languageservice/lib/esm/utils/strings.js'),
  './jsonSchemaService': () => require('vscode-json-languageservice/lib/umd/services/jsonSchemaService.js'),
  'jsonc-parser': () => require('jsonc-parser'),
  'vscode-nls': () => require('vscode-nls'),
  'vscode-uri': () => require('vscode-uri'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleWithLoad = Module as unknown as { _load: Load };
const originalLoad = moduleWithLoad._load;
moduleWithLoad._load = function (request: string, parent: unknown, isMain: boolean): unknown {
  const provide = Object.prototype.hasOwnProperty.call(providers, request) ? providers[request] : undefined;
  // Only requests from inside this bundle; anything else loads as usual.
  if (provide && (parent as { filename?: string } | undefined)?.filename === __filename) return provide();
  return originalLoad.call(this, request, parent, isMain);
};
