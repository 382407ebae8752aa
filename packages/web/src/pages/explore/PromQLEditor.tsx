/**
 * The PromQL editor: CodeMirror 6 with @prometheus-io/codemirror-promql (highlighting, completion
 * of metric names, labels and values from our API, and its client-side linter), Shift+Enter or
 * Ctrl/⌘+Enter to run, and the server's error shown as a lint diagnostic at its position.
 */
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { forceLinting, linter, lintKeymap, type Diagnostic } from '@codemirror/lint';
import { EditorState, Prec, StateEffect, StateField } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { csrfToken } from '../../api';

/** A diagnostic the server reported for the current text (cleared when the text changes). */
export interface ServerDiagnostic {
  from: number;
  to: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

const setServerDiagnostics = StateEffect.define<ServerDiagnostic[]>();

const serverDiagnostics = StateField.define<ServerDiagnostic[]>({
  create: () => [],
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setServerDiagnostics)) return e.value;
    return tr.docChanged ? [] : value;
  },
});

const serverLinter = linter(
  (view): Diagnostic[] => {
    const len = view.state.doc.length;
    return view.state.field(serverDiagnostics).map((d) => ({
      from: Math.min(d.from, len),
      to: Math.min(Math.max(d.to, d.from), len),
      severity: d.severity,
      message: d.message,
      source: 'server',
    }));
  },
  {
    delay: 300,
    // New server diagnostics re-run the linters (forceLinting alone only hurries a pending run).
    needsRefresh: (update) => update.transactions.some((tr) => tr.effects.some((e) => e.is(setServerDiagnostics))),
  },
);

/**
 * Requests of the completion client: same origin, with the session cookie, and the CSRF header on
 * POST (the client asks for labels and series by POST).
 */
const completionFetch = (input: RequestInfo, init?: RequestInit): Promise<Response> => {
  const headers = new Headers(init?.headers);
  const method = (init?.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = csrfToken();
    if (csrf) headers.set('x-csrf-token', csrf);
  }
  return fetch(input, { ...init, headers, credentials: 'same-origin' });
};

const promqlHighlight = HighlightStyle.define([
  { tag: tags.keyword, color: '#7a3e9d' },
  { tag: tags.operatorKeyword, color: '#7a3e9d', fontWeight: '600' },
  { tag: tags.modifier, color: '#7a3e9d' },
  { tag: tags.function(tags.variableName), color: '#0b6bcb' },
  { tag: tags.labelName, color: '#b35c00' },
  { tag: tags.string, color: '#1c7c3a' },
  { tag: tags.number, color: '#0a7f86' },
  { tag: tags.comment, color: '#7b8794', fontStyle: 'italic' },
  { tag: [tags.operator, tags.arithmeticOperator, tags.logicOperator, tags.compareOperator], color: '#a3324a' },
  { tag: tags.invalid, color: '#d33a3a' },
]);

const theme = EditorView.theme({
  '&': {
    fontSize: '14px',
    border: '1px solid var(--wk-border)',
    borderRadius: '4px',
    background: '#fff',
  },
  '&.cm-focused': { outline: '2px solid rgba(11, 107, 203, 0.35)', outlineOffset: '-1px' },
  '.cm-content': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', padding: '6px 0' },
  '.cm-line': { padding: '0 8px' },
  '.cm-scroller': { minHeight: '2.4em', maxHeight: '14em', overflow: 'auto' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace' },
  '.cm-completionDetail': { color: 'var(--wk-muted)', fontStyle: 'normal', marginLeft: '0.5em' },
  '.cm-tooltip-autocomplete ul li[aria-selected] .cm-completionDetail': { color: 'inherit' },
  '.cm-completionInfo': { maxWidth: 'min(400px, 80vw)', whiteSpace: 'pre-wrap' },
});

export interface PromQLEditorProps {
  value: string;
  onChange: (value: string) => void;
  onRun: () => void;
  /** Diagnostics from the last run of this text. */
  diagnostics: ServerDiagnostic[];
  /** Moves the cursor here and focuses the editor when it changes. */
  focusAt?: { offset: number; nonce: number };
}

export function PromQLEditor({ value, onChange, onRun, diagnostics, focusAt }: PromQLEditorProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  // The editor is created once, with the text it starts with; later `value`s arrive through the
  // effect below. Its listeners call the latest onChange and onRun.
  const [initialValue] = useState(value);
  const changed = useEffectEvent((text: string) => onChange(text));
  const runRequested = useEffectEvent(() => onRun());

  useEffect(() => {
    const promql = new PromQLExtension().setComplete({
      remote: {
        url: '',
        fetchFn: completionFetch,
        // Label values and series of the last 12 hours are what people mean; all time is slow.
        lookbackInterval: 12 * 60 * 60 * 1000,
        cache: { maxAge: 5 * 60 * 1000 },
        httpErrorHandler: () => {
          // Completion is best effort; the query itself reports errors.
        },
      },
      maxMetricsMetadata: 10_000,
    });
    const run = (): boolean => {
      runRequested();
      return true;
    };
    const view = new EditorView({
      parent: hostRef.current!,
      state: EditorState.create({
        doc: initialValue,
        extensions: [
          Prec.highest(
            keymap.of([
              { key: 'Shift-Enter', run },
              { key: 'Mod-Enter', run },
            ]),
          ),
          history(),
          closeBrackets(),
          bracketMatching(),
          autocompletion({ icons: false }),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
          promql.asExtension(),
          syntaxHighlighting(promqlHighlight),
          serverDiagnostics,
          serverLinter,
          placeholder('Expression (Shift+Enter or Ctrl+Enter to run), e.g. sum by (job) (up)'),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ 'aria-label': 'PromQL expression' }),
          theme,
          EditorView.updateListener.of((u) => {
            if (u.docChanged) changed(u.state.doc.toString());
          }),
        ],
      }),
    });
    viewRef.current = view;
    return () => {
      view.destroy();
      promql.destroy();
      viewRef.current = null;
    };
  }, [initialValue]);

  // Text set from outside (history, the URL): replace the document when it differs.
  useEffect(() => {
    const view = viewRef.current;
    if (!view) return;
    const current = view.state.doc.toString();
    if (current !== value) view.dispatch({ changes: { from: 0, to: current.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const view = viewRef.current;
    if (!view) return;
    view.dispatch({ effects: setServerDiagnostics.of(diagnostics) });
    forceLinting(view);
  }, [diagnostics]);

  useEffect(() => {
    const view = viewRef.current;
    if (!view || !focusAt) return;
    const pos = Math.min(focusAt.offset, view.state.doc.length);
    view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
    view.focus();
  }, [focusAt]);

  return <div className="wk-explore-editor" ref={hostRef} />;
}
