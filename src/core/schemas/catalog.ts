// How the generated schemas in dist/schemas are named and served to yaml-language-server.
import type { SchemaIndexEntry } from './convert';

/** URI scheme of the schemas we serve; also the contributor name given to redhat.vscode-yaml. */
export const SCHEMA_SCHEME = 'flux-gitops-schema';

/** The schema a Flux file gets: it picks the kind's schema per YAML document. */
export const DISPATCHER_URI = `${SCHEMA_SCHEME}://schemas/all.json`;

/** dist/schemas/index.json as gen-schemas writes it. */
export interface SchemaIndex {
  readonly flux: string;
  readonly missingModules: readonly string[];
  readonly schemas: readonly SchemaIndexEntry[];
}

/** Parses index.json; throws with a readable message when it is not one. */
export function parseSchemaIndex(text: string): SchemaIndex {
  const value = JSON.parse(text) as Partial<SchemaIndex> | null;
  if (!value || !Array.isArray(value.schemas)) throw new Error('not a schema index (no "schemas" list)');
  return {
    flux: String(value.flux ?? ''),
    missingModules: Array.isArray(value.missingModules) ? value.missingModules.map(String) : [],
    schemas: value.schemas,
  };
}

/**
 * The file in dist/schemas a schema URI names (`flux-gitops-schema://schemas/<file>`), or
 * undefined when the URI is not ours or names no generated file.
 */
export function schemaFileOf(uri: string, index: SchemaIndex): string | undefined {
  const prefix = `${SCHEMA_SCHEME}://schemas/`;
  if (!uri.startsWith(prefix)) return undefined;
  const file = decodeURIComponent(uri.slice(prefix.length).split(/[?#]/)[0] ?? '');
  if (file === 'all.json') return file;
  return index.schemas.some((entry) => entry.file === file) ? file : undefined;
}

/** The deprecation messages of the index, to recognise those diagnostics among the server's. */
export function deprecationMessages(index: SchemaIndex): Set<string> {
  return new Set(
    index.schemas.flatMap((entry) => (entry.deprecationMessage ? [entry.deprecationMessage] : [])),
  );
}
