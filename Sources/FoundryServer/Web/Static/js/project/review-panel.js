// The Review tab: comment threads on lines of a field version (replies,
// resolve, reopen; a thread whose lines changed shows as outdated at its
// version), the shared scratchpad, and the task checklist.

import { h, replace, timeElement, versionLabel } from '../dom.js';
import { explain } from '../explain.js';
import { projectPath } from '../api.js';
import { FieldEditor } from './field-editor.js';
import { SCRATCHPAD } from './fields-panel.js';
import { TaskList } from './task-list.js';

export class ReviewPanel {
  constructor(ctx) {
    this.ctx = ctx;
    /** comment id → thread as the server shows it at the head */
    this.threads = new Map();
    /** comment id → a reply being typed (kept when the list is redrawn) */
    this.replies = new Map();
    this.filter = h('select', { 'aria-label': 'Show comments', onchange: () => this.render() },
      ['all', 'open', 'outdated', 'resolved'].map((value) => h('option', { value }, value === 'all' ? 'All comments' : `Only ${value}`)));
    this.list = h('div', { class: 'thread-list', 'aria-live': 'polite' });
    this.field = h('select', { 'aria-label': 'Field', required: true });
    this.lineStart = h('input', { type: 'number', min: 1, value: 1, 'aria-label': 'From line', required: true });
    this.lineEnd = h('input', { type: 'number', min: 1, value: 1, 'aria-label': 'To line', required: true });
    this.text = h('textarea', { rows: 3, 'aria-label': 'Comment', required: true, maxlength: 16384 });
    this.composeVersion = h('span', { class: 'muted' });
    this.composeNotice = h('div', { class: 'notice', role: 'alert' });
    this.form = h('form', { class: 'card compose', onsubmit: (event) => { event.preventDefault(); this.post(); } },
      h('h3', {}, 'New comment ', this.composeVersion),
      h('div', { class: 'form-row' }, h('label', {}, 'Field', this.field), h('label', {}, 'From line', this.lineStart), h('label', {}, 'To line', this.lineEnd)),
      h('label', {}, 'Comment', this.text),
      h('div', { class: 'form-row' }, h('button', { type: 'submit', class: 'primary' }, 'Post comment')),
      this.composeNotice);
    this.scratchpadHost = h('div');
    this.tasks = new TaskList(ctx);
    this.element = h('div', { class: 'panel' },
      h('div', { class: 'review-layout' },
        h('section', { 'aria-labelledby': 'comments-title' },
          h('div', { class: 'form-row' }, h('h2', { id: 'comments-title' }, 'Comments'), this.filter),
          this.form, this.list),
        h('div', {},
          h('section', { 'aria-labelledby': 'tasks-title' }, h('h2', { id: 'tasks-title' }, 'Tasks'), this.tasks.element),
          h('section', { 'aria-labelledby': 'notes-title' }, h('h2', { id: 'notes-title' }, 'Scratchpad'), this.scratchpadHost))));
  }

  /** The scratchpad's editor, for the field `scratchpad` of the head version. */
  showScratchpad(field) {
    this.scratchpad = new FieldEditor(this.ctx, { name: SCRATCHPAD, ...field }, { saveVia: 'scratchpad', label: 'Engineering notes (shared)' });
    replace(this.scratchpadHost, this.scratchpad.element);
  }

  async load() {
    const [comments] = await Promise.all([
      this.ctx.api.get(`${projectPath(this.ctx.model.id, 'comments')}?state=all`),
      this.tasks.load(),
    ]);
    this.threads = new Map(comments.comments.map((comment) => [comment.id, comment]));
    this.render();
  }

  /** The fields a comment may anchor to, and the version their lines are of. */
  setFields(names) {
    const current = this.field.value;
    replace(this.field, names.map((name) => h('option', { value: name, selected: name === current }, name)));
  }

  /** Opens the form for lines of a field (from an editor's selection). */
  compose({ field, version, lineStart, lineEnd }) {
    this.field.value = field;
    this.lineStart.value = lineStart;
    this.lineEnd.value = lineEnd;
    this.anchorVersion = version;
    this.composeVersion.textContent = `(lines of ${versionLabel(version)})`;
    this.composeNotice.className = 'notice';
    this.composeNotice.textContent = '';
    this.text.focus();
  }

  async post() {
    const body = {
      version: this.anchorVersion ?? this.ctx.model.headVersion, field: this.field.value, line_start: Number(this.lineStart.value),
      line_end: Number(this.lineEnd.value), text: this.text.value,
    };
    try {
      const comment = await this.ctx.api.post(projectPath(this.ctx.model.id, 'comments'), body);
      this.text.value = '';
      this.anchorVersion = null;
      this.composeVersion.textContent = '';
      this.upsert(comment);
      this.composeNotice.className = 'notice ok';
      this.composeNotice.textContent = `Posted on ${comment.anchor.field}, lines ${comment.anchor.line_start}–${comment.anchor.line_end} of ${versionLabel(comment.anchor.version)}.`;
    } catch (error) {
      this.composeNotice.className = 'notice error';
      this.composeNotice.textContent = error.code === 'INVALID_RANGE'
        ? `${body.field} has ${error.details.line_count} lines in ${versionLabel(body.version)}: choose lines within them.`
        : explain(error, { field: body.field });
    }
  }

  upsert(comment) {
    this.threads.set(comment.id, comment);
    this.render();
  }

  /** COMMENT_REPLIED / RESOLVED / REOPENED: the thread as it is now. */
  async refresh(commentId) {
    try {
      this.upsert(await this.ctx.api.get(projectPath(this.ctx.model.id, 'comments', encodeURIComponent(commentId))));
    } catch (error) {
      this.ctx.toast(explain(error), 'error');
    }
  }

  async act(comment, action, text) {
    try {
      const path = projectPath(this.ctx.model.id, 'comments', encodeURIComponent(comment.id), action);
      this.upsert(await this.ctx.api.post(path, text === undefined ? undefined : { text }));
    } catch (error) {
      this.ctx.toast(explain(error), 'error');
    }
  }

  /** Scrolls to a thread and marks it (from a gutter marker). */
  open(commentId) {
    this.filter.value = 'all';
    this.render();
    const element = this.list.querySelector(`[data-comment="${CSS.escape(commentId)}"]`);
    element?.classList.add('highlight');
    element?.scrollIntoView({ block: 'center' });
    element?.querySelector('input,button')?.focus();
    setTimeout(() => element?.classList.remove('highlight'), 2500);
  }

  get comments() { return [...this.threads.values()]; }

  render() {
    const canReview = this.ctx.model.can('review');
    this.form.classList.toggle('hidden', !canReview);
    const show = this.filter.value;
    const threads = this.comments.filter((comment) => show === 'all' || comment.status === show)
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
    replace(this.list, threads.length ? threads.map((comment) => this.thread(comment, canReview)) : h('p', { class: 'muted' }, 'No comments.'));
    this.ctx.commentsChanged(this.comments);
  }

  thread(comment, canReview) {
    const { anchor } = comment;
    const where = comment.status === 'outdated'
      ? `outdated: its lines changed in ${versionLabel(comment.outdated_in)}`
      : comment.current && (comment.current.line_start !== anchor.line_start || comment.current.version !== anchor.version)
        ? `now lines ${comment.current.line_start}–${comment.current.line_end} of ${versionLabel(comment.current.version)}` : '';
    const reply = h('input', {
      type: 'text', 'aria-label': `Reply to ${comment.author_id}`, placeholder: 'Reply', value: this.replies.get(comment.id) ?? '',
      dataset: { focusKey: `reply:${comment.id}` }, oninput: (event) => this.replies.set(comment.id, event.target.value),
    });
    return h('article', { class: `thread ${comment.status}`, dataset: { comment: comment.id, status: comment.status } },
      h('div', { class: 'form-row' },
        h('span', { class: 'anchor' }, `${anchor.field} · lines ${anchor.line_start}–${anchor.line_end} of ${versionLabel(anchor.version)}`),
        h('span', { class: `tag ${comment.status === 'open' ? 'ok' : comment.status === 'outdated' ? 'bad' : ''}` }, comment.status)),
      where ? h('div', { class: 'meta' }, where) : null,
      h('p', { class: 'comment-text' }, comment.text),
      h('div', { class: 'meta' }, comment.author_id, ' · ', timeElement(comment.created_at),
        comment.state === 'resolved' ? ` · resolved by ${comment.resolved_by}` : ''),
      comment.replies.length ? h('div', { class: 'replies' }, comment.replies.map((r) =>
        h('div', { class: 'reply' }, h('span', {}, r.text), h('div', { class: 'meta' }, r.author_id, ' · ', timeElement(r.created_at))))) : null,
      canReview ? h('form', { class: 'form-row', onsubmit: (event) => { event.preventDefault(); if (reply.value.trim()) { this.replies.delete(comment.id); this.act(comment, 'replies', reply.value); } } },
        reply, h('button', { type: 'submit' }, 'Reply'),
        comment.state === 'resolved'
          ? h('button', { type: 'button', onclick: () => this.act(comment, 'reopen') }, 'Reopen')
          : h('button', { type: 'button', onclick: () => this.act(comment, 'resolve') }, 'Resolve')) : null);
  }
}
