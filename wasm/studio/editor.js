// What the rule studio takes from npm, bundled by esbuild (wasm/build.sh) — no CDN: the code
// editor (CodeMirror 6 with YAML highlighting and lint markers, `createEditor`) and the zip
// writer for the hand-over (fflate, `zipFolder`).
import { EditorView, basicSetup } from 'codemirror';
import { EditorState } from '@codemirror/state';
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter, setDiagnostics } from '@codemirror/lint';
import { hoverTooltip } from '@codemirror/view';
import { zipSync, unzipSync, strToU8, strFromU8 } from 'fflate';

/** The text files of a zip (`{ path: text }`), the folder it was made of taken off the paths. */
export function unzipFolder(bytes) {
  const entries = Object.entries(unzipSync(bytes)).filter(([path]) => !path.endsWith('/'));
  const top = entries.length && entries.every(([path]) => path.includes('/') && path.split('/')[0] === entries[0][0].split('/')[0]);
  return Object.fromEntries(entries.map(([path, data]) => [top ? path.split('/').slice(1).join('/') : path, strFromU8(data)]));
}

/** A zip of `files` (`{ path: text }`) under the folder `folder`, as bytes. */
export function zipFolder(folder, files) {
  const entries = {};
  for (const [path, text] of Object.entries(files)) entries[`${folder}/${path}`] = strToU8(text);
  return zipSync(entries, { level: 6 });
}

/**
 * An editor in `parent` showing `text`; `onChange(text)` after each edit; `hover(word)` gives
 * the text to show over an id (or null).
 */
export function createEditor(parent, text, { onChange, hover }) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        basicSetup,
        yaml(),
        lintGutter(),
        linter(null),
        EditorView.updateListener.of((update) => { if (update.docChanged) onChange(update.state.doc.toString()); }),
        hoverTooltip((view, pos) => {
          const line = view.state.doc.lineAt(pos);
          const at = pos - line.from;
          const match = [...line.text.matchAll(/[a-z][a-z0-9_]*/g)].find((m) => m.index <= at && at <= m.index + m[0].length);
          const said = match && hover(match[0]);
          if (!said) return null;
          return {
            pos: line.from + match.index,
            end: line.from + match.index + match[0].length,
            create: () => { const dom = document.createElement('div'); dom.className = 'hover'; dom.textContent = said; return { dom }; },
          };
        }),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(next) { view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next } }); },
    /** Marks problems: `[{ line, message, severity }]` (lines from 1). */
    mark(problems) {
      const doc = view.state.doc;
      const diagnostics = problems.filter((p) => p.line >= 1 && p.line <= doc.lines).map((p) => {
        const line = doc.line(p.line);
        return { from: line.from, to: line.to, severity: p.severity, message: p.message };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    goTo(lineNumber) {
      const line = view.state.doc.line(Math.max(1, Math.min(lineNumber, view.state.doc.lines)));
      view.dispatch({ selection: { anchor: line.from }, scrollIntoView: true });
      view.focus();
    },
  };
}
