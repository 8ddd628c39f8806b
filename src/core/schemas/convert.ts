// Turns the openAPIV3Schema of a Kubernetes CRD into JSON Schema draft-07, the dialect
// yaml-language-server validates, completes and hovers with. Plain data in, plain data out:
// the build script and the unit tests use it without VS Code.

/** A JSON object as parsed from YAML or JSON. */
export type JsonObject = { [key: string]: unknown };

export const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** One served version of one Flux kind, ready to be written as `fileName`. */
export interface KindSchema {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly apiVersion: string;
  readonly fileName: string;
  readonly deprecated: boolean;
  /** The warning shown for a deprecated version; undefined when the version is current. */
  readonly deprecationMessage: string | undefined;
  readonly schema: JsonObject;
}

/** What index.json records for each generated file. */
export interface SchemaIndexEntry {
  readonly apiVersion: string;
  readonly kind: string;
  readonly file: string;
  readonly deprecated: boolean;
  /** Present for deprecated versions: the warning yaml-language-server reports on apiVersion. */
  readonly deprecationMessage?: string;
}

// Keywords that mean the same in OpenAPI v3 structural schemas and in JSON Schema draft-07.
const COPIED_KEYWORDS = [
  'description',
  'enum',
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'required',
  'title',
] as const;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when a CRD pattern (Go RE2 syntax) also compiles as a JavaScript unicode RegExp. */
export function isPortablePattern(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/**
 * Converts one openAPIV3Schema node (recursively) to JSON Schema draft-07.
 * Objects that list their properties and do not preserve unknown fields get
 * `additionalProperties: false`, as the apiserver rejects or prunes unknown fields.
 */
export function convertOpenApiSchema(node: unknown): JsonObject {
  if (!isObject(node)) return {};
  const out: JsonObject = {};
  for (const key of COPIED_KEYWORDS) {
    if (node[key] !== undefined) out[key] = node[key];
  }
  if (typeof node.pattern === 'string' && isPortablePattern(node.pattern)) out.pattern = node.pattern;

  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserveUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  const nullable = node.nullable === true;

  if (intOrString) {
    // The CRD may also carry anyOf [integer, string]; one spelling is enough.
    out.type = nullable ? ['integer', 'string', 'null'] : ['integer', 'string'];
  } else if (typeof node.type === 'string') {
    out.type = nullable ? [node.type, 'null'] : node.type;
  }

  for (const combinator of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = node[combinator];
    if (intOrString && combinator === 'anyOf') continue;
    if (Array.isArray(list)) out[combinator] = list.map((item) => convertOpenApiSchema(item));
  }
  if (isObject(node.not)) out.not = convertOpenApiSchema(node.not);

  if (isObject(node.items)) out.items = convertOpenApiSchema(node.items);
  else if (Array.isArray(node.items)) out.items = node.items.map((item) => convertOpenApiSchema(item));

  if (isObject(node.properties)) {
    const properties: JsonObject = {};
    for (const [name, child] of Object.entries(node.properties))
      properties[name] = convertOpenApiSchema(child);
    out.properties = properties;
  }
  if (isObject(node.additionalProperties)) {
    out.additionalProperties = convertOpenApiSchema(node.additionalProperties);
  } else if (typeof node.additionalProperties === 'boolean') {
    out.additionalProperties = node.additionalProperties;
  } else if (isObject(node.properties) && !preserveUnknown) {
    out.additionalProperties = false;
  }
  return out;
}

/** The metadata fields a manifest in git sets; the CRD itself only says `type: object`. */
export function objectMetaSchema(): JsonObject {
  const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
  return {
    type: 'object',
    description: 'Standard object metadata: name, namespace, labels and annotations.',
    required: ['name'],
    properties: {
      name: { type: 'string', description: 'Name of the object, unique within its namespace.' },
      // `namespace:` left empty is null, which the API server reads as unset (kustomize or Flux may set it).
      namespace: {
        type: ['string', 'null'],
        description: 'Namespace of the object. Kustomize or Flux may set it.',
      },
      labels: { ...stringMap, description: 'Labels: string keys and values used to select objects.' },
      annotations: {
        ...stringMap,
        description: 'Annotations: string keys and values for tools, not selection.',
      },
      generateName: { type: 'string', description: 'Prefix for a name generated by the server.' },
      finalizers: { type: 'array', items: { type: 'string' } },
      ownerReferences: { type: 'array', items: { type: 'object' } },
    },
  };
}

/** The file name flux2's crd-schemas use: `{kind}-{first group label}-{version}.json`. */
export function schemaFileName(kind: string, group: string, version: string): string {
  return `${kind.toLowerCase()}-${group.split('.')[0]}-${version}.json`;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Every served version of a CustomResourceDefinition as a draft-07 schema of the whole object. */
export function crdToSchemas(crd: unknown): KindSchema[] {
  if (!isObject(crd) || crd.kind !== 'CustomResourceDefinition' || !isObject(crd.spec)) return [];
  const spec = crd.spec;
  const group = text(spec.group);
  const kind = isObject(spec.names) ? text(spec.names.kind) : undefined;
  if (!group || !kind || !Array.isArray(spec.versions)) return [];
  const versions = spec.versions.filter(isObject);
  const storage = versions.find((v) => v.storage === true);
  const current = text(storage?.name);

  const result: KindSchema[] = [];
  for (const version of versions) {
    const name = text(version.name);
    if (!name || version.served === false) continue;
    const openApi = isObject(version.schema) ? version.schema.openAPIV3Schema : undefined;
    if (!isObject(openApi)) continue;
    const apiVersion = `${group}/${name}`;
    const deprecated = version.deprecated === true;
    const deprecationMessage = deprecated
      ? `${text(version.deprecationWarning) ?? `${apiVersion} ${kind} is deprecated`}` +
        (current && current !== name ? ` (use apiVersion: ${group}/${current}).` : '.')
      : undefined;
    result.push({
      group,
      version: name,
      kind,
      apiVersion,
      fileName: schemaFileName(kind, group, name),
      deprecated,
      deprecationMessage,
      schema: rootSchema(openApi, apiVersion, kind, deprecationMessage),
    });
  }
  return result;
}

function rootSchema(
  openApi: JsonObject,
  apiVersion: string,
  kind: string,
  deprecationMessage: string | undefined,
): JsonObject {
  const converted = convertOpenApiSchema(openApi);
  const properties = isObject(converted.properties) ? { ...converted.properties } : {};
  const apiVersionSchema: JsonObject = {
    type: 'string',
    const: apiVersion,
    description: deprecationMessage ?? `The API version of a ${kind}: ${apiVersion}.`,
  };
  if (deprecationMessage) apiVersionSchema.deprecationMessage = deprecationMessage;
  properties.apiVersion = apiVersionSchema;
  properties.kind = { type: 'string', const: kind, description: `The kind of the object: ${kind}.` };
  properties.metadata = objectMetaSchema();
  const description = text(converted.description) ?? `${kind} (${apiVersion})`;
  const required = new Set([
    'apiVersion',
    'kind',
    'metadata',
    ...(Array.isArray(converted.required) ? converted.required.map(String) : []),
  ]);
  return {
    $schema: DRAFT_07,
    title: `${kind} ${apiVersion}${deprecationMessage ? ' (deprecated)' : ''}`,
    description: deprecationMessage ? `Deprecated: ${deprecationMessage}\n\n${description}` : description,
    type: 'object',
    required: [...required],
    properties,
    additionalProperties: false,
  };
}

/**
 * The schema given to yaml-language-server for a whole file: it selects the kind's schema
 * by apiVersion + kind with if/then, per YAML document, so a file's name never matters.
 * References are relative, resolved against the URI this schema is served from.
 */
export function dispatcherSchema(entries: readonly SchemaIndexEntry[]): JsonObject {
  return {
    $schema: DRAFT_07,
    title: 'Flux',
    description: 'Flux CD custom resources, selected by apiVersion and kind.',
    allOf: entries.map((entry) => ({
      if: {
        type: 'object',
        required: ['apiVersion', 'kind'],
        properties: { apiVersion: exactly(entry.apiVersion), kind: exactly(entry.kind) },
      },
      then: { $ref: `./${entry.file}` },
    })),
  };
}

/**
 * A string equal to `value`. Not `const`: in completion yaml-language-server accepts a const
 * that merely starts with the typed text, so v2 would also select the v2beta2 schema.
 */
function exactly(value: string): JsonObject {
  return { type: 'string', pattern: `^${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$` };
}

/** Matches a Flux apiVersion line anywhere in a YAML text (cheap pre-check before schemas apply). */
export const FLUX_API_VERSION_LINE =
  /^[ \t]*(?:-[ \t]+)?["']?apiVersion["']?[ \t]*:[ \t]*["']?[a-z]+\.toolkit\.fluxcd\.io\//m;

/** True when a YAML or JSON text holds at least one Flux object. */
export function mentionsFluxApi(content: string): boolean {
  return (
    FLUX_API_VERSION_LINE.test(content) || /"apiVersion"\s*:\s*"[a-z]+\.toolkit\.fluxcd\.io\//.test(content)
  );
}
