import { isMap, isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';

/** A problem in the decrypted text of a SOPS file, 1-based like an editor's status bar. */
export interface PlaintextProblem {
  line: number;
  column: number;
  message: string;
  severity: 'error' | 'warning';
  /** The text does not parse: it cannot be encrypted value by value, so it is never saved. */
  blocksSave: boolean;
}

export type PlaintextFormat = 'yaml' | 'json' | 'dotenv';

/** A Secret's data key, as the apiserver validates it (IsConfigMapKey). */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
/** Standard base64 with padding: what the apiserver decodes a Secret's `data` values with. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * What stops a decrypted secret from being saved or applied: text that does not parse (it cannot
 * be encrypted value by value), and, in a Kubernetes Secret, what the apiserver would reject
 * (`data` values that are not base64, keys it does not allow) or silently override (a key in both
 * `data` and `stringData`). Only parse errors block a save; the rest are shown as the user types.
 */
export function plaintextProblems(text: string, format: PlaintextFormat): PlaintextProblem[] {
  if (format === 'dotenv') return [];
  const lines = new LineCounter();
  if (format === 'json') {
    // JSON that YAML accepts (`{"a": }`, comments) is still not JSON: sops' JSON store refuses it.
    const jsonError = jsonSyntaxError(text, lines);
    if (jsonError) return [jsonError];
  }
  const documents = parseAllDocuments(text, { prettyErrors: true, lineCounter: lines });
  const problems: PlaintextProblem[] = [];
  for (const document of documents) {
    if (!('errors' in document)) continue;
    for (const error of document.errors) {
      problems.push({
        line: error.linePos?.[0].line ?? 1,
        column: error.linePos?.[0].col ?? 1,
        message: error.message.split('\n')[0],
        severity: 'error',
        blocksSave: true,
      });
    }
    if (document.errors.length === 0) problems.push(...secretProblems(document, lines));
  }
  return problems;
}

function jsonSyntaxError(text: string, lines: LineCounter): PlaintextProblem | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = Number(/at position (\d+)/.exec(message)?.[1] ?? text.length);
    // The counter learns line starts while parsing: count them on the text first.
    for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1))
      lines.addNewLine(index + 1);
    const position = lines.linePos(offset);
    return { line: position.line, column: position.col, message, severity: 'error', blocksSave: true };
  }
}

function secretProblems(document: Document, lines: LineCounter): PlaintextProblem[] {
  const root = document.contents;
  if (!isMap(root) || root.get('kind') !== 'Secret') return [];
  const problems: PlaintextProblem[] = [];
  const at = (offset: number | undefined, message: string, severity: PlaintextProblem['severity']): void => {
    const position = lines.linePos(offset ?? 0);
    problems.push({ line: position.line, column: position.col, message, severity, blocksSave: false });
  };
  const keysOf = (field: 'data' | 'stringData'): Map<string, number | undefined> => {
    const keys = new Map<string, number | undefined>();
    const section = root.get(field, true);
    if (section === undefined || section === null || (isScalar(section) && section.value === null))
      return keys;
    if (!isMap(section)) {
      at(
        (section as { range?: [number, number, number] }).range?.[0],
        `Secret ${field} must be a map of keys to values.`,
        'error',
      );
      return keys;
    }
    for (const pair of section.items) {
      const keyNode = pair.key;
      const key = isScalar(keyNode) ? String(keyNode.value) : '';
      const keyOffset = isScalar(keyNode) ? keyNode.range?.[0] : undefined;
      keys.set(key, keyOffset);
      if (!SECRET_KEY.test(key)) {
        at(
          keyOffset,
          `Secret ${field} key "${key}" is not allowed: use letters, digits, '-', '_' and '.'.`,
          'error',
        );
      }
      const value = pair.value;
      if (!isScalar(value)) {
        at(keyOffset, `Secret ${field}.${key} must be a string.`, 'error');
        continue;
      }
      if (field === 'data' && value.value !== null) {
        const encoded = String(value.value).replace(/\s+/g, '');
        if (!BASE64.test(encoded)) {
          at(
            value.range?.[0],
            `Secret data.${key} is not base64: the apiserver rejects it. Put plain text under stringData instead.`,
            'error',
          );
        }
      }
    }
    return keys;
  };
  const data = keysOf('data');
  const stringData = keysOf('stringData');
  for (const [key, offset] of stringData) {
    if (data.has(key)) {
      at(offset, `Secret key "${key}" is in both data and stringData: the stringData value wins.`, 'warning');
    }
  }
  return problems;
}
