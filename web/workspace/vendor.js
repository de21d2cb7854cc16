// What the workspace pages (demo/shop/editor.html) take from npm, bundled by web/build.mjs into
// dist/workspace-vendor.js: CodeMirror 6 for the JSON tab, jsdiff for the publish diff. Not part
// of the widget or the npm package's entry points.
export { EditorState } from '@codemirror/state';
export { EditorView, keymap, lineNumbers, highlightActiveLine } from '@codemirror/view';
export { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
export { syntaxTree, syntaxHighlighting, defaultHighlightStyle, bracketMatching } from '@codemirror/language';
export { json } from '@codemirror/lang-json';
export { linter, lintGutter, forceLinting } from '@codemirror/lint';
export { diffLines } from 'diff';
