// The Audit tab (owners and reviewers): the project's audit trail, newest
// first, filtered by type (or family: `lock` is every `lock.*`) and user,
// a page at a time (`GET …/audit?order=newest&before=`).

import { h, replace, timeElement } from '../dom.js';
import { explain } from '../explain.js';
import { projectPath } from '../api.js';

const FAMILIES = ['draft', 'lock', 'comment', 'task', 'run', 'socket', 'member', 'project'];
const PAGE = 50;

export class AuditPanel {
  constructor(ctx) {
    this.ctx = ctx;
    this.type = h('select', { 'aria-label': 'Type of entry' },
      h('option', { value: '' }, 'Every type'), FAMILIES.map((family) => h('option', { value: family }, `${family}.*`)));
    this.user = h('input', { type: 'text', 'aria-label': 'User', placeholder: 'any user' });
    this.rows = h('tbody');
    this.more = h('button', { type: 'button', onclick: () => this.load(true) }, 'Older entries');
    this.notice = h('div', { class: 'notice', role: 'alert' });
    this.element = h('div', { class: 'panel' },
      h('form', { class: 'form-row', onsubmit: (event) => { event.preventDefault(); this.load(); } },
        h('h2', {}, 'Audit trail'), h('label', {}, 'Type', this.type), h('label', {}, 'User', this.user),
        h('button', { type: 'submit', class: 'primary' }, 'Show')),
      this.notice,
      h('table', { class: 'audit-table' },
        h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'When'), h('th', {}, 'Who'), h('th', {}, 'What'), h('th', {}, 'Details'))),
        this.rows),
      this.more);
    this.nextBefore = null;
  }

  /** The newest page for the filters, or (`older`) the page after the last one shown. */
  async load(older = false) {
    const query = new URLSearchParams({ order: 'newest', limit: PAGE });
    if (this.type.value) query.set('type', this.type.value);
    if (this.user.value.trim()) query.set('user', this.user.value.trim());
    if (older && this.nextBefore) query.set('before', this.nextBefore);
    try {
      const page = await this.ctx.api.get(`${projectPath(this.ctx.model.id, 'audit')}?${query}`);
      if (!older) this.rows.replaceChildren();
      for (const entry of page.entries) this.rows.append(this.row(entry));
      if (!older && page.entries.length === 0) this.rows.append(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No entries match.')));
      this.nextBefore = page.next_before;
      this.more.classList.toggle('hidden', !this.nextBefore);
      this.notice.className = 'notice';
      this.notice.textContent = '';
    } catch (error) {
      this.notice.className = 'notice error';
      this.notice.textContent = explain(error);
    }
  }

  row(entry) {
    const { data = {} } = entry;
    return h('tr', { dataset: { seq: entry.seq, type: entry.type } },
      h('td', {}, entry.seq), h('td', {}, timeElement(entry.ts)), h('td', {}, entry.user, h('div', { class: 'muted' }, entry.session ?? '')),
      h('td', {}, h('span', { class: 'tag' }, entry.type), entry.version ? ` v0.1.${entry.version}` : ''),
      h('td', { class: 'audit-data' }, JSON.stringify(data)));
  }

  render() {
    if (!this.ctx.model.can('read_audit')) {
      replace(this.element, h('p', { class: 'notice' }, `The audit trail is for owners and reviewers; your role is ${this.ctx.model.role}.`));
    }
  }
}
