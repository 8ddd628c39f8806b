/**
 * Multi-document YAML with line numbers.
 *
 * The `yaml` package costs ~150 µs for a small manifest, which alone would blow the 1.5 s budget
 * for a 10,000-file repository. Most GitOps manifests use a narrow block-style subset, so a
 * line scanner handles that subset and bails out to the `yaml` package at the first construct it
 * is not sure about (anchors, tags, multi-line scalars, odd indentation, duplicate keys...). The
 * scanner never decides that a file is invalid: errors always come from the `yaml` package.
 */
import { parseAllDocuments, isAlias, isMap, isScalar, isSeq, isPair, type Document, type Node } from 'yaml';

export interface YamlDoc {
  /** The document's value as plain JS (maps, arrays, scalars), or null for an empty document. */
  value: unknown;
  /** 1-based line where the document's content starts. */
  line: number;
  index: number;
  /** True when the document has a syntax error; its value is then null. */
  broken: boolean;
}

export interface YamlIssue {
  line: number;
  message: string;
}

export interface YamlResult {
  docs: YamlDoc[];
  errors: YamlIssue[];
  /** Whether the fast scanner handled the text (exposed for tests and the benchmark). */
  fast: boolean;
}

const LINES = new WeakMap<object, Map<string | number, number>>();

/** Line of a map key or sequence item inside a parsed value, when known. */
export function lineOf(container: unknown, key: string | number): number | undefined {
  if (container === null || typeof container !== 'object') return undefined;
  return LINES.get(container)?.get(key);
}

// Lines are only looked up near the top of a document (spec.path, resources, dependsOn, chart
// sourceRef...); recording them for every value of a large Helm values block costs GC time.
const LINE_DEPTH = 4;

function setLine(container: object, key: string | number, line: number): void {
  let m = LINES.get(container);
  if (!m) {
    m = new Map();
    LINES.set(container, m);
  }
  m.set(key, line);
}

/** Parses every document of a YAML text, with line numbers; never throws. */
export function parseYaml(text: string): YamlResult {
  let docs: YamlDoc[] | null;
  try {
    docs = new FastScanner(text).run();
  } catch {
    docs = null;
  }
  if (docs) return { docs, errors: [], fast: true };
  return parseSlow(text);
}

// ---------------------------------------------------------------------------------------------
// Fast path

class Bail {}
const BAIL = new Bail();

interface Frame {
  indent: number;
  /** 1 for the document's root collection. */
  depth: number;
  seq: boolean;
  obj: Record<string, unknown> | unknown[];
}

interface Slot {
  container: Record<string, unknown> | unknown[];
  key: string | number;
  indent: number;
  mapKey: boolean;
  /** Depth of the container. */
  depth: number;
}

interface BlockScalar {
  slot: Slot;
  folded: boolean;
  chomp: '' | '-' | '+';
  contentIndent: number;
  lines: string[];
}

const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INT_RE = /^[-+]?[0-9]+$/;

/** Plain scalar resolution following the YAML 1.2 core schema, as the `yaml` package does. */
function plainValue(s: string): unknown {
  switch (s) {
    case '':
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
  }
  const c = s.charCodeAt(0);
  // Only strings starting with a digit, sign or dot can be numbers.
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    if (INT_RE.test(s)) {
      const n = parseInt(s, 10);
      // Beyond 2^53 the `yaml` package and Number disagree on rounding: let it decide.
      if (!Number.isSafeInteger(n)) throw BAIL;
      return n;
    }
    if (FLOAT_RE.test(s)) return parseFloat(s);
    if (/^(?:0x|0o|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN))/.test(s)) throw BAIL;
  }
  return s;
}

class FastScanner {
  private readonly lines: string[];
  private docs: YamlDoc[] = [];
  private stack: Frame[] = [];
  private pending: Slot | null = null;
  private block: BlockScalar | null = null;
  /** The last plain scalar value, which more-indented lines continue (CRD descriptions do). */
  private plain: { slot: Slot; text: string; blanks: number } | null = null;
  private root: unknown = undefined;
  private docOpen = false;
  private docLine = 1;
  private lineNo = 0;

  constructor(text: string) {
    this.lines = text.split('\n');
  }

  run(): YamlDoc[] | null {
    const lines = this.lines;
    for (let i = 0; i < lines.length; i++) {
      this.lineNo = i + 1;
      let line = lines[i];
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (this.block && this.blockLine(line)) continue;
      let indent = 0;
      while (line.charCodeAt(indent) === 32) indent++;
      if (indent === line.length) {
        if (this.plain) this.plain.blanks++;
        continue;
      }
      const ch = line[indent];
      if (ch === '#') {
        this.plain = null;
        continue;
      }
      if (this.plain) {
        const p = this.plain;
        if (indent > p.slot.indent) {
          const more = line.slice(indent).trimEnd();
          if (more.includes(': ') || more.endsWith(':') || more.includes(' #') || more.includes('\t'))
            throw BAIL;
          p.text += p.blanks > 0 ? '\n'.repeat(p.blanks) + more : ' ' + more;
          p.blanks = 0;
          p.slot.container[p.slot.key as never] = p.text as never;
          continue;
        }
        this.plain = null;
      }
      if (ch === '\t') throw BAIL;
      if (indent === 0) {
        if (line.startsWith('---') && (line.length === 3 || line[3] === ' ')) {
          const rest = line.slice(3).trim();
          if (rest !== '' && !rest.startsWith('#')) throw BAIL;
          if (this.docOpen) this.endDoc();
          this.docOpen = true;
          this.docLine = this.lineNo;
          continue;
        }
        // Document end markers are rare and have subtle empty-document rules: full parser.
        if (line.startsWith('...')) throw BAIL;
        if (ch === '%') throw BAIL;
      }
      this.content(indent, line.slice(indent));
    }
    if (this.block) this.endBlock();
    if (this.docOpen) this.endDoc();
    return this.docs;
  }

  /** Returns true when the line belonged to the block scalar. */
  private blockLine(line: string): boolean {
    const b = this.block!;
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    if (indent === line.length) {
      b.lines.push(b.contentIndent >= 0 ? line.slice(b.contentIndent) : '');
      return true;
    }
    if (b.contentIndent < 0) {
      if (indent <= b.slot.indent) {
        this.endBlock();
        return false;
      }
      // Leading blank lines longer than the content indent are an error in YAML.
      for (const l of b.lines) if (l.length > indent) throw BAIL;
      b.contentIndent = indent;
    }
    if (indent >= b.contentIndent) {
      b.lines.push(line.slice(b.contentIndent));
      return true;
    }
    if (indent > b.slot.indent) throw BAIL;
    this.endBlock();
    return false;
  }

  private endBlock(): void {
    const b = this.block!;
    this.block = null;
    const lines = b.lines;
    let end = lines.length;
    while (end > 0 && lines[end - 1].trim() === '') end--;
    const body = lines.slice(0, end);
    let text: string;
    if (b.folded) {
      if (body[0] === '' || body.some((l) => l.startsWith(' ') || l.startsWith('\t'))) throw BAIL;
      text = '';
      for (let i = 0; i < body.length; i++) {
        const l = body[i];
        if (i === 0) text = l;
        else if (l === '') text += '\n';
        else if (body[i - 1] === '') text += l;
        else text += ' ' + l;
      }
    } else {
      text = body.join('\n');
    }
    // Keep chomping ('|+') depends on trailing blank lines the scanner does not track exactly.
    if (b.chomp === '+') throw BAIL;
    if (body.length > 0 && b.chomp === '') text += '\n';
    b.slot.container[b.slot.key as never] = text as never;
  }

  private endDoc(): void {
    this.pending = null;
    this.plain = null;
    this.stack = [];
    const value = this.root === undefined ? null : this.root;
    this.docs.push({ value, line: this.docLine, index: this.docs.length, broken: false });
    this.root = undefined;
    this.docOpen = false;
  }

  private content(indent: number, c: string): void {
    const dash = c === '-' || c.startsWith('- ');
    if (!this.docOpen) {
      this.docOpen = true;
      this.docLine = this.lineNo;
    }
    if (this.root === undefined) {
      if (indent !== 0) throw BAIL;
      this.docLine = this.lineNo;
      const obj = dash ? [] : {};
      this.root = obj;
      this.stack.push({ indent, seq: dash, obj, depth: 1 });
    } else if (this.pending) {
      const p = this.pending;
      this.pending = null;
      if (indent > p.indent || (indent === p.indent && dash && p.mapKey)) {
        const obj = dash ? [] : {};
        p.container[p.key as never] = obj as never;
        this.stack.push({ indent, seq: dash, obj, depth: p.depth + 1 });
      }
    }
    const stack = this.stack;
    while (stack.length > 0 && stack[stack.length - 1].indent > indent) stack.pop();
    let top = stack[stack.length - 1];
    if (top && top.seq && top.indent === indent && !dash) {
      stack.pop();
      top = stack[stack.length - 1];
    }
    if (!top || top.indent !== indent) throw BAIL;
    if (top.seq) {
      if (!dash) throw BAIL;
      this.seqItem(top.obj as unknown[], indent, c, top.depth);
    } else {
      if (dash) throw BAIL;
      this.mapEntry(top.obj as Record<string, unknown>, indent, c, top.depth);
    }
  }

  private seqItem(arr: unknown[], indent: number, c: string, depth: number): void {
    let off = 1;
    while (c.charCodeAt(off) === 32) off++;
    const rest = c.slice(off);
    if (rest[0] === '\t') throw BAIL;
    const idx = arr.length;
    arr.push(null);
    if (depth <= LINE_DEPTH) setLine(arr, idx, this.lineNo);
    if (rest === '' || rest[0] === '#') {
      this.pending = { container: arr, key: idx, indent, mapKey: false, depth };
      return;
    }
    if (rest === '-' || rest.startsWith('- ')) throw BAIL;
    if (this.keyEnd(rest) >= 0) {
      const obj: Record<string, unknown> = {};
      arr[idx] = obj;
      const frame: Frame = { indent: indent + off, seq: false, obj, depth: depth + 1 };
      this.stack.push(frame);
      this.mapEntry(obj, indent + off, rest, depth + 1);
      return;
    }
    this.value({ container: arr, key: idx, indent, mapKey: false, depth }, rest);
  }

  /** Index of the ':' that ends a plain or quoted key, or -1 when the text is not `key: ...`. */
  private keyEnd(c: string): number {
    const q = c[0];
    if (q === '"' || q === "'") {
      const close = c.indexOf(q, 1);
      if (close < 0) return -1;
      if (c[close + 1] === ':' && (close + 2 === c.length || c[close + 2] === ' ')) return close + 1;
      return -1;
    }
    let i = c.indexOf(':');
    while (i >= 0) {
      if (i + 1 === c.length || c[i + 1] === ' ') return i;
      i = c.indexOf(':', i + 1);
    }
    return -1;
  }

  private mapEntry(obj: Record<string, unknown>, indent: number, c: string, depth: number): void {
    const end = this.keyEnd(c);
    if (end < 0) throw BAIL;
    let key: string;
    const q = c[0];
    if (q === '"' || q === "'") {
      key = c.slice(1, end - 1);
      if (key.includes('\\') || key.includes(q)) throw BAIL;
    } else {
      key = c.slice(0, end).trimEnd();
      if (key === '' || '-?:,[]{}#&*!|>\'"%@`'.includes(key[0]) || key.includes(' #') || key.includes('\t')) {
        throw BAIL;
      }
    }
    if (key === '__proto__' || Object.prototype.hasOwnProperty.call(obj, key)) throw BAIL;
    obj[key] = null;
    if (depth <= LINE_DEPTH) setLine(obj, key, this.lineNo);
    const rest = c.slice(end + 1).trimStart();
    const slot: Slot = { container: obj, key, indent, mapKey: true, depth };
    if (rest === '' || rest[0] === '#') {
      this.pending = slot;
      return;
    }
    this.value(slot, rest);
  }

  private value(slot: Slot, rest: string): void {
    const c = rest[0];
    let v: unknown;
    if (c === '|' || c === '>') {
      const m = /^[|>]([+-]?)(?:\s+#.*)?\s*$/.exec(rest);
      if (!m) throw BAIL;
      this.block = {
        slot,
        folded: c === '>',
        chomp: m[1] as '' | '-' | '+',
        contentIndent: -1,
        lines: [],
      };
      return;
    } else if (c === '[' || c === '{') {
      const p = new FlowParser(rest);
      v = p.value();
      p.end();
    } else if (c === '"') {
      const close = findDoubleQuoteEnd(rest);
      if (close < 0) throw BAIL;
      trailer(rest.slice(close + 1));
      const inner = rest.slice(1, close);
      v = inner.includes('\\') ? decodeDouble(inner) : inner;
    } else if (c === "'") {
      const close = findSingleQuoteEnd(rest);
      if (close < 0) throw BAIL;
      trailer(rest.slice(close + 1));
      v = rest.slice(1, close).replace(/''/g, "'");
    } else if ('&*!?@`%,]}:'.includes(c) || rest === '-' || rest.startsWith('- ')) {
      throw BAIL;
    } else {
      let s = rest;
      const hash = s.indexOf(' #');
      if (hash >= 0) s = s.slice(0, hash);
      s = s.trimEnd();
      if (s.includes(': ') || s.endsWith(':') || s.includes('\t')) throw BAIL;
      v = plainValue(s);
      if (hash < 0) this.plain = { slot, text: s, blanks: 0 };
    }
    slot.container[slot.key as never] = v as never;
  }
}

function trailer(s: string): void {
  const t = s.trim();
  if (t !== '' && !(t.startsWith('#') && /^\s/.test(s))) throw BAIL;
}

function findDoubleQuoteEnd(s: string): number {
  for (let i = 1; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') i++;
    else if (ch === '"') return i;
  }
  return -1;
}

function findSingleQuoteEnd(s: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === "'") {
      if (s[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

function decodeDouble(inner: string): string {
  // JSON escapes are a subset of YAML's; anything else (\x, \e, \N...) goes to the full parser.
  if (/\\[^"\\/bfnrtu]/.test(inner)) throw BAIL;
  try {
    return JSON.parse('"' + inner + '"') as string;
  } catch {
    throw BAIL;
  }
}

/** Single-line flow collections (`[a, "b"]`, `{k: v}`); anything fancier bails out. */
class FlowParser {
  private i = 0;
  constructor(private readonly s: string) {}

  private ws(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  end(): void {
    trailer(this.s.slice(this.i));
  }

  value(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === '[') {
      this.i++;
      const arr: unknown[] = [];
      this.ws();
      if (this.s[this.i] === ']') {
        this.i++;
        return arr;
      }
      for (;;) {
        arr.push(this.value());
        this.ws();
        const d = this.s[this.i++];
        if (d === ']') return arr;
        if (d !== ',') throw BAIL;
        this.ws();
        if (this.s[this.i] === ']') {
          this.i++;
          return arr;
        }
      }
    }
    if (c === '{') {
      this.i++;
      const obj: Record<string, unknown> = {};
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return obj;
      }
      for (;;) {
        const k = this.value();
        if (typeof k !== 'string' || k === '__proto__' || Object.prototype.hasOwnProperty.call(obj, k))
          throw BAIL;
        this.ws();
        if (this.s[this.i] !== ':') throw BAIL;
        this.i++;
        obj[k] = this.value();
        this.ws();
        const d = this.s[this.i++];
        if (d === '}') return obj;
        if (d !== ',') throw BAIL;
        this.ws();
        if (this.s[this.i] === '}') {
          this.i++;
          return obj;
        }
      }
    }
    if (c === '"') {
      const rest = this.s.slice(this.i);
      const close = findDoubleQuoteEnd(rest);
      if (close < 0) throw BAIL;
      this.i += close + 1;
      const inner = rest.slice(1, close);
      return inner.includes('\\') ? decodeDouble(inner) : inner;
    }
    if (c === "'") {
      const rest = this.s.slice(this.i);
      const close = findSingleQuoteEnd(rest);
      if (close < 0) throw BAIL;
      this.i += close + 1;
      return rest.slice(1, close).replace(/''/g, "'");
    }
    if (c === undefined || '&*!?@`%|>#,[]{}:-'.includes(c)) throw BAIL;
    const start = this.i;
    while (this.i < this.s.length) {
      const d = this.s[this.i];
      if (d === ',' || d === ']' || d === '}' || d === '#' || d === '\t') break;
      if (d === ':' && (this.s[this.i + 1] === ' ' || this.s[this.i + 1] === undefined)) break;
      if (d === ':' || d === '[' || d === '{' || d === '"' || d === "'") throw BAIL;
      this.i++;
    }
    if (this.s[this.i] === '#') throw BAIL;
    return plainValue(this.s.slice(start, this.i).trim());
  }
}

// ---------------------------------------------------------------------------------------------
// Slow path: the `yaml` package

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

// Aliases can expand exponentially ("billion laughs"); stop converting past this many nodes.
const NODE_BUDGET = 200_000;

function parseSlow(text: string): YamlResult {
  const starts = lineStarts(text);
  const result: YamlResult = { docs: [], errors: [], fast: false };
  let parsed: Document.Parsed[];
  try {
    const all = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
    parsed = Array.isArray(all) ? all : [];
  } catch (e) {
    result.errors.push({ line: 1, message: e instanceof Error ? e.message : String(e) });
    return result;
  }
  parsed.forEach((doc, index) => {
    const contents = doc.contents as Node | null;
    const start = contents?.range ? contents.range[0] : (doc.range?.[0] ?? 0);
    const line = lineAt(starts, start);
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const errLine = err.linePos?.[0]?.line ?? lineAt(starts, err.pos[0]);
        result.errors.push({
          line: errLine,
          message: err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''),
        });
      }
      result.docs.push({ value: null, line, index, broken: true });
      return;
    }
    let budget = NODE_BUDGET;
    const convert = (node: unknown, depth: number): unknown => {
      if (--budget < 0 || depth > 200)
        throw new Error('document too deeply nested or alias expansion too large');
      if (isAlias(node)) return convert(node.resolve(doc), depth + 1);
      if (isScalar(node)) return node.value;
      if (isMap(node)) {
        const obj: Record<string, unknown> = {};
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          const k = pair.key;
          const key = isScalar(k) ? String(k.value) : JSON.stringify(convert(k, depth + 1));
          if (key === '__proto__') continue;
          obj[key] = convert(pair.value, depth + 1);
          const r = (k as Node | null)?.range;
          if (r && depth < LINE_DEPTH) setLine(obj, key, lineAt(starts, r[0]));
        }
        return obj;
      }
      if (isSeq(node)) {
        const arr: unknown[] = [];
        node.items.forEach((item, i) => {
          arr.push(convert(item, depth + 1));
          const r = (item as Node | null)?.range;
          if (r && depth < LINE_DEPTH) setLine(arr, i, lineAt(starts, r[0]));
        });
        return arr;
      }
      return null;
    };
    try {
      result.docs.push({ value: convert(contents, 0), line, index, broken: false });
    } catch (e) {
      result.errors.push({ line, message: e instanceof Error ? e.message : String(e) });
      result.docs.push({ value: null, line, index, broken: true });
    }
  });
  return result;
}
