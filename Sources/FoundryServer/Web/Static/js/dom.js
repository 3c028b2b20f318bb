// Small DOM helpers shared by every view. No inline styles anywhere: the
// page's Content-Security-Policy refuses them, so looks are classes in app.css.

/**
 * Creates an element. `attrs`: `class`, `dataset`, `on<event>` handlers,
 * boolean attributes as `true`, anything else as an attribute; `null`,
 * `undefined` and `false` leave an attribute out. Children are nodes,
 * strings or (nested) arrays of them.
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key === 'value') element.value = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/** Appends nodes, strings and nested arrays of them. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

/**
 * Replaces an element's children. A control inside that had the focus and
 * carries `data-focus-key` gets it back in the new children, with its text,
 * so a list redrawn by someone else's change does not take a half-typed
 * reply away.
 */
export function replace(parent, ...children) {
  const active = document.activeElement;
  const key = parent.contains(active) ? active.dataset?.focusKey : undefined;
  const typed = key && 'value' in active ? { value: active.value, start: active.selectionStart, end: active.selectionEnd } : null;
  parent.replaceChildren();
  append(parent, children);
  if (key) {
    const again = parent.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    if (again) {
      if (typed && again.type === 'text') { again.value = typed.value; again.setSelectionRange(typed.start, typed.end); }
      again.focus();
    }
  }
  return parent;
}

/**
 * Resolves once the deferred scripts (CodeMirror, xterm.js) have run: the
 * page's module runs before them so that signing in and the first requests
 * overlap with their parsing. (The document is already `interactive` then,
 * so the libraries themselves say whether they are there.)
 */
export const pageReady = window.CodeMirror && window.Terminal
  ? Promise.resolve()
  : new Promise((resolve) => {
    document.addEventListener('DOMContentLoaded', resolve, { once: true });
    window.addEventListener('load', resolve, { once: true });
  });

/** `v0.1.N`, the label people see for version N. */
export const versionLabel = (version) => `v0.1.${version}`;

/** A time of today as `10:32:05`, another day's as `2026-11-25 10:32`. */
export function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n) => String(n).padStart(2, '0');
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  if (date.toDateString() === new Date().toDateString()) return clock;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${clock.slice(0, 5)}`;
}

/** A `<time>` element showing `when(iso)` with the exact instant on hover. */
export const timeElement = (iso) => h('time', { datetime: iso, title: iso }, when(iso));

/** Initials for an avatar: "Alice Smith" → "AS", "alice" → "AL". */
export function initials(name) {
  const words = String(name).split(/[\s._@-]+/).filter(Boolean);
  if (words.length >= 2) return (words[0][0] + words[1][0]).toUpperCase();
  return String(name).slice(0, 2).toUpperCase();
}

/** A stable colour class (c0…c5) for a user. */
export function colourClass(user) {
  let hash = 0;
  for (const char of String(user)) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return `c${hash % 6}`;
}

/** Shows a short message in the corner for a few seconds (read by screen readers). */
export function toast(message, kind = '') {
  const host = document.getElementById('toasts');
  const item = h('div', { class: `toast ${kind}` }, message);
  host.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 9000 : 4000);
}

/**
 * A modal dialog (the native `<dialog>`: focus stays inside, Escape closes).
 * Resolves with the value of the button pressed, or `null` when dismissed.
 * A button with an `action` runs it first: the dialog closes only when it
 * resolves true (it may show why not inside the dialog and stay open).
 */
export function ask({ title, body, buttons, focus = 0 }) {
  return new Promise((resolve) => {
    const dialog = h('dialog', { 'aria-labelledby': 'dialog-title' });
    const done = (value) => { dialog.close(); dialog.remove(); resolve(value); };
    const press = async (button, element) => {
      if (!button.action) { done(button.value ?? true); return; }
      element.disabled = true;
      try {
        if (await button.action()) done(button.value ?? true);
      } finally {
        element.disabled = false;
      }
    };
    const row = h('div', { class: 'dialog-buttons' }, buttons.map((button) => {
      const element = h('button', { type: 'button', class: button.class ?? '', onclick: () => press(button, element) }, button.label);
      return element;
    }));
    append(dialog, [h('h2', { id: 'dialog-title' }, title), body]);
    dialog.append(row);
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); done(null); });
    document.body.append(dialog);
    dialog.showModal();
    row.children[focus]?.focus();
  });
}

/** Byte length of text in UTF-8 (console offsets count bytes). */
const encoder = new TextEncoder();
export const utf8Length = (text) => encoder.encode(text).length;
