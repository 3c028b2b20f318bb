// One field in a CodeMirror editor, under the lock protocol of Story A:
// focusing it asks for its lock over the socket; it becomes editable only
// when this tab's session holds the lock; while another session holds it,
// it is grey and read-only with "Being edited by <name>" and the lease end.
// Save (with an optional message) and Cancel release the lock.

import { h, replace, versionLabel, when } from '../dom.js';
import { explain, explainDenied } from '../explain.js';
import { fieldPath, projectPath } from '../api.js';

/** The tallest an editor grows before it scrolls, in pixels (about 22 lines). */
const MAX_EDITOR_HEIGHT = 340;

/** CodeMirror's mode for a field format. */
const MODES = { json: { name: 'javascript', json: true }, jsonl: { name: 'javascript', json: true }, yaml: 'yaml', text: null };

/** The format the server gives a field name (README › Field). */
export function formatOf(name) {
  if (/\.jsonl$/i.test(name)) return 'jsonl';
  if (/\.json$/i.test(name)) return 'json';
  if (/\.ya?ml$/i.test(name)) return 'yaml';
  return 'text';
}

export class FieldEditor {
  /**
   * @param ctx the project page: `model`, `api`, `socket`, and `compose(anchor)`,
   *   `openThread(id)`, `compare(field, from, to)` for the review and history views
   * @param field `{name, text, version, entry}`; `entry` is the version's record of the field
   *   (format, valid, problem) or null for a field not saved yet
   * @param saveVia `drafts` (any field) or `scratchpad` (PUT …/scratchpad)
   */
  constructor(ctx, { name, text, version, entry }, { saveVia = 'drafts', label = name } = {}) {
    this.ctx = ctx;
    this.name = name;
    this.saveVia = saveVia;
    this.base = { text, version };
    this.entry = entry;
    this.requested = false;
    this.latest = null;
    this.commentMarks = [];
    this.problemLine = null;
    const id = `field-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    this.badge = h('span', { class: 'lock-badge', role: 'status' });
    this.validity = h('span', { class: 'tag' });
    this.message = h('input', { type: 'text', placeholder: 'What changed (optional)', 'aria-label': `Save message for ${name}` });
    this.saveButton = h('button', { type: 'button', class: 'primary', onclick: () => this.save() }, 'Save');
    this.cancelButton = h('button', { type: 'button', onclick: () => this.cancel() }, 'Cancel');
    this.undoButton = h('button', { type: 'button', onclick: () => this.history('undo'), title: `Undo the latest edit of ${name} (a new version)` }, 'Undo');
    this.redoButton = h('button', { type: 'button', onclick: () => this.history('redo'), title: `Redo the edit of ${name} most recently undone (a new version)` }, 'Redo');
    this.commentButton = h('button', { type: 'button', onclick: () => this.commentOnSelection() }, 'Comment on selection');
    this.notice = h('div', { class: 'notice', role: 'alert' });
    this.host = h('div', { class: 'editor-host' });
    this.element = h('section', { class: 'field-card', id, dataset: { field: name }, 'aria-labelledby': `${id}-title` },
      h('header', {}, h('h3', { id: `${id}-title` }, label), h('span', { class: 'tag' }, formatOf(name)), this.validity, this.badge),
      this.host,
      this.notice,
      h('div', { class: 'toolbar' }, this.saveButton, this.message, this.cancelButton, this.undoButton, this.redoButton, this.commentButton),
    );
    this.cm = window.CodeMirror(this.host, {
      value: text,
      mode: MODES[formatOf(name)],
      lineNumbers: true,
      lineWrapping: formatOf(name) === 'text',
      readOnly: true,
      styleActiveLine: true,
      matchBrackets: true,
      gutters: ['CodeMirror-linenumbers', 'comments'],
      screenReaderLabel: `${name} editor`,
      viewportMargin: 10,
      extraKeys: {
        // Tab and Shift-Tab move the focus (no keyboard trap); Ctrl-] / Ctrl-[ indent.
        Tab: false,
        'Shift-Tab': false,
        'Ctrl-S': () => this.save(),
        'Cmd-S': () => this.save(),
      },
    });
    // Focus asks for the lock; so do a click, or a key that would type, in a field that kept
    // the focus while someone else held it (moving around to read locks nothing).
    this.cm.on('focus', () => this.wantLock());
    this.cm.on('mousedown', () => { if (this.cm.hasFocus()) this.wantLock(); });
    this.cm.on('keydown', (_, event) => { if (!this.lock && typesText(event)) this.wantLock(); });
    this.cm.on('changes', () => { this.fitHeight(); this.render(); });
    this.fitHeight();
    this.showProblem();
    this.render();
  }

  /**
   * As tall as the text (at least three lines), at most MAX_EDITOR_HEIGHT:
   * set before the editor is laid out too, so the page does not jump when it is.
   */
  fitHeight() {
    const measured = this.element.isConnected ? this.cm.defaultTextHeight() : 0;
    const lineHeight = measured > 5 ? measured : 15;
    const lines = Math.max(this.cm.lineCount(), 3);
    const height = Math.min(lines * lineHeight + 10, MAX_EDITOR_HEIGHT);
    if (height !== this.height) {
      this.height = height;
      this.cm.setSize(null, height);
    }
  }

  get model() { return this.ctx.model; }
  get lock() { return this.model.locks.get(this.name) ?? null; }
  get mine() { return this.model.isMine(this.lock); }
  get dirty() { return this.cm.getValue() !== this.base.text; }
  get text() { return this.cm.getValue(); }

  /** The editor's state for the page and its tests: free, pending, mine or other. */
  get lockState() {
    const lock = this.lock;
    if (lock) return this.mine ? 'mine' : 'other';
    return this.requested ? 'pending' : 'free';
  }

  /** Focus: ask for the lock when it is free and the user may edit. */
  wantLock() {
    const lock = this.lock;
    if (lock && !this.mine) {
      this.say(explain({ code: 'LOCKED', details: { field: this.name, holder: lock.user, expires_at: lock.expires_at } }, { names: (u) => this.model.name(u) }), 'warn');
      return;
    }
    if (lock || this.requested || !this.model.can('edit')) return;
    if (!this.ctx.socket.send({ type: 'LOCK_ACQUIRE', field: this.name, ref: `lock:${this.name}` })) {
      this.say('Not connected: the page is reconnecting. Click into the field again once it shows Live.', 'warn');
      return;
    }
    this.requested = true;
    this.say('');
    this.render();
  }

  /** The lock table changed (LOCK_ACQUIRED/RELEASED, snapshot). */
  lockChanged({ released } = {}) {
    if (this.lock) this.requested = false;
    if (this.abandoned && this.mine) this.ctx.socket.send({ type: 'LOCK_RELEASE', field: this.name, ref: `release:${this.name}` });
    if (this.lock) this.abandoned = false;
    if (released && this.model.isMine(released) && !this.lock && released.reason !== 'save' && released.reason !== 'cancel') {
      this.say(`Your lock on ${this.name} was released (${released.reason}).${this.dirty ? ' Your text is kept: click into the field to lock it again, then save.' : ''}`, 'warn');
    }
    this.render();
  }

  /** LOCK_DENIED or an ERROR answering this field's lock request. */
  refused(frame) {
    this.requested = false;
    this.say(frame.type === 'LOCK_DENIED' ? explainDenied(frame.data, (u) => this.model.name(u)) : explain(frame.data, { field: this.name }), 'error');
    this.render();
  }

  /**
   * The field's content as of `version` (a save, a revert, a RESYNC). Text
   * typed and not saved stays (it can only have been typed under this tab's
   * lock, which it may since have lost); the news is kept for a stale save
   * to offer, or for Cancel.
   */
  load({ text, version, entry }) {
    if (this.dirty) {
      this.latest = { text, version, entry };
      return;
    }
    this.base = { text, version };
    this.entry = entry;
    this.latest = null;
    if (this.cm.getValue() !== text) {
      const scroll = this.cm.getScrollInfo();
      this.cm.setValue(text);
      this.cm.scrollTo(scroll.left, scroll.top);
    }
    this.showProblem();
    this.render();
  }

  /** A version that did not change this field: its text is that version's too. */
  advance(version) {
    if (!this.mine && !this.dirty) this.base.version = Math.max(this.base.version, version);
  }

  async save() {
    if (!this.mine) return;
    const text = this.text;
    const message = this.message.value.trim() || undefined;
    const { api, model } = this.ctx;
    this.saveButton.disabled = true;
    try {
      const draft = this.saveVia === 'scratchpad'
        ? await api.put(projectPath(model.id, 'scratchpad'), { base_version: this.base.version, text, message })
        : await api.post(projectPath(model.id, 'drafts'), { base_version: this.base.version, fields: { [this.name]: text }, message });
      // The server released the lock with the save; the frames confirm it.
      this.model.releaseLock({ ...this.lock, token: Infinity });
      this.message.value = '';
      this.base = { text, version: draft.version_number };
      this.entry = draft.fields?.[this.name] ?? this.entry;
      this.latest = null;
      this.showProblem();
      this.say(draft.created === false ? 'Nothing changed: no new version. The lock is released.' : `Saved as ${versionLabel(draft.version_number)}.`, 'ok');
    } catch (error) {
      if (error.code === 'STALE_BASE') this.offerRebase(error);
      else this.say(explain(error, { field: this.name }), 'error');
    } finally {
      this.render();
    }
  }

  /** Cancel: release the lock and go back to the saved text (or the newest one that arrived meanwhile). */
  cancel() {
    if (this.mine) this.ctx.socket.send({ type: 'LOCK_RELEASE', field: this.name, ref: `release:${this.name}` });
    else if (this.requested) this.abandoned = true;
    this.requested = false;
    const next = this.latest ?? { ...this.base, entry: this.entry };
    this.latest = null;
    this.base = { text: next.text, version: next.version };
    this.entry = next.entry;
    this.cm.setValue(this.base.text);
    this.showProblem();
    this.say('');
    this.render();
  }

  /** STALE_BASE: the field changed after this editor's base; the user chooses. */
  offerRebase(error) {
    const changedIn = error.details.changed_in;
    this.replaceNotice('error', explain(error, { field: this.name }),
      h('div', { class: 'form-row' },
        h('button', { type: 'button', onclick: () => this.ctx.compare(this.name, this.base.version, changedIn) }, `Compare ${versionLabel(this.base.version)} with ${versionLabel(changedIn)}`),
        h('button', { type: 'button', class: 'primary', onclick: () => this.keepMine(changedIn) }, 'Keep mine (save on top)'),
        h('button', { type: 'button', onclick: () => this.takeTheirs() }, 'Take theirs')));
  }

  async keepMine(version) {
    this.base = { text: this.base.text, version: Math.max(version, this.latest?.version ?? 0, this.model.headVersion) };
    await this.save();
  }

  async takeTheirs() {
    if (!this.latest) {
      const { api, model } = this.ctx;
      const version = model.headVersion;
      const text = await api.text(projectPath(model.id, 'drafts', String(version), 'fields', fieldPath(this.name)));
      this.latest = { text, version, entry: this.entry };
    }
    this.cancel();
  }

  /** Undo or redo of this field: a new version (no lock needed, refused while another session edits). */
  async history(action) {
    try {
      const draft = await this.ctx.api.post(projectPath(this.model.id, 'fields', fieldPath(this.name), action), undefined);
      this.say(`${action === 'undo' ? 'Undone' : 'Redone'}: ${versionLabel(draft.version_number)} created.`, 'ok');
    } catch (error) {
      this.say(explain(error, { field: this.name }), 'error');
    }
  }

  commentOnSelection() {
    const { from, to } = this.cm.listSelections()[0] ? orderRange(this.cm.listSelections()[0]) : { from: this.cm.getCursor(), to: this.cm.getCursor() };
    const lastLine = to.ch === 0 && to.line > from.line ? to.line - 1 : to.line;
    this.ctx.compose({ field: this.name, version: this.base.version, lineStart: from.line + 1, lineEnd: lastLine + 1 });
  }

  /** Gutter markers for the comments whose lines are in this version. */
  setComments(comments) {
    this.cm.operation(() => {
      this.cm.clearGutter('comments');
      for (const line of this.commentMarks) this.cm.removeLineClass(line, 'background', 'commented-line');
      this.commentMarks = [];
      if (this.dirty) return;
      for (const comment of comments) {
        const place = comment.current;
        if (!place || comment.status !== 'open' || place.version !== this.base.version) continue;
        const marker = h('button', {
          type: 'button', class: 'comment-marker', title: `${comment.author_id}: ${comment.text}`,
          'aria-label': `Comment by ${comment.author_id} on lines ${place.line_start}–${place.line_end}: ${comment.text}`,
          dataset: { comment: comment.id }, onclick: () => this.ctx.openThread(comment.id),
        }, '●');
        this.cm.setGutterMarker(place.line_start - 1, 'comments', marker);
        for (let line = place.line_start - 1; line < place.line_end; line += 1) {
          this.commentMarks.push(this.cm.addLineClass(line, 'background', 'commented-line'));
        }
      }
    });
  }

  /** Marks the line a JSON/YAML problem points at, and says so in the header. */
  showProblem() {
    if (this.problemLine) this.cm.removeLineClass(this.problemLine, 'background', 'problem-line');
    this.problemLine = null;
    const problem = this.entry?.valid === false ? this.entry.problem : null;
    this.validity.className = problem ? 'tag bad' : 'tag hidden';
    this.validity.textContent = problem ? `✗ does not parse: line ${problem.line}, column ${problem.column}` : '';
    this.validity.title = problem?.message ?? '';
    if (problem && problem.line <= this.cm.lineCount()) this.problemLine = this.cm.addLineClass(problem.line - 1, 'background', 'problem-line');
  }

  say(text, kind = '') { this.replaceNotice(kind, text); }

  replaceNotice(kind, ...content) {
    this.notice.className = `notice ${kind}`;
    replace(this.notice, ...content);
  }

  /** Brings the editor, badge and buttons in line with the lock and role. */
  render() {
    const state = this.lockState;
    const lock = this.lock;
    const canEdit = this.model.can('edit');
    this.element.dataset.lock = state;
    this.element.classList.toggle('frozen', this.model.frozen);
    const editable = state === 'mine' && !this.model.frozen;
    if (this.cm.getOption('readOnly') !== !editable) this.cm.setOption('readOnly', !editable);
    let badge;
    if (state === 'other') badge = `Being edited by ${this.model.name(lock.user)} · until ${when(lock.expires_at)}`;
    else if (state === 'mine') badge = `You are editing · lease until ${when(lock.expires_at)}`;
    else if (state === 'pending') badge = 'Asking for the lock…';
    else if (this.model.frozen) badge = 'Frozen · read-only';
    else if (!canEdit) badge = `Read-only for your role (${this.model.role ?? 'none'})`;
    else badge = 'Click into the text to edit';
    this.badge.textContent = badge;
    this.cm.getInputField().setAttribute('aria-label', `${this.name}: ${badge}`);
    this.cm.getInputField().setAttribute('aria-readonly', String(!editable));
    this.saveButton.disabled = !editable;
    this.cancelButton.disabled = state !== 'mine' && state !== 'pending';
    this.message.disabled = !editable;
    const others = state === 'other';
    this.undoButton.disabled = !canEdit || others || state === 'mine' || this.saveVia !== 'drafts';
    this.redoButton.disabled = this.undoButton.disabled;
    this.commentButton.disabled = !this.model.can('review') || (state === 'mine' && this.dirty);
    for (const button of [this.saveButton, this.cancelButton, this.message, this.undoButton, this.redoButton]) {
      button.classList.toggle('hidden', !canEdit);
    }
    this.commentButton.classList.toggle('hidden', !this.model.can('review'));
  }

  /** Lays the editor out (CodeMirror measures nothing while its element is out of the page). */
  refresh() {
    this.fitHeight();
    this.cm.refresh();
    this.measured = true;
  }
}

/** Whether a key press would change text (a character, Backspace, Delete, Enter), not move or select. */
function typesText(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  return event.key.length === 1 || ['Backspace', 'Delete', 'Enter'].includes(event.key);
}

/** A selection as {from, to} with from before to. */
function orderRange({ anchor, head }) {
  const before = anchor.line < head.line || (anchor.line === head.line && anchor.ch <= head.ch);
  return before ? { from: anchor, to: head } : { from: head, to: anchor };
}
