// The Runs tab: every run with its state and exit status; "Show" puts one
// in the console dock.

import { h, replace, timeElement, versionLabel } from '../dom.js';

export class RunsPanel {
  constructor(dock) {
    this.dock = dock;
    this.rows = h('tbody');
    this.element = h('div', { class: 'panel' }, h('h2', {}, 'Runs'),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Run'), h('th', {}, 'State'), h('th', {}, 'Version'), h('th', {}, 'Started'),
        h('th', {}, 'Ended'), h('th', {}, 'Console'), h('th', {}, h('span', { class: 'visually-hidden' }, 'Actions')))), this.rows));
    dock.onChange(() => this.render());
  }

  render() {
    const ids = this.dock.sortedIds();
    replace(this.rows, ids.length ? ids.map((id) => {
      const run = this.dock.runs.get(id);
      const exit = run.exit_status != null ? `exit ${run.exit_status}` : run.signal ? `signal ${run.signal}` : '';
      return h('tr', { class: id === this.dock.shown ? 'selected' : '', dataset: { run: id, state: run.state } },
        h('td', { class: 'mono' }, id, run.external ? h('span', { class: 'tag' }, 'external') : null),
        h('td', {}, h('span', { class: `run-state ${run.state}` }, run.state), exit ? ` (${exit})` : ''),
        h('td', {}, versionLabel(run.version)),
        h('td', {}, run.started_by ?? '', ' ', run.started_at ? timeElement(run.started_at) : ''),
        h('td', {}, run.ended_at ? timeElement(run.ended_at) : ''),
        h('td', {}, run.console_bytes != null ? `${run.console_bytes} bytes` : ''),
        h('td', {}, h('button', { type: 'button', onclick: () => this.dock.show(id, { follow: false }) }, `Show ${id}`)));
    }) : h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No runs yet.')));
  }
}
