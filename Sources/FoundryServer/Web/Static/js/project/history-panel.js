// The History tab (Story C): every version, newest first (label, author,
// time, kind, message, changed fields, and whether each parses); pick two
// for a coloured diff; revert to one, which makes a new version.

import { ask, h, replace, timeElement, versionLabel } from '../dom.js';
import { explain } from '../explain.js';
import { projectPath } from '../api.js';
import { renderDiff } from './diff-view.js';
import { signVersion, signatureTags } from './signatures.js';

const PAGE = 30;

export class HistoryPanel {
  constructor(ctx) {
    this.ctx = ctx;
    /** version → draft record, as `GET …/drafts` gives it */
    this.drafts = new Map();
    /** version → its signatures, oldest first */
    this.signatures = new Map();
    this.selected = [];
    this.nextBefore = null;
    this.rows = h('tbody');
    this.more = h('button', { type: 'button', onclick: () => this.load(this.nextBefore) }, 'Older versions');
    this.compareButton = h('button', { type: 'button', class: 'primary', onclick: () => this.compareSelected() }, 'Compare');
    this.diffTitle = h('h2', { tabindex: '-1' }, 'Changes');
    this.diffArea = h('div', { class: 'diff-area', 'aria-live': 'polite' },
      h('p', { class: 'muted' }, 'Tick two versions to see what changed between them.'));
    this.element = h('div', { class: 'panel' },
      h('div', { class: 'history-layout' },
        h('section', { 'aria-labelledby': 'versions-title' },
          h('div', { class: 'form-row' }, h('h2', { id: 'versions-title' }, 'Versions'), this.compareButton),
          h('div', { class: 'table-scroll' }, h('table', { class: 'history-table' },
            h('thead', {}, h('tr', {}, h('th', {}, h('span', { class: 'visually-hidden' }, 'Pick')), h('th', {}, 'Version'), h('th', {}, 'Who and when'),
              h('th', {}, 'Change'))),
            this.rows)),
          this.more),
        h('section', { class: 'diff-pane', 'aria-labelledby': 'diff-title' }, this.diffTitle, this.diffArea)));
    this.diffTitle.id = 'diff-title';
  }

  /** The first page (and every signature), or the page before version `before`. */
  async load(before = null) {
    const query = new URLSearchParams({ limit: PAGE });
    if (before) query.set('before', before);
    const [page, signed] = await Promise.all([
      this.ctx.api.get(`${projectPath(this.ctx.model.id, 'drafts')}?${query}`),
      before ? null : this.ctx.api.get(projectPath(this.ctx.model.id, 'signatures')),
    ]);
    for (const draft of page.drafts) this.drafts.set(draft.version_number, draft);
    if (signed) {
      this.signatures.clear();
      for (const signature of signed.signatures) this.addSignature(signature, { quiet: true });
    }
    this.nextBefore = page.next_before;
    this.render();
  }

  /** A signature (SIGNATURE_ADDED, or read with the history). */
  addSignature(signature, { quiet = false } = {}) {
    const list = this.signatures.get(signature.version) ?? [];
    if (!list.some((known) => known.seq === signature.seq)) list.push(signature);
    this.signatures.set(signature.version, list);
    if (!quiet) this.render();
  }

  /** A version announced by DRAFT_SAVED, with its record read. */
  add(draft) {
    this.drafts.set(draft.version_number, draft);
    this.render();
  }

  /** The record of one version (read when it is not listed yet). */
  async record(version) {
    if (!this.drafts.has(version)) {
      const page = await this.ctx.api.get(`${projectPath(this.ctx.model.id, 'drafts')}?limit=1&before=${version + 1}`);
      if (page.drafts[0]) this.drafts.set(version, page.drafts[0]);
    }
    return this.drafts.get(version);
  }

  toggle(version, checked) {
    this.selected = this.selected.filter((v) => v !== version);
    if (checked) this.selected.push(version);
    if (this.selected.length > 2) this.selected.shift();
    this.render();
    if (this.selected.length === 2) this.compareSelected();
  }

  compareSelected() {
    if (this.selected.length !== 2) return;
    const [from, to] = [...this.selected].sort((a, b) => a - b);
    this.compare(from, to);
  }

  /** Shows the diff from version `from` to `to` (of one field when given). */
  async compare(from, to, field = null) {
    const query = new URLSearchParams({ from, to, format: 'json' });
    if (field) query.set('field', field);
    replace(this.diffArea, h('p', { class: 'muted' }, 'Comparing…'));
    try {
      const [diff, record] = await Promise.all([this.ctx.api.get(`${projectPath(this.ctx.model.id, 'diff')}?${query}`), this.record(to)]);
      const problems = {};
      for (const [name, entry] of Object.entries(record?.fields ?? {})) if (entry.valid === false && entry.problem) problems[name] = entry.problem;
      this.diffTitle.textContent = `Changes from ${versionLabel(from)} to ${versionLabel(to)}${field ? ` in ${field}` : ''}`;
      replace(this.diffArea, renderDiff(diff, problems));
    } catch (error) {
      replace(this.diffArea, h('p', { class: 'notice error' }, explain(error)));
    }
  }

  async revert(version) {
    const head = this.ctx.model.headVersion;
    const answer = await ask({
      title: `Revert to ${versionLabel(version)}?`,
      body: h('div', {}, h('p', {}, `This creates ${versionLabel(head + 1)}, a new version with exactly the content of ${versionLabel(version)}.`),
        h('p', {}, `Nothing is deleted: ${versionLabel(version + 1)}…${versionLabel(head)} stay in the history.`)),
      buttons: [{ label: `Revert to ${versionLabel(version)}`, class: 'primary', value: true }, { label: 'Keep the head', value: false }],
    });
    if (!answer) return;
    try {
      const draft = await this.ctx.api.post(projectPath(this.ctx.model.id, 'revert'), { to_version: version });
      this.ctx.toast(`${versionLabel(draft.version_number)} created: a revert to ${versionLabel(version)}.`);
    } catch (error) {
      this.ctx.toast(explain(error), 'error');
    }
  }

  render() {
    const canRevert = this.ctx.model.can('edit');
    const versions = [...this.drafts.keys()].sort((a, b) => b - a);
    replace(this.rows, versions.map((version) => this.row(this.drafts.get(version), canRevert)));
    this.more.classList.toggle('hidden', !this.nextBefore);
    this.compareButton.disabled = this.selected.length !== 2;
    this.compareButton.textContent = this.selected.length === 2
      ? `Compare ${[...this.selected].sort((a, b) => a - b).map(versionLabel).join(' → ')}` : 'Compare (tick two)';
  }

  row(draft, canRevert) {
    const version = draft.version_number;
    const invalid = Object.entries(draft.fields ?? {}).filter(([, entry]) => entry.valid === false);
    const kind = draft.kind === 'revert' ? `revert to ${versionLabel(draft.reverted_to)}`
      : draft.kind === 'undo' ? `undo of ${versionLabel(draft.undo_of)}`
        : draft.kind === 'redo' ? `redo of ${versionLabel(draft.redo_of)}` : draft.kind;
    const checked = this.selected.includes(version);
    return h('tr', { class: checked ? 'selected' : '', dataset: { version } },
      h('td', {}, h('input', { type: 'checkbox', checked, 'aria-label': `Pick ${versionLabel(version)} to compare`, onchange: (event) => this.toggle(version, event.target.checked) })),
      h('td', {}, h('span', { class: 'version-label' }, versionLabel(version)),
        version === this.ctx.model.headVersion ? h('span', { class: 'tag ok' }, 'head') : null),
      h('td', {}, h('div', {}, draft.author_id), h('div', { class: 'muted' }, timeElement(draft.created_at))),
      h('td', {},
        h('div', {}, h('span', { class: 'tag kind' }, kind), ' ', draft.message ?? ''),
        h('div', { class: 'muted mono' }, (draft.changed ?? []).join(', ')),
        invalid.map(([name, entry]) => h('div', { class: 'tag bad' }, `✗ ${name} does not parse (line ${entry.problem?.line})`)),
        h('div', {}, signatureTags(this.signatures.get(version) ?? [])),
        h('div', { class: 'form-row' },
          canRevert && version !== this.ctx.model.headVersion
            ? h('button', { type: 'button', onclick: () => this.revert(version) }, `Revert to ${versionLabel(version)}`) : null,
          this.ctx.model.can('sign')
            ? h('button', { type: 'button', onclick: () => signVersion(this.ctx, version) }, `Sign ${versionLabel(version)}…`) : null)));
  }
}
