// The task checklist: add, assign to a member, tick and untick. Every
// change is a record on the server; TASK_UPDATED brings others' changes.

import { h, replace } from '../dom.js';
import { explain } from '../explain.js';
import { projectPath } from '../api.js';

export class TaskList {
  constructor(ctx) {
    this.ctx = ctx;
    /** task id → task */
    this.tasks = new Map();
    this.list = h('ul', { class: 'task-list', 'aria-live': 'polite' });
    this.title = h('input', { type: 'text', 'aria-label': 'New task', placeholder: 'e.g. Fix the JSON schema', required: true });
    this.assignee = h('select', { 'aria-label': 'Assign the new task to' });
    this.form = h('form', { class: 'form-row', onsubmit: (event) => { event.preventDefault(); this.add(); } },
      this.title, this.assignee, h('button', { type: 'submit' }, 'Add task'));
    this.element = h('div', { class: 'card' }, this.list, this.form);
  }

  async load() {
    const { tasks } = await this.ctx.api.get(projectPath(this.ctx.model.id, 'tasks'));
    this.tasks = new Map(tasks.map((task) => [task.id, task]));
    this.render();
  }

  /** TASK_UPDATED: the task after the event. */
  update(task) {
    if (task.deleted) this.tasks.delete(task.id);
    else this.tasks.set(task.id, task);
    this.render();
  }

  async add() {
    const body = { title: this.title.value.trim() };
    if (!body.title) return;
    if (this.assignee.value) body.assignee = this.assignee.value;
    await this.change(() => this.ctx.api.post(projectPath(this.ctx.model.id, 'tasks'), body));
    this.title.value = '';
  }

  async change(request) {
    try {
      this.update(await request());
    } catch (error) {
      this.ctx.toast(explain(error), 'error');
    }
  }

  patch(task, body) {
    return this.change(() => this.ctx.api.patch(projectPath(this.ctx.model.id, 'tasks', encodeURIComponent(task.id)), body));
  }

  members() { return Object.keys(this.ctx.model.manifest.members ?? {}).sort(); }

  render() {
    const canReview = this.ctx.model.can('review');
    const members = this.members();
    const options = (selected) => [h('option', { value: '', selected: !selected }, 'Nobody'),
      members.map((user) => h('option', { value: user, selected: user === selected }, user))];
    replace(this.assignee, options(''));
    this.form.classList.toggle('hidden', !canReview);
    const tasks = [...this.tasks.values()].sort((a, b) => Number(a.id.slice(2)) - Number(b.id.slice(2)));
    replace(this.list, tasks.length ? tasks.map((task) => h('li', { class: task.done ? 'done' : '', dataset: { task: task.id } },
      h('input', { type: 'checkbox', checked: task.done, disabled: !canReview, 'aria-label': `Done: ${task.title}`, dataset: { focusKey: `done:${task.id}` },
        onchange: (event) => this.patch(task, { done: event.target.checked }) }),
      h('span', { class: 'task-title' }, task.title),
      h('select', { 'aria-label': `Assignee of ${task.title}`, disabled: !canReview, dataset: { focusKey: `assignee:${task.id}` },
        onchange: (event) => this.patch(task, { assignee: event.target.value || null }) }, options(task.assignee)),
      task.updated_by ? h('span', { class: 'muted' }, `· ${task.updated_by}`) : null))
      : h('li', { class: 'muted' }, 'No tasks.'));
  }
}
