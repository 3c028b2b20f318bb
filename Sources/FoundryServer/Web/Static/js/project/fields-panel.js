// The Fields tab: every field of the head version in its own editor, an
// index to jump between them, and (for editors) a form to add a field.

import { h, replace } from '../dom.js';
import { FieldEditor } from './field-editor.js';

/** The scratchpad is a field too, but it lives in the Review tab. */
export const SCRATCHPAD = 'scratchpad';

/** Fields people look for first, then the rest by name. */
const FIRST = ['system_prompt', 'model_config.json', 'model_config.yaml', 'topology.yaml', 'topology.json'];
const order = (a, b) => {
  const rank = (name) => (FIRST.includes(name) ? FIRST.indexOf(name) : FIRST.length);
  return rank(a) - rank(b) || a.localeCompare(b);
};

export class FieldsPanel {
  constructor(ctx) {
    this.ctx = ctx;
    /** name → FieldEditor */
    this.editors = new Map();
    // An editor is laid out when it comes near the window, not all of them when the page opens.
    this.nearby = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        this.nearby.unobserve(entry.target);
        const editor = this.editors.get(entry.target.dataset.field);
        if (editor && !editor.measured) editor.refresh();
      }
    }, { rootMargin: '400px 0px' });
    this.index = h('nav', { class: 'field-index', 'aria-label': 'Fields' });
    this.list = h('div', { class: 'field-list' });
    this.addName = h('input', { type: 'text', placeholder: 'e.g. tests/extra.jsonl', 'aria-label': 'Name of the new field', pattern: '[A-Za-z0-9._/-]+' });
    this.addNotice = h('div', { class: 'notice', role: 'alert' });
    this.addForm = h('form', { class: 'form-row', onsubmit: (event) => { event.preventDefault(); this.addField(); } },
      h('label', {}, 'New field', this.addName), h('button', { type: 'submit' }, 'Add field'));
    this.element = h('div', { class: 'panel' },
      h('div', { class: 'fields-layout' },
        this.index,
        h('div', { class: 'field-list-wrap' }, this.list, h('div', { class: 'card add-field' }, this.addForm, this.addNotice))));
  }

  /** Builds the editors for a version's fields `{name: {text, entry}}`. */
  show(fields, version) {
    for (const editor of this.editors.values()) editor.element.remove();
    this.editors.clear();
    for (const name of Object.keys(fields).filter((n) => n !== SCRATCHPAD).sort(order)) {
      this.editors.set(name, new FieldEditor(this.ctx, { name, version, ...fields[name] }));
    }
    this.layout();
  }

  layout() {
    const names = [...this.editors.keys()].sort(order);
    replace(this.list, names.map((name) => this.editors.get(name).element));
    if (names.length === 0) this.list.append(h('p', { class: 'muted' }, 'This version has no fields yet. Add one below.'));
    // Editors made out of the page are laid out once they are in it and near the window.
    for (const editor of this.editors.values()) if (!editor.measured) this.nearby.observe(editor.element);
    this.renderIndex();
    this.render();
  }

  renderIndex() {
    replace(this.index, h('h2', { class: 'visually-hidden' }, 'Fields'), [...this.editors.values()].map((editor) =>
      h('a', { href: `#${editor.element.id}`, class: editor.lockState === 'other' ? 'locked' : '', onclick: (event) => {
        event.preventDefault();
        editor.element.scrollIntoView({ block: 'start' });
        editor.cm.focus();
      } }, editor.name)));
  }

  /** Adds an empty editor for a new field: it exists once saved. */
  addField() {
    const name = this.addName.value.trim();
    const valid = /^(?!.*(^|\/)\.)[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+){0,7}$/.test(name) && name.length <= 200 && name !== SCRATCHPAD;
    if (!valid) {
      this.addNotice.className = 'notice error';
      this.addNotice.textContent = 'A field name is 1–8 parts separated by "/", each of A–Z a–z 0–9 . _ - and not starting with "." (the scratchpad lives under Review).';
      return;
    }
    if (!this.editors.has(name)) {
      this.editors.set(name, new FieldEditor(this.ctx, { name, text: '', version: this.ctx.model.headVersion, entry: null }));
      this.layout();
    }
    this.addName.value = '';
    this.addNotice.className = 'notice';
    this.addNotice.textContent = '';
    const editor = this.editors.get(name);
    editor.element.scrollIntoView({ block: 'start' });
    editor.cm.focus();
  }

  editor(name) { return this.editors.get(name); }

  /** An editor for a field that appeared in a version (added by someone). */
  ensure(name, field) {
    if (this.editors.has(name)) return;
    this.editors.set(name, new FieldEditor(this.ctx, { name, ...field }));
    this.layout();
  }

  /** A field removed in a version disappears (unless this tab is editing it). */
  remove(name) {
    const editor = this.editors.get(name);
    if (!editor || editor.mine) return;
    this.editors.delete(name);
    this.layout();
  }

  render() {
    for (const editor of this.editors.values()) editor.render();
    this.addForm.parentElement.classList.toggle('hidden', !this.ctx.model.can('edit'));
    this.renderIndex();
  }

  /** The tab is back in the page: each editor is laid out again as it comes near the window. */
  shown() {
    for (const editor of this.editors.values()) {
      editor.measured = false;
      this.nearby.observe(editor.element);
    }
  }
}
