// The Members tab: who may do what in the project, and the release policy
// (how many approvals a freeze needs). Owners change both; everyone else
// sees them.

import { h, replace } from '../dom.js';
import { explain } from '../explain.js';
import { projectPath } from '../api.js';

const ROLES = ['owner', 'editor', 'reviewer', 'viewer'];
const WHAT = {
  owner: 'everything, members and freeze',
  editor: 'edit fields, run tests, comment',
  reviewer: 'comment, tasks, read the audit trail',
  viewer: 'read only',
};

export class MembersPanel {
  constructor(ctx) {
    this.ctx = ctx;
    this.rows = h('tbody');
    this.user = h('input', { type: 'text', 'aria-label': 'User id', placeholder: 'user id, e.g. bob', required: true });
    this.role = h('select', { 'aria-label': 'Role' }, ROLES.map((role) => h('option', { value: role, selected: role === 'editor' }, role)));
    this.form = h('form', { class: 'form-row card', onsubmit: (event) => { event.preventDefault(); this.set(this.user.value.trim(), this.role.value); } },
      h('label', {}, 'Add or change a member', this.user), h('label', {}, 'Role', this.role), h('button', { type: 'submit', class: 'primary' }, 'Save member'));
    this.approvals = h('input', { type: 'number', min: 0, max: 20, 'aria-label': 'Approvals a freeze needs' });
    this.fourEyes = h('input', { type: 'checkbox' });
    this.policyForm = h('form', { class: 'form-row card', onsubmit: (event) => { event.preventDefault(); this.setPolicy(); } },
      h('label', {}, 'Approvals a freeze needs', this.approvals),
      h('label', { class: 'inline' }, this.fourEyes, 'Four eyes: approvers must not be authors of the version'),
      h('button', { type: 'submit' }, 'Save policy'));
    this.element = h('div', { class: 'panel' }, h('h2', {}, 'Members'),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'User'), h('th', {}, 'Role'), h('th', {}, 'May'), h('th', {}, h('span', { class: 'visually-hidden' }, 'Actions')))), this.rows),
      this.form,
      h('h2', {}, 'Release policy'), this.policyForm);
  }

  async loadPolicy() {
    try {
      const policy = await this.ctx.api.get(projectPath(this.ctx.model.id, 'release-policy'));
      this.approvals.value = policy.approvals_required;
      this.fourEyes.checked = policy.four_eyes;
    } catch (error) {
      this.ctx.toast(explain(error), 'error');
    }
  }

  async setPolicy() {
    const body = { approvals_required: Number(this.approvals.value), four_eyes: this.fourEyes.checked };
    await this.change(() => this.ctx.api.put(projectPath(this.ctx.model.id, 'release-policy'), body),
      `A freeze now needs ${body.approvals_required} approval(s)${body.four_eyes ? ', four eyes' : ''}.`);
  }

  async set(user, role) {
    if (!user) return;
    await this.change(() => this.ctx.api.put(projectPath(this.ctx.model.id, 'members', encodeURIComponent(user)), { role }), `${user} is now ${role}.`);
    this.user.value = '';
  }

  async remove(user) {
    await this.change(() => this.ctx.api.delete(projectPath(this.ctx.model.id, 'members', encodeURIComponent(user))), `${user} was removed.`);
  }

  async change(request, done) {
    try {
      await request();
      this.ctx.model.setManifest(await this.ctx.api.get(projectPath(this.ctx.model.id)));
      this.ctx.toast(done);
    } catch (error) {
      this.ctx.toast(explain(error), 'error');
    }
  }

  render() {
    const manage = this.ctx.model.manifest.members && this.ctx.model.role === 'owner';
    const members = Object.entries(this.ctx.model.manifest.members ?? {}).sort(([a], [b]) => a.localeCompare(b));
    replace(this.rows, members.map(([user, role]) => h('tr', { dataset: { user } },
      h('td', {}, user, user === this.ctx.model.me.user ? h('span', { class: 'muted' }, ' (you)') : null),
      h('td', {}, manage
        ? h('select', { 'aria-label': `Role of ${user}`, onchange: (event) => this.set(user, event.target.value) },
          ROLES.map((r) => h('option', { value: r, selected: r === role }, r)))
        : h('span', { class: 'tag role' }, role)),
      h('td', { class: 'muted' }, WHAT[role] ?? ''),
      h('td', {}, manage ? h('button', { type: 'button', onclick: () => this.remove(user) }, `Remove ${user}`) : null))));
    this.form.classList.toggle('hidden', !manage);
    const setPolicy = this.ctx.model.can('manage');
    for (const control of this.policyForm.elements) control.disabled = !setPolicy;
    this.policyForm.querySelector('button').classList.toggle('hidden', !setPolicy);
  }

  /** The tab is shown: the policy is read then (it is needed nowhere else). */
  shown() {
    this.render();
    this.loadPolicy();
  }
}
