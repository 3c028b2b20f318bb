// One project: the header (presence, connection, freeze), the tabs
// (Fields, History, Review, Runs, Audit, Members), the run dock, and the
// socket whose frames keep all of them current.

import { h, pageReady, replace, toast, versionLabel } from '../dom.js';
import { explain } from '../explain.js';
import { fieldPath, projectPath } from '../api.js';
import { ProjectSocket } from '../socket.js';
import { ProjectModel } from './model.js';
import { FieldsPanel, SCRATCHPAD } from './fields-panel.js';
import { HistoryPanel } from './history-panel.js';
import { ReviewPanel } from './review-panel.js';
import { RunDock } from './run-dock.js';
import { RunsPanel } from './runs-panel.js';
import { AuditPanel } from './audit-panel.js';
import { MembersPanel } from './members-panel.js';
import { Presence } from './presence.js';
import { FrozenBanner, confirmFreeze } from './freeze.js';

export const TABS = [
  { id: 'fields', label: 'Fields' },
  { id: 'history', label: 'History' },
  { id: 'review', label: 'Review' },
  { id: 'runs', label: 'Runs' },
  { id: 'audit', label: 'Audit', needs: 'read_audit' },
  { id: 'members', label: 'Members' },
];

export class ProjectPage {
  constructor({ id, api, auth, onLeave }) {
    Object.assign(this, { id, api, auth, onLeave });
    this.element = h('div', { class: 'project' }, h('p', { class: 'loading' }, 'Opening the project…'));
    /** The version whose field contents the editors show. */
    this.contentVersion = 0;
    this.versions = Promise.resolve();
    this.ready = false;
  }

  /**
   * Reads the project and its head version, joins the socket, and builds the
   * views (the socket's first frames wait for the build: it runs in this same
   * task). The tab is in the page before its editors are made, so they
   * measure themselves once.
   */
  async open(tab) {
    const [manifest, head] = await Promise.all([this.api.get(projectPath(this.id)), this.readHead(), pageReady]);
    this.model = new ProjectModel({ manifest, me: this.auth.me, session: this.api.session });
    this.socket = new ProjectSocket({
      project: this.id, auth: this.auth, session: this.api.session,
      onFrame: (frame) => this.handle(frame),
      onState: (state) => this.connectionChanged(state),
      onFinal: (kind, reason) => this.refused(kind, reason),
    });
    this.socket.open();
    try {
      this.build();
      this.showTab(tab);
      this.fields.show(head.fields, head.version);
      this.review.showScratchpad(head.fields[SCRATCHPAD] ?? { text: '', version: head.version, entry: null });
      this.contentVersion = head.version;
      this.review.setFields(Object.keys(head.fields));
    } catch (error) {
      this.socket.close();
      throw error;
    }
    await Promise.all([this.history.load(), this.review.load(), this.dock.loadRecords()]).catch((error) => toast(explain(error), 'error'));
    if (this.model.frozen) this.banner.show();
  }

  /** The head version's fields `{name: {text, version, entry}}` (none before the first version). */
  async readHead() {
    try {
      const draft = await this.api.get(projectPath(this.id, 'drafts', 'current'));
      const fields = {};
      for (const [name, entry] of Object.entries(draft.fields)) fields[name] = { text: draft.contents[name] ?? '', version: draft.version_number, entry };
      return { version: draft.version_number, draftId: draft.id, fields };
    } catch (error) {
      if (error.code !== 'VERSION_NOT_FOUND') throw error;
      return { version: 0, draftId: null, fields: {} };
    }
  }

  /** The context every view gets: the model, the API, the socket, and the page's cross-view actions. */
  makeContext() {
    const page = this;
    const offline = { send: () => false };
    return {
      get model() { return page.model; },
      get socket() { return page.socket ?? offline; },
      api: this.api,
      toast,
      compose: (anchor) => { this.showTab('review'); this.review.compose(anchor); },
      openThread: (id) => { this.showTab('review'); this.review.open(id); },
      compare: (field, from, to) => { this.showTab('history'); this.history.compare(from, to, field); },
      commentsChanged: (comments) => this.commentsChanged(comments),
    };
  }

  build() {
    const ctx = this.makeContext();
    this.ctx = ctx;
    this.fields = new FieldsPanel(ctx);
    this.history = new HistoryPanel(ctx);
    this.review = new ReviewPanel(ctx);
    this.dock = new RunDock(ctx);
    this.runs = new RunsPanel(this.dock);
    this.audit = new AuditPanel(ctx);
    this.members = new MembersPanel(ctx);
    this.banner = new FrozenBanner(ctx);
    this.presence = new Presence(this.model);
    this.panels = { fields: this.fields, history: this.history, review: this.review, runs: this.runs, audit: this.audit, members: this.members };
    this.connection = h('span', { class: 'connection', role: 'status', dataset: { state: 'connecting' } }, 'Connecting…');
    this.role = h('span', { class: 'tag role' });
    this.freezeButton = h('button', { type: 'button', class: 'danger', onclick: () => this.freeze() }, 'Freeze…');
    this.tabs = h('nav', { class: 'tabs', 'aria-label': 'Project views' });
    this.body = h('div', { class: 'project-body', id: 'project-body' });
    replace(this.element,
      h('div', { class: 'project-head' }, h('h1', {}, this.model.manifest.name), this.role, this.presence.element, this.connection, this.freezeButton),
      this.banner.element,
      this.tabs,
      this.body,
      this.dock.element);
    this.model.addEventListener('change', (event) => this.modelChanged(event.detail));
    this.render();
  }

  showTab(tab) {
    const known = TABS.find((t) => t.id === tab && (!t.needs || this.model.can(t.needs)));
    this.tab = known ? tab : 'fields';
    replace(this.tabs, TABS.filter((t) => !t.needs || this.model.can(t.needs)).map((t) =>
      h('a', { href: `#/p/${encodeURIComponent(this.id)}/${t.id}`, 'aria-current': t.id === this.tab ? 'page' : null, dataset: { tab: t.id } }, t.label)));
    replace(this.body, this.panels[this.tab].element);
    if (this.tab === 'fields') this.fields.shown();
    if (this.tab === 'review') this.review.scratchpad?.refresh();
    if (this.tab === 'audit' && !this.auditLoaded) { this.auditLoaded = true; this.audit.load(); }
    if (this.tab === 'members') this.members.shown();
    this.dock.fit();
  }

  // MARK: frames

  handle(frame) {
    const { data } = frame;
    switch (frame.type) {
      case 'SNAPSHOT':
      case 'RESYNC':
        this.model.loadSnapshot(data);
        this.dock.snapshot(data.runs);
        for (const editor of this.editors()) editor.lockChanged();
        if (frame.type === 'RESYNC' || data.head_version !== this.contentVersion) this.reload(frame.type === 'RESYNC' ? data.reason : null);
        if (!this.ready) {
          this.ready = true;
          this.element.dataset.ready = 'true';
          performance.mark('foundry:ready'); // navigation → interactive project page (foundry-bench browser)
        }
        break;
      case 'USER_JOINED': this.model.joined(data.user, data.name); break;
      case 'USER_LEFT': this.model.left(data.user); break;
      case 'LOCK_ACQUIRED':
        this.model.setLock(data);
        this.editor(data.field)?.lockChanged();
        break;
      case 'LOCK_RELEASED':
        this.model.releaseLock(data);
        this.editor(data.field)?.lockChanged({ released: data });
        break;
      case 'LOCK_DENIED': this.editor(data.field)?.refused(frame); break;
      case 'ERROR': {
        const field = data.ref?.replace(/^(lock|release):/, '');
        if (data.ref?.startsWith('lock:') && this.editor(field)) this.editor(field).refused(frame);
        else toast(explain({ code: data.code, message: data.message, details: data }), 'error');
        break;
      }
      case 'DRAFT_SAVED': this.versions = this.versions.then(() => this.applyVersion(data)).catch((error) => toast(explain(error), 'error')); break;
      case 'PROJECT_FROZEN':
        this.model.freeze();
        this.banner.show();
        break;
      case 'COMMENT_CREATED': this.review.upsert(data); break;
      case 'COMMENT_REPLIED':
      case 'COMMENT_RESOLVED':
      case 'COMMENT_REOPENED': this.review.refresh(data.comment_id); break;
      case 'TASK_UPDATED': this.review.tasks.update(data.task); break;
      case 'SIGNATURE_ADDED': this.history.addSignature(data); break;
      case 'RUN_STARTED': this.dock.runStarted(data); break;
      case 'CONSOLE_OUTPUT': this.dock.consoleOutput(data); break;
      case 'RUN_FINISHED': this.dock.runFinished(data); break;
      default: break;
    }
  }

  /** DRAFT_SAVED: reads the new version's record and its changed fields, and shows them. */
  async applyVersion(event) {
    if (event.version <= this.contentVersion) return;
    const record = await this.history.record(event.version);
    const texts = await Promise.all(event.changed.map(async (name) => [name, record?.fields?.[name]
      ? await this.api.text(projectPath(this.id, 'drafts', String(event.version), 'fields', fieldPath(name))) : null]));
    for (const [name, text] of texts) {
      const entry = record.fields[name];
      if (text === null) { this.fields.remove(name); continue; }
      const editor = this.editor(name);
      if (editor) editor.load({ text, version: event.version, entry });
      else if (name !== SCRATCHPAD) this.fields.ensure(name, { text, version: event.version, entry });
    }
    for (const editor of this.editors()) if (!event.changed.includes(editor.name)) editor.advance(event.version);
    this.contentVersion = event.version;
    this.model.setHead(event.version, event.draft_id);
    this.review.setFields([...this.fields.editors.keys(), SCRATCHPAD]);
    this.history.render();
    await this.review.load();
  }

  /**
   * Reloads what the page shows from the files (a RESYNC, or versions saved
   * while the socket was joining); text typed into a field this tab still
   * holds stays.
   */
  reload(reason) {
    this.versions = this.versions.then(async () => {
      const head = await this.readHead();
      for (const [name, field] of Object.entries(head.fields)) {
        const editor = this.editor(name);
        if (editor) editor.load(field);
        else if (name !== SCRATCHPAD) this.fields.ensure(name, field);
      }
      for (const name of this.fields.editors.keys()) if (!head.fields[name]) this.fields.remove(name);
      this.contentVersion = head.version;
      this.model.setHead(head.version, head.draftId);
      this.history.drafts.clear();
      await Promise.all([this.history.load(), this.review.load(), this.dock.loadRecords()]);
      if (reason) toast(`Reloaded from the server (${reason}).`);
    }).catch((error) => toast(explain(error), 'error'));
  }

  editor(name) { return name === SCRATCHPAD ? this.review?.scratchpad : this.fields?.editor(name); }

  editors() { return [...this.fields.editors.values(), this.review.scratchpad].filter(Boolean); }

  commentsChanged(comments) {
    for (const editor of this.editors()) editor.setComments(comments.filter((c) => c.anchor.field === editor.name));
  }

  modelChanged(what) {
    if (what === 'locks') this.fields.renderIndex();
    if (what === 'snapshot') this.renderState();
    if (what === 'frozen' || what === 'manifest') this.render();
  }

  /** What a snapshot can change besides the locks (the editors follow those themselves). */
  renderState() {
    this.role.textContent = `you: ${this.model.role ?? 'not a member'}`;
    this.freezeButton.classList.toggle('hidden', !this.model.can('manage') || this.model.frozen);
    this.dock.render();
    if (this.model.frozen) this.render();
  }

  render() {
    this.role.textContent = `you: ${this.model.role ?? 'not a member'}`;
    this.freezeButton.classList.toggle('hidden', !this.model.can('manage') || this.model.frozen);
    this.element.classList.toggle('frozen', this.model.frozen);
    this.fields.render();
    this.review.scratchpad?.render();
    this.review.render();
    this.dock.render();
    this.members.render();
    this.history.render();
  }

  connectionChanged({ state, retryIn, reason }) {
    if (!this.connection) return;
    this.connection.dataset.state = state;
    this.connection.textContent = {
      connecting: 'Connecting…',
      live: 'Live',
      reconnecting: `Reconnecting${retryIn ? ` in ${Math.round(retryIn / 100) / 10} s` : '…'}`,
      closed: 'Disconnected',
    }[state];
    this.connection.title = reason ?? '';
  }

  refused(kind, reason) {
    if (kind === 'auth') { this.auth.rejected(reason.replace(/^unauthorized: /, '')); return; }
    replace(this.body, h('div', { class: 'panel' }, h('p', { class: 'notice error' },
      kind === 'gone' ? `This project no longer exists (${reason}).` : `You can no longer see this project: ${reason}. An owner can add you under Members.`),
    h('a', { href: '#/' }, 'Back to your projects')));
  }

  async freeze() {
    const bundle = await confirmFreeze(this.ctx);
    if (bundle) toast(`${versionLabel(bundle.version)} is frozen as ${bundle.bundle}.`);
  }

  /** Leaves the project: the socket closes and the server releases this tab's locks. */
  close() { this.socket?.close(); }
}
