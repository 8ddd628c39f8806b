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
import type { Document, Node } from 'yaml';

/**
 * The `yaml` package, loaded the first time the scanner bails out: loading it costs more than
 * parsing a whole repository's manifests with the scanner, and many repositories never need it.
 */
let yamlPackage: typeof import('yaml') | null = null;
function yamlLib(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yamlPackage ??= require('yaml') as typeof import('yaml'));
}

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

/**
 * Lines of the keys or items of a container, as [key, line, key, line...]: cheaper to make than a
 * Map for the many small containers of a scan, and lineOf is rare. The last entry for a key wins.
 */
type Lines = (string | number)[];

/**
 * Where a container keeps its lines: a non-enumerable symbol property, which keys, JSON, spread
 * copies, structured clones and deep equality all ignore, as they would a WeakMap entry; but one
 * WeakMap entry per container costs the garbage collector more than the whole parse of a small file.
 */
const LINES = Symbol('lines');

interface WithLines {
  [LINES]?: Lines;
}

function attachLines(container: object, lines: Lines): void {
  Object.defineProperty(container, LINES, { value: lines });
}

/** Line of a map key or sequence item inside a parsed value, when known. */
export function lineOf(container: unknown, key: string | number): number | undefined {
  if (container === null || typeof container !== 'object') return undefined;
  const lines = (container as WithLines)[LINES];
  if (!lines) return undefined;
  for (let i = lines.length - 2; i >= 0; i -= 2) if (lines[i] === key) return lines[i + 1] as number;
  return undefined;
}

/** Every line recorded for a container's keys or items, as [key, line, key, line...], if any. */
export function linesOf(container: object): ReadonlyArray<string | number> | undefined {
  return (container as WithLines)[LINES];
}

// Lines are only looked up near the top of a document (spec.path, resources, dependsOn, chart
// sourceRef...); recording them for every value of a large Helm values block costs GC time.
const LINE_DEPTH = 4;

function setLine(container: object, key: string | number, line: number): void {
  let lines = (container as WithLines)[LINES];
  if (!lines) {
    lines = [];
    attachLines(container, lines);
  }
  lines.push(key, line);
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
  /** Where the lines of its entries go: for lineOf (near the top) and for alias copies. */
  lines: Lines | null;
  all: Map<string | number, number> | null;
}

interface Aliasing {
  anchors: Map<string, Slot>;
  /** Lines of every entry of anchored collections and alias copies, whatever their depth. */
  allLines: Map<object, Map<string | number, number>>;
  /** Collections made by an alias: the `yaml` package counts them one level deeper. */
  copies: Set<object>;
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
/** `!name ` before a scalar: a local tag (not `!!str`, not `!<verbatim>`), then its value. */
const TAG_RE = /^![\w.-]+ +(?=[^ ])/;
/** `*name` as a whole value, with an optional comment. */
const ALIAS_RE = /^\*([\w.-]+)(?: +#.*| *)$/;
/** `*name :` as a map key (a space is needed: `:` may be part of an alias name). */
const ALIAS_KEY_RE = /^\*([\w.-]+) +:(?= |$)/;
/** Block scalar header: indentation and chomping indicators in either order, then a comment. */
const BLOCK_RE = /^[|>](?:([1-9])([+-]?)|([+-])([1-9]?))?(?: +#.*| *)$/;

function charFlags(chars: string): Uint8Array {
  const flags = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) flags[chars.charCodeAt(i)] = 1;
  return flags;
}

/** Characters that cannot start a plain key. */
const NOT_KEY_START = charFlags('-?:,[]{}#&*!|>\'"%@`');
/** Characters that cannot start a plain value (quotes, `[`, `|`, `&`... are read before). */
const NOT_VALUE_START = charFlags('&!@`%,]}#\t');

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

/** plainValue, with a shortcut for the strings that cannot be null, a boolean or a number. */
function scalarOf(s: string): unknown {
  const c = s.charCodeAt(0);
  if (c > 57 && c !== 70 && c !== 78 && c !== 84 && c !== 102 && c !== 110 && c !== 116 && c !== 126)
    return s;
  return plainValue(s);
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

/** The next occurrence of a pattern at or after a position, remembered while the scan moves on. */
class Finder {
  private from = 1;
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly pattern: string,
  ) {}

  /** Position of the next occurrence at or after `from`, or the text's length when there is none. */
  next(from: number): number {
    if (from >= this.from && from <= this.at) return this.at;
    let at = this.text.indexOf(this.pattern, from);
    if (at < 0) at = this.text.length;
    this.from = from;
    this.at = at;
    return at;
  }
}

/** Folds the line breaks of a multi-line plain scalar: one is a space, blank lines are breaks. */
const PLAIN_BREAKS_RE = /[ \r]*\n[ \r\n]*/g;

function foldPlainBreaks(m: string): string {
  let n = 0;
  for (let i = 0; i < m.length; i++) if (m.charCodeAt(i) === 10) n++;
  return n === 1 ? ' ' : '\n'.repeat(n - 1);
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The line scanner. It walks the text by offsets and slices only keys and values: on a 470 KB
 * CRD bundle, per-line strings and small objects are what the garbage collector costs.
 */
class FastScanner {
  private readonly text: string;
  /** Whether the text ends with a line break. */
  private readonly lastBreak: boolean;
  private readonly colons: Finder;
  /** ` #`: a comment after a value. */
  private readonly hashes: Finder;
  private readonly tabs: Finder | null;
  private readonly crs: Finder | null;
  private docs: YamlDoc[] = [];
  private stack: Frame[] = [];
  private pending: Slot | null = null;
  /** The pending value carries an anchor. */
  private pendingAnchor = false;
  private block: BlockScalar | null = null;
  /** Start and end offsets of the block scalar's lines. */
  private blockStarts: number[] = [];
  private blockEnds: number[] = [];
  private quoted: Quoted | null = null;
  // Where the value being read goes (a Slot is only made when one is kept).
  private curContainer: Container = [];
  private curKey: string | number = 0;
  private curIndent = 0;
  private curMapKey = false;
  private curDepth = 0;
  private curAnchored = false;
  // The last plain scalar, which more-indented lines continue (CRD descriptions do): its text is
  // folded from the source once it ends.
  private plainOn = false;
  private plainMulti = false;
  private plainContainer: Container = [];
  private plainKey: string | number = 0;
  private plainIndent = 0;
  private plainStart = 0;
  private plainEnd = 0;
  private root: unknown = undefined;
  private docOpen = false;
  private docLine = 1;
  private lineNo = 0;
  /** Values converted in the current document (the slow path's budget counts the same). */
  private nodes = 0;
  /** Anchors of the current document, made at its first anchor (most files have none). */
  private aliasing: Aliasing | null = null;
  /** Flow collection being read. */
  private fs = '';
  private fi = 0;
  /** Where each source line of a multi-line flow collection starts in `fs` (null on one line). */
  private flowStarts: number[] | null = null;
  /** Offset and number of the line after a multi-line flow collection, once read (-1 otherwise). */
  private resumeAt = -1;
  private resumeLine = 0;

  constructor(text: string) {
    // The `yaml` package reads a byte order mark as content in some places.
    if (text.charCodeAt(0) === 0xfeff) throw BAIL;
    this.text = text;
    this.lastBreak = text.charCodeAt(text.length - 1) === 10;
    this.colons = new Finder(text, ':');
    this.hashes = new Finder(text, ' #');
    this.tabs = text.includes('\t') ? new Finder(text, '\t') : null;
    this.crs = text.includes('\r') ? new Finder(text, '\r') : null;
  }

  run(): YamlDoc[] {
    const text = this.text;
    const len = text.length;
    let pos = 0;
    while (pos < len) {
      if (this.block !== null) {
        pos = this.blockRun(pos);
        if (pos >= len) break;
      }
      this.lineNo++;
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = len;
      const start = pos;
      let end = nl;
      pos = nl + 1;
      if (this.crs !== null) {
        if (nl < len && end > start && text.charCodeAt(end - 1) === 13) end--;
        if (this.crs.next(start) < end) throw BAIL;
      }
      if (this.quoted) {
        this.quotedLine(text.slice(start, end));
        continue;
      }
      let i = start;
      while (text.charCodeAt(i) === 32) i++;
      if (i === end) continue;
      const ch = text.charCodeAt(i);
      if (ch === 35 /* # */) {
        if (this.plainOn) this.endPlain();
        continue;
      }
      if (this.plainOn) {
        if (i - start > this.plainIndent) {
          this.plainLine(i, end);
          continue;
        }
        this.endPlain();
      }
      if (ch === 9 /* tab */) throw BAIL;
      if (i === start) {
        if (
          ch === 45 &&
          text.startsWith('---', start) &&
          (end === start + 3 || text.charCodeAt(start + 3) === 32)
        ) {
          let r = start + 3;
          while (text.charCodeAt(r) === 32) r++;
          if (r < end && text.charCodeAt(r) !== 35) throw BAIL;
          if (this.docOpen) this.endDoc();
          this.docOpen = true;
          this.docLine = this.lineNo;
          continue;
        }
        // Document end markers are rare and have subtle empty-document rules: full parser.
        if (ch === 46 && text.startsWith('...', start)) throw BAIL;
        if (ch === 37 /* % */) throw BAIL;
      }
      this.content(i - start, i, end);
      if (this.resumeAt >= 0) {
        // A flow collection went on over the next lines: they are read.
        pos = this.resumeAt;
        this.lineNo = this.resumeLine;
        this.resumeAt = -1;
      }
    }
    if (this.quoted) throw BAIL;
    if (this.plainOn) this.endPlain();
    if (this.block) this.endBlock(true);
    if (this.docOpen) this.endDoc();
    return this.docs;
  }

  /** A more-indented line continuing the plain scalar. */
  private plainLine(i: number, end: number): void {
    const text = this.text;
    let e = end;
    while (text.charCodeAt(e - 1) === 32) e--;
    if (text.charCodeAt(e - 1) === 58 /* : */ || this.hashes.next(i) < e) throw BAIL;
    for (let c = this.colons.next(i); c < e; c = this.colons.next(c + 1)) {
      if (text.charCodeAt(c + 1) === 32) throw BAIL;
    }
    if (this.tabs !== null && this.tabs.next(i) < end) throw BAIL;
    this.plainEnd = e;
    this.plainMulti = true;
  }

  private endPlain(): void {
    this.plainOn = false;
    if (!this.plainMulti) return;
    const raw = this.text.slice(this.plainStart, this.plainEnd);
    this.plainContainer[this.plainKey as never] = raw.replace(PLAIN_BREAKS_RE, foldPlainBreaks) as never;
  }

  private setCur(
    container: Container,
    key: string | number,
    indent: number,
    mapKey: boolean,
    depth: number,
    anchored: boolean,
  ): void {
    this.curContainer = container;
    this.curKey = key;
    this.curIndent = indent;
    this.curMapKey = mapKey;
    this.curDepth = depth;
    this.curAnchored = anchored;
  }

  private curSlot(): Slot {
    return {
      container: this.curContainer,
      key: this.curKey,
      indent: this.curIndent,
      mapKey: this.curMapKey,
      depth: this.curDepth,
      anchored: this.curAnchored,
    };
  }

  private frame(indent: number, seq: boolean, obj: Container, depth: number, anchored: boolean): Frame {
    let lines = null;
    if (depth <= LINE_DEPTH) {
      lines = [] as Lines;
      attachLines(obj, lines);
    }
    let all = null;
    if (anchored) {
      all = new Map<string | number, number>();
      this.aliases().allLines.set(obj, all);
    }
    return { indent, seq, obj, depth, anchored, lines, all };
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
      const allLines = this.aliases().allLines;
      let m = allLines.get(container);
      if (!m) {
        m = new Map();
        allLines.set(container, m);
      }
      m.set(key, line);
    }
  }

  /**
   * Consumes the block scalar's lines from `pos` (CRD descriptions are most of a Flux bundle's
   * lines); returns the offset of the first line after it.
   */
  private blockRun(pos: number): number {
    const text = this.text;
    const len = text.length;
    const b = this.block!;
    while (pos < len) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = len;
      let end = nl;
      if (this.crs !== null) {
        if (nl < len && end > pos && text.charCodeAt(end - 1) === 13) end--;
        if (this.crs.next(pos) < end) throw BAIL;
      }
      const ci = b.contentIndent;
      if (ci >= 0 && end - pos > ci && text.startsWith(spaces(ci), pos)) {
        // At the indentation or deeper: text, or spaces that endBlock classifies.
        if (!b.hasText && !isBlank(text, pos + ci, end)) b.hasText = true;
        this.blockStarts.push(pos);
        this.blockEnds.push(end);
      } else if (!this.blockLine(pos, end)) {
        return pos;
      }
      this.lineNo++;
      pos = nl + 1;
    }
    return pos;
  }

  /** Returns true when the line belonged to the block scalar. */
  private blockLine(start: number, end: number): boolean {
    const text = this.text;
    const b = this.block!;
    let i = start;
    while (text.charCodeAt(i) === 32) i++;
    const indent = i - start;
    if (i < end) {
      if (b.contentIndent < 0) {
        if (indent <= b.slot.indent) {
          this.endBlock();
          return false;
        }
        if (text.charCodeAt(i) === 9) throw BAIL;
        b.contentIndent = indent;
        // Leading blank lines longer than the detected indentation are an error in YAML.
        for (let j = 0; j < this.blockStarts.length; j++) {
          if (this.blockEnds[j] - this.blockStarts[j] > indent) throw BAIL;
        }
      }
      if (indent < b.contentIndent) {
        if (indent > b.slot.indent) throw BAIL;
        this.endBlock();
        return false;
      }
      b.hasText = true;
    }
    this.blockStarts.push(start);
    this.blockEnds.push(end);
    return true;
  }

  /** `atEnd`: the block's last line is the text's last line, which may lack a line break. */
  private endBlock(atEnd = false): void {
    const b = this.block!;
    this.block = null;
    const text = this.text;
    const starts = this.blockStarts;
    const ends = this.blockEnds;
    const n = starts.length;
    const ci = b.contentIndent;
    // The `yaml` package has its own view of an empty `|+` (at least one line break).
    if (!b.hasText && b.chomp === '+' && n > 0) throw BAIL;
    // Without any text, every line is empty, whatever its spaces; with text, blank lines longer
    // than the indentation are text (spaces), except after the last text line, where the
    // `yaml` package's rules depend on context: left to it.
    let last = -1;
    if (b.hasText) {
      last = n - 1;
      while (isBlank(text, starts[last], ends[last])) {
        if (ends[last] - starts[last] > ci) throw BAIL;
        last--;
      }
    }
    let trailing = n - 1 - last;
    // A last empty line without a line break adds nothing.
    if (atEnd && !this.lastBreak && trailing > 0) trailing--;
    let value = '';
    if (last >= 0) {
      if (b.folded) {
        const lines: string[] = [];
        for (let i = 0; i <= last; i++) {
          lines.push(ends[i] - starts[i] > ci ? text.slice(starts[i] + ci, ends[i]) : '');
        }
        value = foldBlock(lines);
      } else {
        // The lines from the source at once, without their indentation (blank lines shorter
        // than it become empty).
        let first = starts[0];
        while (first < ends[0] && first - starts[0] < ci) first++;
        value = text.slice(first, ends[last]);
        if (this.crs !== null) value = value.replace(/\r\n/g, '\n');
        if (n > 1) value = value.replace(indentRe(ci), '\n');
      }
      if (b.chomp !== '-') value += '\n';
    }
    if (b.chomp === '+') value += '\n'.repeat(trailing);
    b.slot.container[b.slot.key as never] = value as never;
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
    this.stack = [];
    const value = this.root === undefined ? null : this.root;
    this.docs.push({ value, line: this.docLine, index: this.docs.length, broken: false });
    this.root = undefined;
    this.docOpen = false;
    this.nodes = 0;
    this.aliasing = null;
  }

  private aliases(): Aliasing {
    return (this.aliasing ??= { anchors: new Map(), allLines: new Map(), copies: new Set() });
  }

  /** A content line: `s` is its first character after the indentation, `e` its end. */
  private content(indent: number, s: number, e: number): void {
    const text = this.text;
    const dash = text.charCodeAt(s) === 45 && (s + 1 === e || text.charCodeAt(s + 1) === 32);
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
      this.stack.push(this.frame(indent, dash, obj, 1, false));
    } else if (this.pending) {
      const p = this.pending;
      const anchored = p.anchored || this.pendingAnchor;
      this.pending = null;
      this.pendingAnchor = false;
      const c = text.charCodeAt(s);
      if (
        indent > p.indent &&
        (c === 91 /* [ */ ||
          c === 123 /* { */ ||
          ((c === 34 || c === 39) /* quotes */ && this.keyEnd(s, e) < 0))
      ) {
        // A flow collection or a quoted scalar on the line after its key (as Prettier writes long ones).
        this.setCur(p.container, p.key, p.indent, p.mapKey, p.depth, anchored);
        if (!p.mapKey) this.mark(p.container, p.key, this.lineNo, p.depth, p.anchored);
        this.value(s, e);
        return;
      }
      if (indent > p.indent || (indent === p.indent && dash && p.mapKey)) {
        if (p.depth >= FAST_DEPTH_LIMIT) throw BAIL;
        const obj = dash ? [] : {};
        p.container[p.key as never] = obj as never;
        // The `yaml` package places a sequence item where its content starts.
        if (!p.mapKey) this.mark(p.container, p.key, this.lineNo, p.depth, p.anchored);
        this.stack.push(this.frame(indent, dash, obj, p.depth + 1, anchored));
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
      this.seqItem(top, indent, s, e);
    } else {
      if (dash) throw BAIL;
      this.mapEntry(top, indent, s, e);
    }
  }

  private seqItem(frame: Frame, indent: number, s: number, e: number): void {
    const text = this.text;
    const arr = frame.obj as unknown[];
    let r = s + 1;
    while (text.charCodeAt(r) === 32) r++;
    const idx = arr.length;
    if (++this.nodes > FAST_NODE_LIMIT) throw BAIL;
    frame.lines?.push(idx, this.lineNo);
    frame.all?.set(idx, this.lineNo);
    this.setCur(arr, idx, indent, false, frame.depth, frame.anchored);
    const ch = text.charCodeAt(r);
    if (r >= e || ch === 35 /* # */) {
      arr.push(null);
      this.pending = this.curSlot();
      return;
    }
    if (ch === 9 || (ch === 45 && (r + 1 === e || text.charCodeAt(r + 1) === 32))) throw BAIL;
    if (ch !== 91 /* [ */ && ch !== 123 /* { */ && ch !== 42 /* * */ && this.keyEnd(r, e) >= 0) {
      // `- &anchor key: value` anchors the key, not the map.
      if (ch === 38 /* & */ || frame.depth >= FAST_DEPTH_LIMIT) throw BAIL;
      const obj: Record<string, unknown> = {};
      arr.push(obj);
      const inner = this.frame(indent + r - s, false, obj, frame.depth + 1, frame.anchored);
      this.stack.push(inner);
      this.mapEntry(inner, inner.indent, r, e);
      return;
    }
    this.value(r, e);
  }

  /** Offset of the ':' that ends a plain or quoted key at `s`, or -1 when the line is not `key: ...`. */
  private keyEnd(s: number, e: number): number {
    const text = this.text;
    const q = text.charCodeAt(s);
    if (q === 34 || q === 39) {
      const close = text.indexOf(q === 34 ? '"' : "'", s + 1);
      if (close < 0 || close >= e) return -1;
      if (text.charCodeAt(close + 1) === 58 && (close + 2 === e || text.charCodeAt(close + 2) === 32)) {
        return close + 1;
      }
      return -1;
    }
    const stop = Math.min(this.hashes.next(s), e);
    for (let i = this.colons.next(s); i < stop; i = this.colons.next(i + 1)) {
      if (i + 1 === e || text.charCodeAt(i + 1) === 32) return i;
    }
    return -1;
  }

  private mapEntry(frame: Frame, indent: number, s: number, e: number): void {
    const text = this.text;
    const obj = frame.obj as Record<string, unknown>;
    let key: string;
    let r: number;
    const q = text.charCodeAt(s);
    if (q === 42 /* * */) {
      const m = ALIAS_KEY_RE.exec(text.slice(s, e));
      if (!m) throw BAIL;
      const a = this.aliasing?.anchors.get(m[1]);
      if (!a) throw BAIL;
      const v = a.container[a.key as never] as unknown;
      if (v === null || typeof v === 'object') throw BAIL;
      key = String(v);
      r = s + m[0].length;
    } else {
      const end = this.keyEnd(s, e);
      if (end < 0) throw BAIL;
      if (q === 34 || q === 39) {
        key = text.slice(s + 1, end - 1);
        if (key.includes('\\') || key.includes(q === 34 ? '"' : "'")) throw BAIL;
      } else {
        let ke = end;
        while (ke > s && text.charCodeAt(ke - 1) === 32) ke--;
        if (ke === s || NOT_KEY_START[q] === 1) throw BAIL;
        if (this.tabs !== null && this.tabs.next(s) < ke) throw BAIL;
        key = text.slice(s, ke);
        // The `yaml` package converts keys to values first (`1.0:` is the key "1").
        const k = scalarOf(key);
        if (typeof k !== 'string') {
          if (k === null) throw BAIL;
          key = String(k);
        }
      }
      r = end + 1;
    }
    // Duplicates are errors; inherited names (`constructor`) are left to the yaml package too.
    if (obj[key] !== undefined) throw BAIL;
    if (++this.nodes > FAST_NODE_LIMIT) throw BAIL;
    frame.lines?.push(key, this.lineNo);
    frame.all?.set(key, this.lineNo);
    this.setCur(obj, key, indent, true, frame.depth, frame.anchored);
    while (text.charCodeAt(r) === 32) r++;
    if (r >= e || text.charCodeAt(r) === 35 /* # */) {
      obj[key] = null;
      this.pending = this.curSlot();
      return;
    }
    this.value(r, e);
  }

  /** The value at `r` (not blank, not a comment) for the current key or item. */
  private value(r: number, e: number): void {
    const text = this.text;
    let c = text.charCodeAt(r);
    let anchored = this.curAnchored;
    let hadAnchor = false;
    if (c === 38 /* & */) {
      const m = ANCHOR_RE.exec(text.slice(r, e));
      if (!m) throw BAIL;
      const slot = this.curSlot();
      this.aliases().anchors.set(m[1], slot);
      r += m[0].length;
      if (r >= e || text.charCodeAt(r) === 35) {
        this.curContainer[this.curKey as never] = null as never;
        this.pending = slot;
        this.pendingAnchor = true;
        return;
      }
      c = text.charCodeAt(r);
      anchored = true;
      hadAnchor = true;
    }
    // A local tag on a scalar (`api_key: !env_var SONARR_API_KEY`, as recyclarr reads): the
    // `yaml` package does not know it and keeps the scalar's text as a string.
    let tagged = false;
    if (c === 33 /* ! */) {
      const m = TAG_RE.exec(text.slice(r, e));
      if (!m || hadAnchor) throw BAIL;
      r += m[0].length;
      c = text.charCodeAt(r);
      if (c === 35 /* # */ || c === 42 || c === 124 || c === 62 || c === 91 || c === 123) throw BAIL;
      tagged = true;
    }
    let v: unknown;
    if (c === 42 /* * */) {
      const m = ALIAS_RE.exec(text.slice(r, e));
      if (!m || hadAnchor) throw BAIL;
      // The `yaml` package converts the alias, then its target one level deeper.
      v = this.resolve(m[1], this.curDepth + 2);
    } else if (c === 124 /* | */ || c === 62 /* > */) {
      const m = BLOCK_RE.exec(text.slice(r, e));
      if (!m) throw BAIL;
      const digit = m[1] ?? m[4];
      this.block = {
        slot: this.curSlot(),
        folded: c === 62,
        chomp: (m[2] || m[3] || '') as '' | '-' | '+',
        contentIndent: digit ? this.curIndent + Number(digit) : -1,
        hasText: false,
      };
      this.blockStarts.length = 0;
      this.blockEnds.length = 0;
      this.curContainer[this.curKey as never] = null as never;
      return;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      const close = this.flowEnd(r);
      if (close <= e) {
        this.fs = text.slice(r, e);
        this.fi = 0;
        v = this.flowValue(this.curDepth + 1, anchored);
        trailer(this.fs.slice(this.fi));
      } else {
        v = this.multiLineFlow(r, close, anchored);
      }
    } else if (c === 34 /* " */) {
      const close = findDoubleQuoteEnd(text, r + 1, e);
      if (close < 0) {
        this.quoted = { slot: this.curSlot(), double: true, parts: [text.slice(r + 1, e)] };
        this.curContainer[this.curKey as never] = null as never;
        return;
      }
      trailer(text.slice(close + 1, e));
      const inner = text.slice(r + 1, close);
      v = inner.includes('\\') ? decodeDouble(inner) : inner;
    } else if (c === 39 /* ' */) {
      const close = findSingleQuoteEnd(text, r + 1, e);
      if (close < 0) {
        this.quoted = { slot: this.curSlot(), double: false, parts: [text.slice(r + 1, e)] };
        this.curContainer[this.curKey as never] = null as never;
        return;
      }
      trailer(text.slice(close + 1, e));
      const inner = text.slice(r + 1, close);
      v = inner.includes("'") ? inner.replace(/''/g, "'") : inner;
    } else if (NOT_VALUE_START[c] === 1 || (c === 45 && (r + 1 === e || text.charCodeAt(r + 1) === 32))) {
      throw BAIL;
    } else if (
      (c === 58 /* : */ || c === 63) /* ? */ &&
      (r + 1 === e || text.charCodeAt(r + 1) === 32 || text.charCodeAt(r + 1) === 9)
    ) {
      // `:4244` is a plain scalar, `: x` or `? x` is not.
      throw BAIL;
    } else {
      const hash = this.hashes.next(r);
      const comment = hash < e;
      let pe = comment ? hash : e;
      while (text.charCodeAt(pe - 1) === 32) pe--;
      if (text.charCodeAt(pe - 1) === 58) throw BAIL;
      for (let k = this.colons.next(r); k < pe; k = this.colons.next(k + 1)) {
        if (text.charCodeAt(k + 1) === 32) throw BAIL;
      }
      if (this.tabs !== null && this.tabs.next(r) < pe) throw BAIL;
      v = tagged ? text.slice(r, pe) : scalarOf(text.slice(r, pe));
      if (!comment) {
        this.plainOn = true;
        this.plainMulti = false;
        this.plainContainer = this.curContainer;
        this.plainKey = this.curKey;
        this.plainIndent = this.curIndent;
        this.plainStart = r;
        this.plainEnd = pe;
      }
    }
    this.curContainer[this.curKey as never] = v as never;
  }

  /** The value of `*name`: a copy of the anchored value, as the slow path makes. */
  private resolve(name: string, depth: number): unknown {
    const a = this.aliasing?.anchors.get(name);
    if (!a) throw BAIL;
    const v = a.container[a.key as never] as unknown;
    this.nodes += 2;
    if (v === null || typeof v !== 'object') return v;
    // An alias inside its own anchor: a cycle.
    for (const f of this.stack) if (f.obj === v) throw BAIL;
    const copy = this.copy(v as Container, depth);
    this.aliases().copies.add(copy);
    return copy;
  }

  private copy(v: Container, depth: number): Container {
    if (++this.nodes > FAST_NODE_LIMIT || depth > FAST_DEPTH_LIMIT) throw BAIL;
    const { allLines, copies } = this.aliases();
    const lines = allLines.get(v);
    const one = (child: unknown): unknown => {
      if (child === null || typeof child !== 'object') {
        this.nodes++;
        return child;
      }
      const made = copies.has(child);
      const c = this.copy(child as Container, depth + (made ? 2 : 1));
      if (made) copies.add(c);
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

  /** Offset just after the bracket that closes the flow collection opening at `r`. */
  private flowEnd(r: number): number {
    const text = this.text;
    let depth = 0;
    for (let i = r; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 91 || ch === 123) depth++;
      else if (ch === 93 || ch === 125) {
        if (--depth === 0) return i + 1;
      } else if (ch === 34 || ch === 39) {
        // A quote inside a plain scalar makes flowValue give up anyway.
        i = ch === 34 ? findDoubleQuoteEnd(text, i + 1) : findSingleQuoteEnd(text, i + 1);
        if (i < 0) throw BAIL;
      }
    }
    throw BAIL;
  }

  /**
   * A flow collection over several lines, from `r` to `close`: its lines, indented more than its
   * key or dash, joined by one space (what folding makes of a line break inside a scalar, and
   * white space between items). Blank lines, comments, escapes and tabs are left to the `yaml`
   * package.
   */
  private multiLineFlow(r: number, close: number, anchored: boolean): unknown {
    const text = this.text;
    const span = text.slice(r, close);
    if (this.crs !== null || /[#\\\t]/.test(span)) throw BAIL;
    const parts = span.split('\n');
    const starts: number[] = [];
    let joined = '';
    for (let k = 0; k < parts.length; k++) {
      let part = parts[k];
      if (k > 0) {
        let indent = 0;
        while (part.charCodeAt(indent) === 32) indent++;
        if (indent === part.length || indent <= this.curIndent) throw BAIL;
        part = part.slice(indent);
        joined += ' ';
      }
      starts.push(joined.length);
      joined += k < parts.length - 1 ? trimSpacesEnd(part) : part;
    }
    let lineEnd = text.indexOf('\n', close);
    if (lineEnd < 0) lineEnd = text.length;
    trailer(text.slice(close, lineEnd));
    this.fs = joined;
    this.fi = 0;
    this.flowStarts = starts;
    const v = this.flowValue(this.curDepth + 1, anchored);
    this.flowStarts = null;
    if (this.fi !== joined.length) throw BAIL;
    this.resumeAt = lineEnd + 1;
    this.resumeLine = this.lineNo + parts.length - 1;
    return v;
  }

  /** Line of the flow collection's text at `fi`. */
  private flowLine(fi: number): number {
    const starts = this.flowStarts;
    if (starts === null) return this.lineNo;
    let k = 0;
    while (k + 1 < starts.length && starts[k + 1] <= fi) k++;
    return this.lineNo + k;
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
          this.flowWs();
          const at = this.fi;
          arr.push(this.flowValue(depth + 1, anchored));
          this.mark(arr, idx, this.flowLine(at), depth, anchored);
        } else {
          const obj = out as Record<string, unknown>;
          this.flowWs();
          const at = this.fi;
          const k = this.flowValue(depth + 1, anchored);
          if (typeof k !== 'string' || k === '__proto__' || hasOwn.call(obj, k)) throw BAIL;
          this.flowWs();
          if (s[this.fi] !== ':') throw BAIL;
          this.fi++;
          obj[k] = this.flowValue(depth + 1, anchored);
          this.mark(obj, k, this.flowLine(at), depth, anchored);
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
function findDoubleQuoteEnd(s: string, from: number, end = s.length): number {
  for (let i = from; i < end; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 92 /* \ */) i++;
    else if (ch === 34 /* " */) return i;
  }
  return -1;
}

/** Index of the closing single quote at or after `from` (`''` is an escaped quote), or -1. */
function findSingleQuoteEnd(s: string, from: number, end = s.length): number {
  for (let i = s.indexOf("'", from); i >= 0 && i < end; i = s.indexOf("'", i + 2)) {
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

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) !== 32) return false;
  return true;
}

const SPACES: string[] = [];

function spaces(n: number): string {
  return (SPACES[n] ??= ' '.repeat(n));
}

const INDENT_RES: RegExp[] = [];

/** A line break and up to `n` spaces of indentation. */
function indentRe(n: number): RegExp {
  return (INDENT_RES[n] ??= new RegExp(`\\n {0,${n}}`, 'g'));
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
  const { parseAllDocuments, isAlias, isMap, isScalar, isSeq, isPair } = yamlLib();
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
