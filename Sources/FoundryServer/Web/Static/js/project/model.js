// What the page knows of one project, kept current by the socket's frames:
// the manifest and the signed-in user's role, the head version, who holds
// which lock, who is here. Views read it and listen for its changes.

/** What each role may do (README › Roles; the server decides, this only shapes the page). */
const PERMITS = {
  owner: ['read', 'review', 'edit', 'sign', 'read_audit', 'manage'],
  editor: ['read', 'review', 'edit', 'sign'],
  reviewer: ['read', 'review', 'sign', 'read_audit'],
  viewer: ['read'],
};

/** Actions a frozen project refuses. */
const CHANGES = new Set(['review', 'edit', 'sign']);

export class ProjectModel extends EventTarget {
  constructor({ manifest, me, session }) {
    super();
    this.id = manifest.id;
    this.manifest = manifest;
    this.me = me;
    this.session = session;
    this.headVersion = manifest.head_version;
    this.headDraftId = manifest.current_draft_id;
    this.state = manifest.state;
    /** field → lock `{field, user, session, token, acquired_at, expires_at}` */
    this.locks = new Map();
    /** user → `{user, name, connections}` */
    this.users = new Map();
  }

  get role() { return this.manifest.members?.[this.me.user] ?? null; }
  get frozen() { return this.state === 'frozen'; }

  /** Whether the signed-in user may `action` now (role, and not frozen for changes). */
  can(action) {
    const allowed = PERMITS[this.role]?.includes(action) ?? false;
    return allowed && !(this.frozen && CHANGES.has(action));
  }

  /** A user's display name: the token's `name` when they are here, else the id. */
  name(user) {
    return this.users.get(user)?.name || user;
  }

  /** Whether a lock is held by this tab's session. */
  isMine(lock) {
    return lock?.session === this.session && lock?.user === this.me.user;
  }

  /** Applies a SNAPSHOT/RESYNC. */
  loadSnapshot(data) {
    this.headVersion = data.head_version;
    this.headDraftId = data.head_draft_id;
    this.state = data.state;
    this.locks = new Map(data.locks.map((lock) => [lock.field, lock]));
    this.users = new Map(data.users.map((user) => [user.user, user]));
    this.changed('snapshot');
  }

  setLock(lock) { this.locks.set(lock.field, lock); this.changed('locks'); }

  /** Forgets a released lock unless a newer one (a higher token) took its place. */
  releaseLock(lock) {
    const current = this.locks.get(lock.field);
    if (current && current.token <= lock.token) this.locks.delete(lock.field);
    this.changed('locks');
  }

  joined(user, name) {
    const entry = this.users.get(user) ?? { user, name, connections: 0 };
    entry.connections += 1;
    entry.name = name ?? entry.name;
    this.users.set(user, entry);
    this.changed('users');
  }

  left(user) { this.users.delete(user); this.changed('users'); }

  setHead(version, draftId) {
    if (version < this.headVersion) return;
    this.headVersion = version;
    this.headDraftId = draftId;
    this.changed('head');
  }

  setManifest(manifest) {
    this.manifest = manifest;
    this.state = manifest.state;
    this.changed('manifest');
  }

  freeze() { this.state = 'frozen'; this.changed('frozen'); }

  changed(what) { this.dispatchEvent(new CustomEvent('change', { detail: what })); }
}
