// The run dock at the bottom of a project (Story B): Run and Cancel, the
// run shown, and a terminal (xterm.js) that streams its console live —
// stdout plain, stderr red, the server's own lines yellow. A run started by
// anyone is followed as it starts; one already running when the page opens
// shows its backlog first, then its live lines.

import { h, replace, versionLabel, when } from '../dom.js';
import { explain } from '../explain.js';
import { projectPath } from '../api.js';
import { ConsoleFeed } from './console-feed.js';

const COLOURS = { stderr: '\x1b[31m', system: '\x1b[33m' };
const RESET = '\x1b[0m';

export class RunDock {
  constructor(ctx) {
    this.ctx = ctx;
    /** run id → run record (or the RUN_STARTED/SNAPSHOT facts until the record is read) */
    this.runs = new Map();
    this.shown = null;
    this.feed = null;
    this.counts = { lines: 0, stderr: 0 };
    this.listeners = new Set();
    this.runButton = h('button', { type: 'button', class: 'primary', onclick: () => this.start() }, 'Run tests');
    this.cancelButton = h('button', { type: 'button', class: 'danger', onclick: () => this.cancel() }, 'Cancel run');
    this.picker = h('select', { 'aria-label': 'Run shown in the terminal', onchange: () => this.show(this.picker.value) });
    this.status = h('span', { class: 'run-status', role: 'status', 'aria-live': 'polite' });
    this.toggle = h('button', { type: 'button', 'aria-expanded': 'true', onclick: () => this.collapse() }, 'Hide');
    this.host = h('div', { class: 'terminal-host', role: 'region', 'aria-label': 'Run console' });
    this.element = h('section', { class: 'dock', 'aria-labelledby': 'dock-title' },
      h('div', { class: 'dock-bar' }, h('h2', { id: 'dock-title' }, 'Console'), this.runButton, this.cancelButton, this.picker, this.status, this.toggle),
      this.host);
    this.term = newTerminal();
    this.opened = false;
    new ResizeObserver(() => this.fit()).observe(this.host);
  }

  /**
   * Opens the terminal once its element is in the page (xterm.js measures
   * its character cells then), and sizes it to the dock. A size that cannot
   * be measured (hidden, cells not measured yet) is left alone: dividing by
   * a zero cell height would ask for endless rows.
   */
  fit() {
    if (!this.host.isConnected || this.host.clientHeight < 20 || this.host.clientWidth < 20) return;
    if (!this.opened) {
      // Opening draws the glyph atlas, the dearest step of a page load: when the page is idle
      // (lines written before are kept and drawn then).
      if (!this.opening) this.opening = requestIdleCallback(() => { this.term.open(this.host); this.opened = true; this.fit(); }, { timeout: 1000 });
      return;
    }
    const size = this.term.proposeGeometry();
    const sane = (n, most) => Number.isFinite(n) && n >= 2 && n <= most;
    if (size && sane(size.rows, 500) && sane(size.cols, 1000) && (size.rows !== this.term.rows || size.cols !== this.term.cols)) {
      this.term.resize(size.cols, size.rows);
    }
  }

  collapse() {
    const collapsed = this.element.classList.toggle('collapsed');
    this.toggle.textContent = collapsed ? 'Show' : 'Hide';
    this.toggle.setAttribute('aria-expanded', String(!collapsed));
    if (!collapsed) this.fit();
  }

  onChange(listener) { this.listeners.add(listener); }

  /** The runs on record, read over HTTP (their state, exit status and size). */
  async loadRecords() {
    const { runs } = await this.ctx.api.get(projectPath(this.ctx.model.id, 'runs'));
    for (const run of runs) this.runs.set(run.run_id, { ...this.runs.get(run.run_id), ...run });
    if (!this.shown && this.runs.size) this.show(this.sortedIds()[0]);
    this.render();
  }

  /**
   * SNAPSHOT/RESYNC: the runs in progress; the newest is shown unless a
   * running one is. Called as the frame arrives, before the backlog frames
   * that follow it, so none of them is missed.
   */
  snapshot(runs) {
    for (const run of runs) this.runs.set(run.run, { ...this.runs.get(run.run), ...fromEvent(run), state: 'running' });
    const running = runs.map((run) => run.run).sort().at(-1);
    if (running && (!this.shown || this.runs.get(this.shown)?.state !== 'running')) this.show(running, { follow: true });
    this.render();
  }

  sortedIds() { return [...this.runs.keys()].sort().reverse(); }

  runStarted(data) {
    this.runs.set(data.run, { ...fromEvent(data), state: 'running' });
    const current = this.runs.get(this.shown);
    if (!current || current.state !== 'running') this.show(data.run, { follow: true });
    this.render();
  }

  consoleOutput(data) {
    if (data.run === this.shown && this.feed) this.feed.accept(data);
  }

  runFinished(data) {
    this.runs.set(data.run, { ...this.runs.get(data.run), ...data, run_id: data.run });
    this.render();
  }

  /**
   * Shows a run in the terminal from its first line. `follow`: it was just
   * announced (or is in progress at join), so its frames will come; otherwise
   * its console so far is read over HTTP first.
   */
  show(run, { follow = false } = {}) {
    if (!run) return;
    this.feed?.stop();
    this.shown = run;
    this.counts = { lines: 0, stderr: 0 };
    if (this.opened) this.term.reset();
    else this.term = newTerminal();
    this.feed = new ConsoleFeed({ api: this.ctx.api, project: this.ctx.model.id, run, write: (lines) => this.write(lines) });
    if (!follow) this.feed.catchUp();
    this.render();
  }

  write(lines) {
    let output = '';
    for (const line of lines) {
      const colour = COLOURS[line.stream] ?? '';
      for (const part of line.text.split(/(?<=\n)/)) {
        if (!part) continue;
        const body = part.endsWith('\n') ? part.slice(0, -1) : part;
        output += colour ? `${colour}${body}${RESET}` : body;
        if (part.endsWith('\n')) output += '\n';
        this.counts.lines += 1;
        if (line.stream === 'stderr') this.counts.stderr += 1;
      }
    }
    this.term.write(output);
    this.renderStatus();
  }

  async start() {
    this.runButton.disabled = true;
    try {
      const run = await this.ctx.api.post(projectPath(this.ctx.model.id, 'runs'), {});
      if (!this.runs.has(run.run_id)) this.runStarted({ run: run.run_id, version: run.version, label: run.label, started_by: run.started_by, started_at: run.started_at });
    } catch (error) {
      this.say(explain(error));
    } finally {
      this.render();
    }
  }

  async cancel() {
    const run = this.shown;
    this.cancelButton.disabled = true;
    this.cancelButton.textContent = 'Cancelling…';
    try {
      const record = await this.ctx.api.delete(projectPath(this.ctx.model.id, 'runs', run));
      this.runs.set(run, { ...this.runs.get(run), ...record });
    } catch (error) {
      this.say(explain(error));
    } finally {
      this.cancelButton.textContent = 'Cancel run';
      this.render();
    }
  }

  say(message) { this.ctx.toast(message, 'error'); }

  render() {
    const canRun = this.ctx.model.can('edit');
    const current = this.runs.get(this.shown);
    this.runButton.classList.toggle('hidden', !canRun);
    this.runButton.disabled = !canRun;
    this.cancelButton.classList.toggle('hidden', !canRun || current?.state !== 'running');
    this.cancelButton.disabled = false;
    replace(this.picker, this.runs.size === 0 ? h('option', { value: '' }, 'No runs yet') : this.sortedIds().map((id) =>
      h('option', { value: id, selected: id === this.shown }, `${id} · ${this.runs.get(id).state}`)));
    this.renderStatus();
    for (const listener of this.listeners) listener();
  }

  renderStatus() {
    const run = this.runs.get(this.shown);
    if (!run) { this.status.textContent = this.ctx.model.can('edit') ? 'Run the tests of the head version.' : 'No run to show.'; return; }
    const exit = run.exit_status != null ? ` (exit ${run.exit_status})` : run.signal ? ` (signal ${run.signal})` : '';
    const lines = `${this.counts.lines} lines${this.counts.stderr ? `, ${this.counts.stderr} on stderr` : ''}`;
    this.status.dataset.state = run.state;
    this.status.textContent = `${this.shown} · ${run.state}${exit} · ${versionLabel(run.version)} · ${run.started_by ?? ''} ${when(run.started_at)} · ${lines}`;
  }
}

/** The console's terminal: output only, screen-reader rows on (its text is in the DOM too). */
function newTerminal() {
  return new window.Terminal({
    convertEol: true, disableStdin: true, screenReaderMode: true, scrollback: 10000, fontSize: 13, rows: 10,
    fontFamily: 'DejaVu Sans Mono, Menlo, Consolas, monospace',
    theme: { background: '#101820', foreground: '#e0e6eb' },
  });
}

/** A run record's fields from RUN_STARTED or a snapshot entry. */
function fromEvent(data) {
  return {
    run_id: data.run, version: data.version, label: data.label, draft_id: data.draft_id, started_by: data.started_by,
    started_at: data.started_at, external: data.external,
  };
}
