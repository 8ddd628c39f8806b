/**
 * Multi-document YAML with line numbers.
 *
 * The `yaml` package costs ~150 µs for a small manifest and half a second for Flux's 470 KB
 * gotk-components.yaml, which alone would blow the scan budget. Most GitOps manifests use a
 * block-style subset (with anchors and aliases, multi-line plain and quoted strings, block
 * scalars, one-line flow collections), so a line scanner handles that subset and bails out to the
 * `yaml` package at the first construct it is not sure about (tags, complex keys, multi-line flow
 * collections, odd indentation, duplicate keys...). Its values are exactly those of the `yaml`
 * package's parseAllDocuments + toJS, which a differential test checks on real repositories. The
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
  return parseYamlSlow(text);
}

// ---------------------------------------------------------------------------------------------
// Fast path

class Bail {}
const BAIL = new Bail();

// The `yaml` package conversion below gives up past NODE_BUDGET values or a depth of 200; well
// before that, the scanner leaves the decision to it.
const FAST_NODE_LIMIT = 150_000;
const FAST_DEPTH_LIMIT = 100;

type Container = Record<string, unknown> | unknown[];

interface Frame {
  indent: number;
  /** 1 for the document's root collection. */
  depth: number;
  seq: boolean;
  obj: Container;
  /** Inside an anchored collection: its lines are kept at every depth, for the alias copies. */
  anchored: boolean;
}

interface Slot {
  container: Container;
  key: string | number;
  /** Column of the key, or of the sequence item's dash. */
  indent: number;
  mapKey: boolean;
  /** Depth of the container. */
  depth: number;
  anchored: boolean;
}

interface BlockScalar {
  slot: Slot;
  folded: boolean;
  chomp: '' | '-' | '+';
  /** Column where the text starts; -1 until the first non-blank line (no indentation indicator). */
  contentIndent: number;
  /** Raw lines, classified at the end. */
  lines: string[];
  /** A line other than spaces was seen. */
  hasText: boolean;
}

interface Quoted {
  slot: Slot;
  double: boolean;
  /** Text after the opening quote, then each following line without its indentation ('' when blank). */
  parts: string[];
}

const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const INT_RE = /^[-+]?[0-9]+$/;
const SPECIAL_NUMBER_RE = /^(?:0x|0o|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN))/;
/** `&name ` before a value; names are kept to a conservative character set. */
const ANCHOR_RE = /^&([\w.-]+)(?: +|$)/;
/** `*name` as a whole value, with an optional comment. */
const ALIAS_RE = /^\*([\w.-]+)(?: +#.*| *)$/;
/** `*name :` as a map key (a space is needed: `:` may be part of an alias name). */
const ALIAS_KEY_RE = /^\*([\w.-]+) +:(?= |$)/;
/** Block scalar header: indentation and chomping indicators in either order, then a comment. */
const BLOCK_RE = /^[|>](?:([1-9])([+-]?)|([+-])([1-9]?))?(?: +#.*| *)$/;

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
    if (SPECIAL_NUMBER_RE.test(s)) throw BAIL;
  }
  return s;
}

/** Removes trailing spaces (not other white space: YAML only knows spaces and tabs). */
function trimSpacesEnd(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return e === s.length ? s : s.slice(0, e);
}

function trimSpacesStart(s: string): string {
  let i = 0;
  while (s.charCodeAt(i) === 32) i++;
  return i === 0 ? s : s.slice(i);
}

class FastScanner {
  private readonly lines: string[];
  /** Whether the last line ends with a line break. */
  private readonly lastBreak: boolean;
  private readonly hasCr: boolean;
  private docs: YamlDoc[] = [];
  private stack: Frame[] = [];
  private pending: Slot | null = null;
  /** The pending value carries an anchor. */
  private pendingAnchor = false;
  private block: BlockScalar | null = null;
  private quoted: Quoted | null = null;
  /** The last plain scalar value, which more-indented lines continue (CRD descriptions do). */
  private plain: { slot: Slot; text: string; blanks: number } | null = null;
  private root: unknown = undefined;
  private docOpen = false;
  private docLine = 1;
  private lineNo = 0;
  /** Values converted in the current document (the slow path's budget counts the same). */
  private nodes = 0;
  private anchors = new Map<string, Slot>();
  /** Lines of every entry of anchored collections and alias copies, whatever their depth. */
  private allLines = new Map<object, Map<string | number, number>>();
  /** Collections made by an alias: the `yaml` package counts them one level deeper. */
  private copies = new Set<object>();
  /** Flow collection being read. */
  private fs = '';
  private fi = 0;

  constructor(text: string) {
    // The `yaml` package reads a byte order mark as content in some places.
    if (text.charCodeAt(0) === 0xfeff) throw BAIL;
    const lines = text.split('\n');
    this.lastBreak = lines.length > 1 && lines[lines.length - 1] === '';
    if (this.lastBreak) lines.pop();
    this.lines = lines;
    this.hasCr = text.includes('\r');
  }

  run(): YamlDoc[] {
    const lines = this.lines;
    const n = lines.length;
    for (let i = 0; i < n; i++) {
      this.lineNo = i + 1;
      let line = lines[i];
      if (this.hasCr) {
        if (line.endsWith('\r') && (i < n - 1 || this.lastBreak)) line = line.slice(0, -1);
        if (line.includes('\r')) throw BAIL;
      }
      if (this.quoted) {
        this.quotedLine(line);
        continue;
      }
      if (this.block && this.blockLine(line)) continue;
      let indent = 0;
      while (line.charCodeAt(indent) === 32) indent++;
      if (indent === line.length) {
        if (this.plain) this.plain.blanks++;
        continue;
      }
      const ch = line.charCodeAt(indent);
      if (ch === 35 /* # */) {
        this.plain = null;
        continue;
      }
      if (this.plain) {
        const p = this.plain;
        if (indent > p.slot.indent) {
          const more = trimSpacesEnd(line.slice(indent));
          if (more.includes(': ') || more.endsWith(':') || more.includes(' #') || more.includes('\t'))
            throw BAIL;
          p.text += p.blanks > 0 ? '\n'.repeat(p.blanks) + more : ' ' + more;
          p.blanks = 0;
          p.slot.container[p.slot.key as never] = p.text as never;
          continue;
        }
        this.plain = null;
      }
      if (ch === 9 /* tab */) throw BAIL;
      if (indent === 0) {
        if (line.startsWith('---') && (line.length === 3 || line[3] === ' ')) {
          const rest = trimSpacesStart(line.slice(3));
          if (rest !== '' && rest[0] !== '#') throw BAIL;
          if (this.docOpen) this.endDoc();
          this.docOpen = true;
          this.docLine = this.lineNo;
          continue;
        }
        // Document end markers are rare and have subtle empty-document rules: full parser.
        if (line.startsWith('...')) throw BAIL;
        if (ch === 37 /* % */) throw BAIL;
      }
      this.content(indent, indent === 0 ? line : line.slice(indent));
    }
    if (this.quoted) throw BAIL;
    if (this.block) this.endBlock(true);
    if (this.docOpen) this.endDoc();
    return this.docs;
  }

  /** Records the line of a key or item: for lineOf near the top, and for alias copies. */
  private mark(
    container: object,
    key: string | number,
    line: number,
    depth: number,
    anchored: boolean,
  ): void {
    if (depth <= LINE_DEPTH) setLine(container, key, line);
    if (anchored) {
      let m = this.allLines.get(container);
      if (!m) {
        m = new Map();
        this.allLines.set(container, m);
      }
      m.set(key, line);
    }
  }

  /** Returns true when the line belonged to the block scalar. */
  private blockLine(line: string): boolean {
    const b = this.block!;
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    if (indent === line.length) {
      b.lines.push(line);
      return true;
    }
    if (b.contentIndent < 0) {
      if (indent <= b.slot.indent) {
        this.endBlock();
        return false;
      }
      if (line.charCodeAt(indent) === 9) throw BAIL;
      b.contentIndent = indent;
      // Leading blank lines longer than the detected indentation are an error in YAML.
      for (const l of b.lines) if (l.length > indent) throw BAIL;
    }
    if (indent >= b.contentIndent) {
      b.lines.push(line);
      b.hasText = true;
      return true;
    }
    if (indent > b.slot.indent) throw BAIL;
    this.endBlock();
    return false;
  }

  /** `atEnd`: the block's last line is the text's last line, which may lack a line break. */
  private endBlock(atEnd = false): void {
    const b = this.block!;
    this.block = null;
    const ci = b.contentIndent;
    // Without any text, every line is empty, whatever its spaces; with text, blank lines longer
    // than the indentation are text (spaces), except after the last text line, where the
    // `yaml` package's rules depend on context: left to it.
    // The `yaml` package has its own view of an empty `|+` (at least one line break).
    if (!b.hasText && b.chomp === '+' && b.lines.length > 0) throw BAIL;
    let last = -1;
    if (b.hasText) {
      last = b.lines.length - 1;
      while (b.lines[last].length === 0 || isBlank(b.lines[last])) {
        if (b.lines[last].length > ci) throw BAIL;
        last--;
      }
    }
    const lines = b.lines.map((l, i) => (i <= last && l.length > ci ? l.slice(ci) : ''));
    // A last empty line without a line break adds nothing.
    if (atEnd && !this.lastBreak && lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    let end = lines.length;
    while (end > 0 && lines[end - 1] === '') end--;
    const trailing = lines.length - end;
    let text = '';
    if (end > 0) {
      lines.length = end;
      text = b.folded ? foldBlock(lines) : lines.join('\n');
      if (b.chomp !== '-') text += '\n';
    }
    if (b.chomp === '+') text += '\n'.repeat(trailing);
    b.slot.container[b.slot.key as never] = text as never;
  }

  private quotedLine(line: string): void {
    const q = this.quoted!;
    if (line.includes('\t')) throw BAIL;
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    if (indent === line.length) {
      q.parts.push('');
      return;
    }
    if (indent <= q.slot.indent) throw BAIL;
    const s = line.slice(indent);
    const close = q.double ? findDoubleQuoteEnd(s, 0) : findSingleQuoteEnd(s, 0);
    if (close < 0) {
      q.parts.push(s);
      return;
    }
    trailer(s.slice(close + 1));
    this.quoted = null;
    q.parts.push(s.slice(0, close));
    const v = q.double ? foldDouble(q.parts) : foldSingle(q.parts);
    q.slot.container[q.slot.key as never] = v as never;
  }

  private endDoc(): void {
    this.pending = null;
    this.pendingAnchor = false;
    this.plain = null;
    this.stack = [];
    const value = this.root === undefined ? null : this.root;
    this.docs.push({ value, line: this.docLine, index: this.docs.length, broken: false });
    this.root = undefined;
    this.docOpen = false;
    this.nodes = 0;
    if (this.anchors.size > 0) {
      this.anchors = new Map();
      this.allLines = new Map();
      this.copies = new Set();
    }
  }

  private content(indent: number, c: string): void {
    const dash = c.charCodeAt(0) === 45 && (c.length === 1 || c.charCodeAt(1) === 32);
    if (!this.docOpen) {
      this.docOpen = true;
      this.docLine = this.lineNo;
    }
    if (this.root === undefined) {
      if (indent !== 0) throw BAIL;
      this.docLine = this.lineNo;
      const obj = dash ? [] : {};
      this.root = obj;
      this.nodes = 1;
      this.stack.push({ indent, seq: dash, obj, depth: 1, anchored: false });
    } else if (this.pending) {
      const p = this.pending;
      const anchored = p.anchored || this.pendingAnchor;
      this.pending = null;
      this.pendingAnchor = false;
      if (indent > p.indent || (indent === p.indent && dash && p.mapKey)) {
        if (p.depth >= FAST_DEPTH_LIMIT) throw BAIL;
        const obj = dash ? [] : {};
        p.container[p.key as never] = obj as never;
        // The `yaml` package places a sequence item where its content starts.
        if (!p.mapKey) this.mark(p.container, p.key, this.lineNo, p.depth, p.anchored);
        this.stack.push({ indent, seq: dash, obj, depth: p.depth + 1, anchored });
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
      this.seqItem(top, indent, c);
    } else {
      if (dash) throw BAIL;
      this.mapEntry(top, indent, c);
    }
  }

  private seqItem(frame: Frame, indent: number, c: string): void {
    const arr = frame.obj as unknown[];
    let off = 1;
    while (c.charCodeAt(off) === 32) off++;
    const rest = c.slice(off);
    const idx = arr.length;
    arr.push(null);
    if (++this.nodes > FAST_NODE_LIMIT) throw BAIL;
    this.mark(arr, idx, this.lineNo, frame.depth, frame.anchored);
    const slot: Slot = {
      container: arr,
      key: idx,
      indent,
      mapKey: false,
      depth: frame.depth,
      anchored: frame.anchored,
    };
    if (rest === '' || rest[0] === '#') {
      this.pending = slot;
      return;
    }
    const ch = rest[0];
    if (ch === '\t' || rest === '-' || rest.startsWith('- ')) throw BAIL;
    if (ch !== '[' && ch !== '{' && ch !== '*' && this.keyEnd(rest) >= 0) {
      // `- &anchor key: value` anchors the key, not the map.
      if (ch === '&' || frame.depth >= FAST_DEPTH_LIMIT) throw BAIL;
      const obj: Record<string, unknown> = {};
      arr[idx] = obj;
      const inner: Frame = {
        indent: indent + off,
        seq: false,
        obj,
        depth: frame.depth + 1,
        anchored: frame.anchored,
      };
      this.stack.push(inner);
      this.mapEntry(inner, indent + off, rest);
      return;
    }
    this.value(slot, rest);
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
    const hash = c.indexOf(' #');
    const stop = hash < 0 ? c.length : hash;
    let i = c.indexOf(':');
    while (i >= 0 && i < stop) {
      if (i + 1 === c.length || c[i + 1] === ' ') return i;
      i = c.indexOf(':', i + 1);
    }
    return -1;
  }

  private mapEntry(frame: Frame, indent: number, c: string): void {
    const obj = frame.obj as Record<string, unknown>;
    let key: string;
    let rest: string;
    const q = c[0];
    if (q === '*') {
      const m = ALIAS_KEY_RE.exec(c);
      if (!m) throw BAIL;
      const a = this.anchors.get(m[1]);
      if (!a) throw BAIL;
      const v = a.container[a.key as never] as unknown;
      if (v === null || typeof v === 'object') throw BAIL;
      key = String(v);
      rest = c.slice(m[0].length);
    } else {
      const end = this.keyEnd(c);
      if (end < 0) throw BAIL;
      if (q === '"' || q === "'") {
        key = c.slice(1, end - 1);
        if (key.includes('\\') || key.includes(q)) throw BAIL;
      } else {
        key = trimSpacesEnd(c.slice(0, end));
        if (
          key === '' ||
          '-?:,[]{}#&*!|>\'"%@`'.includes(key[0]) ||
          key.includes(' #') ||
          key.includes('\t')
        ) {
          throw BAIL;
        }
        // The `yaml` package converts keys to values first (`1.0:` is the key "1").
        const k = plainValue(key);
        if (typeof k !== 'string') {
          if (k === null) throw BAIL;
          key = String(k);
        }
      }
      rest = c.slice(end + 1);
    }
    if (key === '__proto__' || Object.prototype.hasOwnProperty.call(obj, key)) throw BAIL;
    obj[key] = null;
    if (++this.nodes > FAST_NODE_LIMIT) throw BAIL;
    this.mark(obj, key, this.lineNo, frame.depth, frame.anchored);
    rest = trimSpacesStart(rest);
    const slot: Slot = {
      container: obj,
      key,
      indent,
      mapKey: true,
      depth: frame.depth,
      anchored: frame.anchored,
    };
    if (rest === '' || rest[0] === '#') {
      this.pending = slot;
      return;
    }
    this.value(slot, rest);
  }

  private value(slot: Slot, rest: string): void {
    let c = rest[0];
    let anchored = slot.anchored;
    let hadAnchor = false;
    if (c === '&') {
      const m = ANCHOR_RE.exec(rest);
      if (!m) throw BAIL;
      this.anchors.set(m[1], slot);
      rest = rest.slice(m[0].length);
      if (rest === '' || rest[0] === '#') {
        this.pending = slot;
        this.pendingAnchor = true;
        return;
      }
      c = rest[0];
      anchored = true;
      hadAnchor = true;
    }
    let v: unknown;
    if (c === '*') {
      const m = ALIAS_RE.exec(rest);
      if (!m || hadAnchor) throw BAIL;
      // The `yaml` package converts the alias, then its target one level deeper.
      v = this.resolve(m[1], slot.depth + 2);
    } else if (c === '|' || c === '>') {
      const m = BLOCK_RE.exec(rest);
      if (!m) throw BAIL;
      const digit = m[1] ?? m[4];
      this.block = {
        slot,
        folded: c === '>',
        chomp: (m[2] || m[3] || '') as '' | '-' | '+',
        contentIndent: digit ? slot.indent + Number(digit) : -1,
        lines: [],
        hasText: false,
      };
      return;
    } else if (c === '[' || c === '{') {
      this.fs = rest;
      this.fi = 0;
      v = this.flowValue(slot.depth + 1, anchored);
      trailer(rest.slice(this.fi));
    } else if (c === '"') {
      const close = findDoubleQuoteEnd(rest, 1);
      if (close < 0) {
        this.quoted = { slot, double: true, parts: [rest.slice(1)] };
        return;
      }
      trailer(rest.slice(close + 1));
      const inner = rest.slice(1, close);
      v = inner.includes('\\') ? decodeDouble(inner) : inner;
    } else if (c === "'") {
      const close = findSingleQuoteEnd(rest, 1);
      if (close < 0) {
        this.quoted = { slot, double: false, parts: [rest.slice(1)] };
        return;
      }
      trailer(rest.slice(close + 1));
      v = rest.slice(1, close).replace(/''/g, "'");
    } else if ('&!@`%,]}#\t'.includes(c) || rest === '-' || rest.startsWith('- ')) {
      throw BAIL;
    } else if ((c === ':' || c === '?') && (rest.length === 1 || rest[1] === ' ' || rest[1] === '\t')) {
      // `:4244` is a plain scalar, `: x` or `? x` is not.
      throw BAIL;
    } else {
      let s = rest;
      const hash = s.indexOf(' #');
      if (hash >= 0) s = s.slice(0, hash);
      s = trimSpacesEnd(s);
      if (s.includes(': ') || s.endsWith(':') || s.includes('\t')) throw BAIL;
      v = plainValue(s);
      if (hash < 0) this.plain = { slot, text: s, blanks: 0 };
    }
    slot.container[slot.key as never] = v as never;
  }

  /** The value of `*name`: a copy of the anchored value, as the slow path makes. */
  private resolve(name: string, depth: number): unknown {
    const a = this.anchors.get(name);
    if (!a) throw BAIL;
    const v = a.container[a.key as never] as unknown;
    this.nodes += 2;
    if (v === null || typeof v !== 'object') return v;
    // An alias inside its own anchor: a cycle.
    for (const f of this.stack) if (f.obj === v) throw BAIL;
    const copy = this.copy(v as Container, depth);
    this.copies.add(copy);
    return copy;
  }

  private copy(v: Container, depth: number): Container {
    if (++this.nodes > FAST_NODE_LIMIT || depth > FAST_DEPTH_LIMIT) throw BAIL;
    const lines = this.allLines.get(v);
    const one = (child: unknown): unknown => {
      if (child === null || typeof child !== 'object') {
        this.nodes++;
        return child;
      }
      const made = this.copies.has(child);
      const c = this.copy(child as Container, depth + (made ? 2 : 1));
      if (made) this.copies.add(c);
      return c;
    };
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) {
        out.push(one(v[i]));
        const line = lines?.get(i);
        if (line !== undefined) this.mark(out, i, line, depth, true);
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      out[k] = one(v[k]);
      const line = lines?.get(k);
      if (line !== undefined) this.mark(out, k, line, depth, true);
    }
    return out;
  }

  private flowWs(): void {
    while (this.fs.charCodeAt(this.fi) === 32) this.fi++;
  }

  /** A single-line flow collection or scalar (`[a, "b"]`, `{k: v}`); `depth` is that of a collection here. */
  private flowValue(depth: number, anchored: boolean): unknown {
    this.flowWs();
    const s = this.fs;
    const c = s[this.fi];
    if (c === '[' || c === '{') {
      if (depth > FAST_DEPTH_LIMIT) throw BAIL;
      this.fi++;
      const seq = c === '[';
      const close = seq ? ']' : '}';
      const out: Container = seq ? [] : {};
      this.flowWs();
      if (s[this.fi] === close) {
        this.fi++;
        return out;
      }
      for (;;) {
        if (++this.nodes > FAST_NODE_LIMIT) throw BAIL;
        if (seq) {
          const arr = out as unknown[];
          const idx = arr.length;
          arr.push(this.flowValue(depth + 1, anchored));
          this.mark(arr, idx, this.lineNo, depth, anchored);
        } else {
          const obj = out as Record<string, unknown>;
          const k = this.flowValue(depth + 1, anchored);
          if (typeof k !== 'string' || k === '__proto__' || Object.prototype.hasOwnProperty.call(obj, k))
            throw BAIL;
          this.flowWs();
          if (s[this.fi] !== ':') throw BAIL;
          this.fi++;
          obj[k] = this.flowValue(depth + 1, anchored);
          this.mark(obj, k, this.lineNo, depth, anchored);
        }
        this.flowWs();
        const d = s[this.fi++];
        if (d === close) return out;
        if (d !== ',') throw BAIL;
        this.flowWs();
        if (s[this.fi] === close) {
          this.fi++;
          return out;
        }
      }
    }
    if (c === '"') {
      const close = findDoubleQuoteEnd(s, this.fi + 1);
      if (close < 0) throw BAIL;
      const inner = s.slice(this.fi + 1, close);
      this.fi = close + 1;
      return inner.includes('\\') ? decodeDouble(inner) : inner;
    }
    if (c === "'") {
      const close = findSingleQuoteEnd(s, this.fi + 1);
      if (close < 0) throw BAIL;
      const inner = s.slice(this.fi + 1, close);
      this.fi = close + 1;
      return inner.replace(/''/g, "'");
    }
    if (c === undefined || '&*!?@`%|>#,[]{}:'.includes(c)) throw BAIL;
    if (c === '-') {
      const n = s[this.fi + 1];
      if (n === undefined || ' ,[]{}'.includes(n)) throw BAIL;
    }
    const start = this.fi;
    while (this.fi < s.length) {
      const d = s[this.fi];
      if (d === ',' || d === ']' || d === '}' || d === '#' || d === '\t') break;
      if (d === ':' && (s[this.fi + 1] === ' ' || s[this.fi + 1] === undefined)) break;
      if (d === ':' || d === '[' || d === '{' || d === '"' || d === "'") throw BAIL;
      this.fi++;
    }
    if (s[this.fi] === '#') throw BAIL;
    return plainValue(trimSpacesEnd(s.slice(start, this.fi)));
  }
}

/** What may follow a quoted scalar or flow collection on its line: spaces and a comment. */
function trailer(s: string): void {
  const t = trimSpacesStart(s);
  if (t !== '' && !(t[0] === '#' && t !== s)) throw BAIL;
}

/** Index of the closing double quote at or after `from`, or -1. */
function findDoubleQuoteEnd(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 92 /* \ */) i++;
    else if (ch === 34 /* " */) return i;
  }
  return -1;
}

/** Index of the closing single quote at or after `from` (`''` is an escaped quote), or -1. */
function findSingleQuoteEnd(s: string, from: number): number {
  for (let i = s.indexOf("'", from); i >= 0; i = s.indexOf("'", i + 2)) {
    if (s[i + 1] !== "'") return i;
  }
  return -1;
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** The escapes of a double-quoted scalar's text (one line of it). */
function decodeDouble(inner: string): string {
  let out = '';
  let from = 0;
  for (let i = inner.indexOf('\\'); i >= 0; i = inner.indexOf('\\', from)) {
    out += inner.slice(from, i);
    const e = inner[i + 1];
    const simple = ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      from = i + 2;
      continue;
    }
    const n = HEX_LENGTH[e];
    if (n === undefined) throw BAIL;
    const hex = inner.slice(i + 2, i + 2 + n);
    if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) throw BAIL;
    const code = parseInt(hex, 16);
    if (n === 8) {
      if (code > 0x10ffff) throw BAIL;
      out += String.fromCodePoint(code);
    } else out += String.fromCharCode(code);
    from = i + 2 + n;
  }
  return out + inner.slice(from);
}

/** Joins the lines of a multi-line quoted scalar: one line break is a space, blank lines are breaks. */
function foldSingle(parts: string[]): string {
  let text = trimSpacesEnd(parts[0]).replace(/''/g, "'");
  let blanks = 0;
  const last = parts.length - 1;
  for (let i = 1; i <= last; i++) {
    const p = i === last ? parts[i] : trimSpacesEnd(parts[i]);
    if (p === '' && i < last) {
      blanks++;
      continue;
    }
    text += (blanks > 0 ? '\n'.repeat(blanks) : ' ') + p.replace(/''/g, "'");
    blanks = 0;
  }
  return text;
}

/** As foldSingle, with escapes, and `\` at the end of a line joining it to the next without space. */
function foldDouble(parts: string[]): string {
  let text = '';
  let blanks = 0;
  let joined = false;
  const last = parts.length - 1;
  for (let i = 0; i <= last; i++) {
    let p = parts[i];
    if (i > 0 && i < last && p === '') {
      if (joined) throw BAIL;
      blanks++;
      continue;
    }
    let escapedBreak = false;
    if (i < last) {
      let n = 0;
      while (p.charCodeAt(p.length - 1 - n) === 92) n++;
      if (n % 2 === 1) {
        escapedBreak = true;
        p = p.slice(0, -1);
      } else {
        const t = trimSpacesEnd(p);
        if (t !== p && t.endsWith('\\')) throw BAIL;
        p = t;
      }
    }
    if (i > 0) text += joined ? '' : blanks > 0 ? '\n'.repeat(blanks) : ' ';
    text += p.includes('\\') ? decodeDouble(p) : p;
    blanks = 0;
    joined = escapedBreak;
  }
  return text;
}

/** Folds the lines of a `>` block scalar (indentation removed, '' for empty lines). */
function foldBlock(lines: string[]): string {
  let text = '';
  let i = 0;
  while (i < lines.length && lines[i] === '') {
    text += '\n';
    i++;
  }
  if (i === lines.length) return text;
  let prev = lines[i];
  text += prev;
  let empties = 0;
  for (i++; i < lines.length; i++) {
    const l = lines[i];
    if (l === '') {
      empties++;
      continue;
    }
    // Lines that start with white space ("more indented") keep their line breaks.
    const spaced = isSpaced(prev) || isSpaced(l);
    text += spaced ? '\n'.repeat(empties + 1) : empties > 0 ? '\n'.repeat(empties) : ' ';
    text += l;
    prev = l;
    empties = 0;
  }
  return text;
}

function isBlank(l: string): boolean {
  for (let i = 0; i < l.length; i++) if (l.charCodeAt(i) !== 32) return false;
  return true;
}

function isSpaced(l: string): boolean {
  const c = l.charCodeAt(0);
  return c === 32 || c === 9;
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

/** Parses with the `yaml` package only (what the fast scanner must agree with). */
export function parseYamlSlow(text: string): YamlResult {
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
          // Keys as toJS makes them: an alias stands for its scalar, and null is ''.
          const k = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
          const key = isScalar(k)
            ? k.value === null
              ? ''
              : String(k.value)
            : JSON.stringify(convert(pair.key, depth + 1));
          if (key === '__proto__') continue;
          obj[key] = convert(pair.value, depth + 1);
          const r = (pair.key as Node | null)?.range;
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
