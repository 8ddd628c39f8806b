/**
 * Reads a YAML or JSON file into what the SOPS engine needs — its leaves with their key paths,
 * their exact text ranges, and its comments — so that encrypting and decrypting rewrite only
 * those ranges and keep everything else (formatting, comments, key order) byte for byte.
 */
import YAML, { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Scalar } from 'yaml';
import { formatFloat, type PlainLeaf } from './cipher';
import { SopsError } from './errors';

export type StoreFormat = 'yaml' | 'json' | 'dotenv';

interface Container {
  path: string[];
  col: number;
  parent: Container | undefined;
}

interface Entry {
  offset: number;
  col: number;
  container: Container;
  structural: boolean;
}

export interface ValueSlot {
  path: string[];
  start: number;
  end: number;
  /** null for YAML/JSON null values. */
  leaf: PlainLeaf | null;
  /** Inside a flow collection (or JSON): replacements must be quoted. */
  flow: boolean;
  /** Column that block scalar content is indented relative to (the key's or the dash's column). */
  baseCol: number;
  /** A comment follows the value on its line (so a block scalar cannot be used there). */
  inlineComment: boolean;
}

export interface CommentSlot {
  path: string[];
  /** Other plausible paths, tried when decrypting a comment another tool placed differently. */
  alt: string[][];
  start: number;
  end: number;
  /** Text after '#'. */
  text: string;
}

export interface SopsPair {
  /** Text range that removing the metadata deletes. */
  removeStart: number;
  removeEnd: number;
  /** Text of the metadata (YAML: from the `sops:` line; JSON: the `"sops": {…}` member). */
  blockStart: number;
  blockEnd: number;
  raw: unknown;
  /** dotenv: the other `sops_…` lines to remove. */
  extraRemovals?: [number, number][];
  /** dotenv: the metadata lines, in file order. */
  lines?: { key: string; value: string }[];
  mac?: [number, number];
  lastmodified?: [number, number];
}

export interface DocInfo {
  sops?: SopsPair;
  /** Where a new metadata block goes. */
  insertAt: number;
  /** JSON only: the root object has no members. */
  emptyRoot: boolean;
}

export interface Analysis {
  format: StoreFormat;
  src: string;
  docs: DocInfo[];
  values: ValueSlot[];
  comments: CommentSlot[];
  /** YAML indentation step detected from the file (default 4, as sops writes). */
  indent: number;
  /** JSON indentation string detected from the file (default a tab, as sops writes). */
  jsonIndent: string;
  /** The file's line ending; inserted text uses it too. */
  eol: '\n' | '\r\n';
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function pad(n: string, width = 2): string {
  return n.padStart(width, '0');
}

/** Go's time.Time MarshalText (RFC 3339 with nanoseconds) of a YAML timestamp as yaml.v3 reads it, or undefined. */
export function yamlTimestamp(s: string): string | undefined {
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (m)
    return valid(m[1], m[2], m[3], '0', '0', '0')
      ? `${m[1]}-${pad(m[2] ?? '')}-${pad(m[3] ?? '')}T00:00:00Z`
      : undefined;
  m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)| (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?)$/.exec(
      s,
    );
  if (!m) return undefined;
  const [, y, mo, d] = m;
  const h = m[4] ?? m[9] ?? '0';
  const mi = m[5] ?? m[10] ?? '0';
  const se = m[6] ?? m[11] ?? '0';
  const frac = (m[7] ?? m[12] ?? '').replace(/0+$/, '');
  let zone = m[8] ?? 'Z';
  if (zone === '+00:00' || zone === '-00:00') zone = 'Z';
  if (!valid(y, mo, d, h, mi, se)) return undefined;
  return `${y}-${pad(mo ?? '')}-${pad(d ?? '')}T${pad(h)}:${pad(mi)}:${pad(se)}${frac ? `.${frac}` : ''}${zone}`;
}

function valid(...parts: (string | undefined)[]): boolean {
  const [, mo, d, h, mi, se] = parts.map((p) => Number(p));
  return (
    (mo ?? 0) >= 1 &&
    (mo ?? 0) <= 12 &&
    (d ?? 0) >= 1 &&
    (d ?? 0) <= 31 &&
    (h ?? 0) < 24 &&
    (mi ?? 0) < 60 &&
    (se ?? 0) < 61
  );
}

const CORE = 'tag:yaml.org,2002:';

function classify(node: Scalar, format: StoreFormat, path: string[]): PlainLeaf | null {
  const v: unknown = node.value;
  const tag = node.tag;
  if (tag && format === 'yaml') {
    const short = tag.startsWith(CORE) ? tag.slice(CORE.length) : tag;
    if (short === 'str') return { type: 'str', text: String(node.source ?? v) };
    if (short === 'timestamp') {
      const t = yamlTimestamp(String(node.source ?? v));
      if (!t) throw new SopsError('malformed', `Invalid !!timestamp at ${path.join(':')}`);
      return { type: 'time', text: t };
    }
    if (!['int', 'float', 'bool', 'null'].includes(short)) {
      throw new SopsError(
        'unsupported',
        `The YAML tag ${tag} at ${path.join(':') || '(top)'} is not supported by the native engine.`,
      );
    }
  }
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return { type: 'bool', text: v ? 'True' : 'False' };
  if (typeof v === 'bigint') {
    if (v < INT64_MIN || v > INT64_MAX) return { type: 'float', text: formatFloat(Number(v)) };
    return { type: 'int', text: v.toString() };
  }
  if (typeof v === 'number') return { type: 'float', text: formatFloat(v) };
  if (typeof v === 'string') {
    if (format === 'yaml' && node.type === 'PLAIN') {
      const t = yamlTimestamp(v);
      if (t) return { type: 'time', text: t };
    }
    return { type: 'str', text: v };
  }
  throw new SopsError('unsupported', `Unsupported value at ${path.join(':')}`);
}

function lineStart(src: string, offset: number): number {
  return src.lastIndexOf('\n', offset - 1) + 1;
}

function colOf(src: string, offset: number): number {
  return offset - lineStart(src, offset);
}

/** Collects comment tokens (offset and source) from the CST. */
function cstComments(src: string): { offset: number; source: string }[] {
  const found = new Map<number, string>();
  const visit = (t: unknown): void => {
    if (Array.isArray(t)) {
      for (const x of t) visit(x);
      return;
    }
    if (!t || typeof t !== 'object') return;
    const o = t as Record<string, unknown>;
    if (o.type === 'comment' && typeof o.offset === 'number' && typeof o.source === 'string') {
      found.set(o.offset, o.source);
      return;
    }
    for (const k of Object.keys(o)) if (k !== 'source') visit(o[k]);
  };
  for (const tok of new YAML.Parser().parse(src)) visit(tok);
  return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([offset, source]) => ({ offset, source }));
}

export function parseOptions(): YAML.ParseOptions & YAML.DocumentOptions & YAML.SchemaOptions {
  return {
    version: '1.2',
    schema: 'core',
    intAsBigInt: true,
    uniqueKeys: true,
    merge: false,
    prettyErrors: false,
  };
}

/** Analyzes a YAML (possibly multi-document) or JSON text. Throws SopsError('parse'|'unsupported'). */
export function analyze(src: string, format: StoreFormat): Analysis {
  if (format === 'dotenv') return analyzeDotenv(src);
  const docsAst: Document.Parsed[] = YAML.parseAllDocuments(src, parseOptions()) as Document.Parsed[];
  if (!Array.isArray(docsAst)) throw new SopsError('parse', 'Could not parse the file.');
  if (docsAst.length === 0) throw new SopsError('parse', 'The file is empty.');
  if (format === 'json' && docsAst.length > 1)
    throw new SopsError('parse', 'Invalid JSON: more than one value.');
  for (const d of docsAst) {
    const err = d.errors[0];
    if (err) throw new SopsError('parse', `Invalid ${format === 'json' ? 'JSON' : 'YAML'}: ${err.message}`);
  }
  const values: ValueSlot[] = [];
  const docs: DocInfo[] = [];
  const entriesPerDoc: Entry[][] = [];
  let indent = 0;

  for (const doc of docsAst) {
    const entries: Entry[] = [];
    entriesPerDoc.push(entries);
    const contents = doc.contents as Node | null;
    const info: DocInfo = { insertAt: doc.range[2], emptyRoot: false };
    docs.push(info);
    if (contents === null || (isScalar(contents) && contents.value === null)) continue;
    if (!isMap(contents)) {
      throw new SopsError(
        'unsupported',
        `${format === 'json' ? 'JSON' : 'YAML'} documents that are not mappings are not supported (as in sops).`,
      );
    }
    const rootCol =
      contents.items[0] && isScalar(contents.items[0].key)
        ? colOf(src, contents.items[0].key.range?.[0] ?? 0)
        : 0;
    const root: Container = { path: [], col: rootCol, parent: undefined };
    if (format === 'yaml' && contents.flow) {
      throw new SopsError(
        'unsupported',
        'A YAML document whose top level is a flow mapping ({…}) is not supported by the native engine; use the sops CLI engine.',
      );
    }
    if (format === 'json') {
      const close = (contents.range?.[1] ?? 0) - 1;
      if (src[close] !== '}') throw new SopsError('parse', 'Invalid JSON: the top level must be an object.');
      info.insertAt = close;
      info.emptyRoot = contents.items.length === 0;
    }

    const walk = (
      node: Node | null,
      path: string[],
      container: Container,
      flow: boolean,
      baseCol: number,
      top: boolean,
    ): void => {
      if (node === null) return;
      if (isAlias(node) || (node as { anchor?: string }).anchor) {
        throw new SopsError(
          'unsupported',
          'YAML anchors and aliases are not supported by the native engine; use the sops CLI engine.',
        );
      }
      if (isMap(node)) {
        const isFlow = flow || Boolean(node.flow);
        const firstKey = node.items[0]?.key as Node | undefined;
        const col = firstKey?.range ? colOf(src, firstKey.range[0]) : baseCol;
        const c: Container = top ? container : { path, col, parent: container };
        if (!top && !isFlow && indent === 0 && container.parent === undefined && c.col > container.col)
          indent = c.col - container.col;
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          const k = pair.key as Node | null;
          if (!isScalar(k) || !k.range)
            throw new SopsError(
              'unsupported',
              `Only scalar keys are supported (under ${path.join(':') || 'the top level'}).`,
            );
          if (typeof k.value !== 'string') {
            throw new SopsError(
              'unsupported',
              `Non-string key ${String(k.value)} under ${path.join(':') || 'the top level'} (sops only supports string keys).`,
            );
          }
          const key = k.value;
          const kCol = colOf(src, k.range[0]);
          entries.push({ offset: k.range[0], col: kCol, container: c, structural: true });
          const v = pair.value as Node | null;
          if (top && key === 'sops') {
            info.sops = sopsPair(src, format, k, v);
            continue;
          }
          walk(v, [...path, key], c, isFlow, kCol, false);
        }
        return;
      }
      if (isSeq(node)) {
        const isFlow = flow || Boolean(node.flow);
        let seqCol = baseCol;
        const dashes: number[] = node.items.map((item) => {
          const start = (item as Node | null)?.range?.[0];
          if (start === undefined) return -1;
          if (isFlow) return start;
          let j = start - 1;
          while (j >= 0 && (src[j] === ' ' || src[j] === '\t')) j--;
          return src[j] === '-' ? j : start;
        });
        if (dashes[0] !== undefined && dashes[0] >= 0) seqCol = colOf(src, dashes[0]);
        const c: Container = { path, col: seqCol, parent: container };
        if (!isFlow && indent === 0 && container.parent === undefined && c.col > container.col)
          indent = c.col - container.col;
        node.items.forEach((item, idx) => {
          const dash = dashes[idx] ?? -1;
          if (dash >= 0)
            entries.push({ offset: dash, col: colOf(src, dash), container: c, structural: true });
          walk(item as Node | null, path, c, isFlow, dash >= 0 ? colOf(src, dash) : seqCol, false);
        });
        return;
      }
      if (isScalar(node)) {
        const range = node.range;
        if (!range) return;
        entries.push({ offset: range[0], col: colOf(src, range[0]), container, structural: false });
        const leaf = classify(node, format, path);
        const lineEnd = src.indexOf('\n', range[1] - 1 < range[0] ? range[0] : range[1] - 1);
        const rest = src.slice(range[1], lineEnd < 0 ? src.length : lineEnd);
        values.push({
          path,
          start: range[0],
          end: range[1],
          leaf,
          flow: flow || format === 'json',
          baseCol,
          inlineComment: /^\s*#/.test(rest) || node.comment !== undefined,
        });
        return;
      }
      throw new SopsError('unsupported', `Unsupported YAML node under ${path.join(':')}`);
    };
    walk(contents, [], root, format === 'json' || Boolean(contents.flow), 0, true);
    entries.sort((a, b) => a.offset - b.offset);
    (info as DocInfo & { root?: Container }).root = root;
  }

  // Comments: the path of the mapping or sequence sops would attach each one to.
  const comments: CommentSlot[] = [];
  if (format === 'yaml') {
    for (const tok of cstComments(src)) {
      const text = tok.source.slice(1);
      if (text === '') continue;
      let di = docsAst.findIndex((d) => tok.offset < d.range[2]);
      if (di < 0) di = docsAst.length - 1;
      const d = docs[di];
      if (d?.sops && tok.offset >= d.sops.blockStart && tok.offset < d.sops.blockEnd) continue;
      const entries = entriesPerDoc[di] ?? [];
      const root = (d as DocInfo & { root?: Container }).root ?? { path: [], col: 0, parent: undefined };
      const ls = lineStart(src, tok.offset);
      const col = tok.offset - ls;
      const inline = src.slice(ls, tok.offset).trim() !== '';
      let prev: Entry | undefined;
      let next: Entry | undefined;
      for (const e of entries) {
        if (e.offset < tok.offset) {
          if (inline || e.structural) prev = e;
        } else if (e.structural) {
          next = e;
          break;
        }
      }
      let chosen: Container = root;
      if (inline) chosen = prev?.container ?? root;
      else if (next && next.col >= col) chosen = next.container;
      else if (prev) {
        let c: Container | undefined = prev.container;
        while (c && c.col > col) c = c.parent;
        chosen = c ?? root;
      }
      const alt: string[][] = [];
      for (const start of [prev?.container, next?.container]) {
        for (let c = start; c; c = c.parent)
          if (!alt.some((a) => a.join('\0') === c!.path.join('\0'))) alt.push(c.path);
      }
      comments.push({ path: chosen.path, alt, start: tok.offset, end: tok.offset + tok.source.length, text });
    }
  }

  let jsonIndent = '\t';
  if (format === 'json') {
    const m = /\n([ \t]+)"/.exec(src);
    if (m?.[1]) jsonIndent = m[1];
  }
  const eol = src.includes('\r\n') ? '\r\n' : '\n';
  return { format, src, docs, values, comments, indent: indent > 0 ? indent : 4, jsonIndent, eol };
}

function sopsPair(src: string, format: StoreFormat, k: Scalar, v: Node | null): SopsPair {
  const kStart = k.range?.[0] ?? 0;
  const vEnd = v?.range?.[1] ?? k.range?.[1] ?? kStart;
  const raw: unknown = v && 'toJSON' in v ? (v as { toJSON(): unknown }).toJSON() : null;
  const pair: SopsPair = { removeStart: kStart, removeEnd: vEnd, blockStart: kStart, blockEnd: vEnd, raw };
  if (isMap(v)) {
    for (const p of v.items) {
      if (!isPair(p) || !isScalar(p.key) || !isScalar(p.value) || !p.value.range) continue;
      const r: [number, number] = [p.value.range[0], p.value.range[1]];
      if (p.key.value === 'mac') pair.mac = r;
      if (p.key.value === 'lastmodified') pair.lastmodified = r;
    }
  }
  if (format === 'yaml') {
    const start = lineStart(src, kStart);
    let end = Math.max(vEnd, v?.range?.[2] ?? vEnd);
    if (src[end - 1] !== '\n') {
      const nl = src.indexOf('\n', end);
      end = nl < 0 ? src.length : nl + 1;
    }
    pair.removeStart = start;
    pair.removeEnd = end;
    pair.blockStart = start;
    pair.blockEnd = end;
  } else {
    let j = kStart - 1;
    while (j >= 0 && /\s/.test(src[j] ?? '')) j--;
    if (src[j] === ',') {
      pair.removeStart = j;
    } else {
      let e = vEnd;
      while (e < src.length && /\s/.test(src[e] ?? '')) e++;
      if (src[e] === ',') {
        e++;
        while (e < src.length && /\s/.test(src[e] ?? '')) e++;
      }
      pair.removeEnd = e;
    }
  }
  return pair;
}

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits to `src`. */
export function applyEdits(src: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) throw new SopsError('malformed', 'Internal error: overlapping edits');
    out += src.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + src.slice(pos);
}

/** The replacement text of a slot (keeps a block scalar's final line break). */
export function slotEdit(src: string, slot: ValueSlot, text: string): Edit {
  const old = src.slice(slot.start, slot.end);
  const needsNl = old.endsWith('\n') && !text.endsWith('\n');
  return { start: slot.start, end: slot.end, text: needsNl ? `${text}\n` : text };
}

/** dotenv as sops reads it: KEY=VALUE lines (\\n escapes newlines), '#' comment lines, `sops_` metadata. */
export function analyzeDotenv(src: string): Analysis {
  if (src.includes('\r'))
    throw new SopsError(
      'unsupported',
      'dotenv files with CRLF line endings are not supported (sops would keep the CR in values); convert to LF.',
    );
  const values: ValueSlot[] = [];
  const comments: CommentSlot[] = [];
  const meta: { key: string; value: string; start: number; end: number }[] = [];
  let pos = 0;
  for (const line of src.split('\n')) {
    const start = pos;
    pos += line.length + 1;
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (line.length > 1)
        comments.push({ path: [], alt: [], start, end: start + line.length, text: line.slice(1) });
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new SopsError('parse', `Invalid dotenv line: ${line.slice(0, 40)}`);
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).replace(/\\n/g, '\n');
    if (key.startsWith('sops_')) {
      meta.push({ key: key.slice(5), value, start, end: Math.min(pos, src.length) });
      continue;
    }
    values.push({
      path: [key],
      start: start + eq + 1,
      end: start + line.length,
      leaf: { type: 'str', text: value },
      flow: false,
      baseCol: 0,
      inlineComment: false,
    });
  }
  const doc: DocInfo = { insertAt: src.length, emptyRoot: false };
  if (meta.length > 0) {
    const raw: Record<string, unknown> = {};
    for (const m of meta) unflatten(raw, m.key, m.value);
    const first = meta[0] as { start: number; end: number };
    doc.sops = {
      removeStart: first.start,
      removeEnd: first.end,
      blockStart: first.start,
      blockEnd: first.end,
      raw,
      extraRemovals: meta.slice(1).map((m) => [m.start, m.end] as [number, number]),
      lines: meta.map((m) => ({ key: m.key, value: m.value })),
    };
  }
  return { format: 'dotenv', src, docs: [doc], values, comments, indent: 4, jsonIndent: '\t', eol: '\n' };
}

/** Rebuilds nested metadata from sops' flattened keys (`age__list_0__map_enc`). */
function unflatten(target: Record<string, unknown>, flatKey: string, value: string): void {
  const tokens = flatKey.split(/(__map_|__list_)/);
  let cur: Record<string, unknown> | unknown[] = target;
  let key: string | number = tokens[0] ?? '';
  for (let i = 1; i < tokens.length; i += 2) {
    const sep = tokens[i];
    const next: string | number = sep === '__list_' ? Number(tokens[i + 1]) : (tokens[i + 1] ?? '');
    const container = (cur as Record<string | number, unknown>)[key];
    const fresh: Record<string, unknown> | unknown[] = typeof next === 'number' ? [] : {};
    if (container === undefined || typeof container !== 'object' || container === null)
      (cur as Record<string | number, unknown>)[key] = fresh;
    cur = (cur as Record<string | number, unknown>)[key] as Record<string, unknown> | unknown[];
    key = next;
  }
  (cur as Record<string | number, unknown>)[key] =
    value === 'true' && flatKey === 'mac_only_encrypted' ? true : value;
}

/** Flattens metadata as sops' dotenv store does, with newlines escaped. */
export function flattenMetadata(obj: Record<string, unknown>): string {
  const lines: string[] = [];
  const visit = (prefix: string, v: unknown): void => {
    if (Array.isArray(v)) v.forEach((x, i) => visit(`${prefix}__list_${i}`, x));
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) visit(`${prefix}__map_${k}`, x);
    else lines.push(`${prefix}=${String(v).replace(/\n/g, '\\n')}`);
  };
  for (const [k, v] of Object.entries(obj)) visit(`sops_${k}`, v);
  return `${lines.join('\n')}\n`;
}

/** How an ENC value (or other single-line string) is written at this slot. */
export function renderEnc(slot: ValueSlot, enc: string): string {
  return slot.flow ? JSON.stringify(enc) : enc;
}

function roundTripsAsString(rendered: string, s: string): boolean {
  try {
    const d = YAML.parseDocument(`k: ${rendered}\n`, parseOptions());
    if (d.errors.length > 0 || !isMap(d.contents)) return false;
    const v = d.contents.items[0]?.value;
    if (!isScalar(v) || v.value !== s) return false;
    return !(v.type === 'PLAIN' && yamlTimestamp(s) !== undefined);
  } catch {
    return false;
  }
}

function renderYamlString(s: string, slot: ValueSlot, indent: number, eol: string): string {
  if (!s.includes('\n')) {
    const r = YAML.stringify({ k: s }, { lineWidth: 0, indent }).replace(/^k: /, '').replace(/\n$/, '');
    if (!r.includes('\n') && roundTripsAsString(r, s)) return r;
    return JSON.stringify(s);
  }
  if (!slot.inlineComment) {
    const r = YAML.stringify({ k: s }, { lineWidth: 0, indent, blockQuote: 'literal' });
    const m = /^k: (\|[+-]?)\n/.exec(r);
    if (m) {
      const body = r.slice(m[0].length).replace(/\n$/, '');
      const pad = ' '.repeat(slot.baseCol);
      const lines = body.split('\n').map((l) => (l === '' ? l : pad + l));
      return `${m[1]}${eol}${lines.join(eol)}`;
    }
  }
  return JSON.stringify(s);
}

function renderYamlFloat(text: string): string {
  if (text === '+Inf') return '.inf';
  if (text === '-Inf') return '-.inf';
  if (text === 'NaN') return '.nan';
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}

/** How a decrypted leaf is written back at this slot. */
export function renderPlain(leaf: PlainLeaf, slot: ValueSlot, an: Analysis): string {
  if (an.format === 'dotenv') return leaf.text.replace(/\n/g, '\\n');
  switch (leaf.type) {
    case 'bool':
      return leaf.text === 'True' ? 'true' : 'false';
    case 'int':
      return leaf.text;
    case 'float':
      if (an.format === 'json')
        return /^[+-]?(Inf|NaN)$/.test(leaf.text) ? JSON.stringify(leaf.text) : leaf.text;
      return renderYamlFloat(leaf.text);
    case 'time':
      return an.format === 'json' ? JSON.stringify(leaf.text) : leaf.text;
    default:
      if (slot.flow) return JSON.stringify(leaf.text);
      return renderYamlString(leaf.text, slot, an.indent, an.eol);
  }
}
