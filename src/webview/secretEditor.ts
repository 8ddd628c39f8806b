/**
 * The editor of "SOPS: Edit Decrypted", run inside the custom editor's webview (a browser, not
 * the extension host): CodeMirror 6 with YAML/JSON colouring, undo, search and the extension's
 * parse errors as diagnostics. The plaintext lives only in this page's memory and in the
 * extension host's: it is never given to `setState` (VS Code stores that state in its backups
 * and its workspace storage), and every edit goes to the extension, which alone saves.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { json } from '@codemirror/lang-json';
import { yaml } from '@codemirror/lang-yaml';
import {
  bracketMatching,
  foldGutter,
  foldKeymap,
  HighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from '@codemirror/language';
import { lintGutter, lintKeymap, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search';
import { Annotation, EditorState, type Extension } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { tags } from '@lezer/highlight';

/** Messages from the extension host (see src/platform/secretEditor.ts). */
type HostMessage =
  | { type: 'init'; text: string; format: 'yaml' | 'json' | 'dotenv'; name: string }
  | { type: 'reset'; text: string }
  | { type: 'replace'; text: string }
  | { type: 'diagnostics'; items: Problem[] }
  | { type: 'flush'; id: number };

interface Problem {
  line: number;
  column: number;
  message: string;
  severity: 'error' | 'warning';
}

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };
const host = acquireVsCodeApi();

/** Marks a document swap made for the host (open, revert): not an edit of the user. */
const fromHost = Annotation.define<boolean>();

/** Token colours from the VS Code theme's own variables, so the editor follows light and dark themes. */
const highlight = HighlightStyle.define([
  {
    tag: [tags.propertyName, tags.definition(tags.propertyName)],
    color: 'var(--vscode-debugTokenExpression-name)',
  },
  {
    tag: [tags.string, tags.special(tags.string), tags.content],
    color: 'var(--vscode-debugTokenExpression-string)',
  },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--vscode-debugTokenExpression-number)' },
  { tag: [tags.keyword, tags.typeName, tags.labelName], color: 'var(--vscode-debugTokenExpression-boolean)' },
  { tag: [tags.comment, tags.meta], color: 'var(--vscode-descriptionForeground)', fontStyle: 'italic' },
  { tag: [tags.punctuation, tags.separator], color: 'var(--vscode-editor-foreground)' },
]);

const theme = EditorView.theme({
  '&': {
    height: '100%',
    color: 'var(--vscode-editor-foreground)',
    backgroundColor: 'var(--vscode-editor-background)',
    fontSize: 'var(--vscode-editor-font-size)',
  },
  '.cm-scroller': { fontFamily: 'var(--vscode-editor-font-family)', lineHeight: '1.5' },
  '.cm-content': { caretColor: 'var(--vscode-editorCursor-foreground)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--vscode-editorCursor-foreground)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'var(--vscode-editor-selectionBackground)',
  },
  '.cm-activeLine': { backgroundColor: 'var(--vscode-editor-lineHighlightBackground, transparent)' },
  '.cm-gutters': {
    backgroundColor: 'var(--vscode-editorGutter-background, var(--vscode-editor-background))',
    color: 'var(--vscode-editorLineNumber-foreground)',
    border: 'none',
  },
  '.cm-activeLineGutter': {
    backgroundColor: 'transparent',
    color: 'var(--vscode-editorLineNumber-activeForeground)',
  },
  '.cm-searchMatch': { backgroundColor: 'var(--vscode-editor-findMatchHighlightBackground)' },
  '.cm-searchMatch-selected': { backgroundColor: 'var(--vscode-editor-findMatchBackground)' },
  '.cm-selectionMatch': { backgroundColor: 'var(--vscode-editor-selectionHighlightBackground)' },
  '.cm-panels': {
    backgroundColor: 'var(--vscode-editorWidget-background)',
    color: 'var(--vscode-editorWidget-foreground)',
  },
  '.cm-panels input, .cm-panels button': {
    color: 'var(--vscode-input-foreground)',
    backgroundColor: 'var(--vscode-input-background)',
    border: '1px solid var(--vscode-input-border, transparent)',
  },
  '.cm-tooltip': {
    backgroundColor: 'var(--vscode-editorHoverWidget-background)',
    color: 'var(--vscode-editorHoverWidget-foreground)',
    border: '1px solid var(--vscode-editorHoverWidget-border)',
  },
});

function languageFor(format: string): Extension {
  if (format === 'json') return json();
  if (format === 'yaml') return yaml();
  return [];
}

const nonce = document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce ?? '';
let view: EditorView | undefined;

function create(text: string, format: string): EditorView {
  const state = EditorState.create({
    doc: text,
    extensions: [
      EditorView.cspNonce.of(nonce),
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      foldGutter(),
      drawSelection(),
      indentOnInput(),
      bracketMatching(),
      highlightActiveLine(),
      highlightSelectionMatches(),
      search({ top: true }),
      lintGutter(),
      syntaxHighlighting(highlight),
      theme,
      languageFor(format),
      EditorState.tabSize.of(2),
      keymap.of([
        ...defaultKeymap,
        ...historyKeymap,
        ...searchKeymap,
        ...foldKeymap,
        ...lintKeymap,
        indentWithTab,
      ]),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged || update.transactions.some((t) => t.annotation(fromHost))) return;
        // The whole text: secrets are small, and the host then never depends on replaying changes.
        host.postMessage({ type: 'edit', text: update.state.doc.toString() });
      }),
    ],
  });
  return new EditorView({ state, parent: document.getElementById('editor') ?? document.body });
}

/** Says, above the text, what this editor is: the tab shows only the file name (VS Code names custom editor tabs after the resource). */
function showBanner(name: string): void {
  const banner = document.getElementById('banner');
  if (banner) {
    banner.textContent = `Decrypted ${name}, held in memory only. Save re-encrypts it; nothing plaintext is written to disk.`;
  }
}

function replaceAll(target: EditorView, text: string, annotate: boolean): void {
  target.dispatch({
    changes: { from: 0, to: target.state.doc.length, insert: text },
    annotations: annotate ? fromHost.of(true) : undefined,
    userEvent: annotate ? undefined : 'input',
  });
}

function toDiagnostics(target: EditorView, items: Problem[]): Diagnostic[] {
  const doc = target.state.doc;
  return items.map((item) => {
    const line = doc.line(Math.min(Math.max(item.line, 1), doc.lines));
    const from = Math.min(line.from + Math.max(item.column - 1, 0), line.to);
    return {
      from,
      to: Math.max(from, line.to),
      severity: item.severity,
      message: item.message,
      source: 'Flux GitOps',
    };
  });
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      showBanner(message.name);
      view?.destroy();
      view = create(message.text, message.format);
      view.focus();
      break;
    case 'reset':
      if (view) replaceAll(view, message.text, true);
      break;
    case 'replace':
      if (view) replaceAll(view, message.text, false);
      break;
    case 'diagnostics':
      if (view) view.dispatch(setDiagnostics(view.state, toDiagnostics(view, message.items)));
      break;
    case 'flush':
      // Every edit was posted before this reply: the host has the latest text once it reads it.
      host.postMessage({ type: 'flushed', id: message.id });
      break;
  }
});

host.postMessage({ type: 'ready' });
