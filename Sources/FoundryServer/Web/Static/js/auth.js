// Signing in and out. A token comes from one of three places:
//  - the sign-in link (`/#token=…`, printed by `foundry serve` and
//    `foundry login-link`): kept in this browser's localStorage;
//  - the page's host, when an IDE embeds it in a frame (postMessage, see
//    docs/web-workspace.md): kept in memory only, the host renews it;
//  - pasted on the sign-in page (a token from the identity provider).
// Every token is checked with `GET /me` before it is used, and the page
// signs out by itself when the token expires or the server refuses it.

const STORAGE_KEY = 'foundry.token';

/** A sign-in overtaken by a later one (its answer is dropped). */
class Superseded extends Error {}

/** Messages exchanged with an embedding host (`window.parent`). */
export const HostMessage = Object.freeze({
  ready: 'foundry:ready', // page → host: send me a token
  token: 'foundry:token', // host → page: {token}
  signedIn: 'foundry:signed-in', // page → host: {user}
  rejected: 'foundry:token-rejected', // page → host: {reason}; send another
  signedOut: 'foundry:signed-out', // page → host: {reason}
  stepUp: 'foundry:step-up', // page → host: {max_age, acr_values, reason}; send a token of a fresh sign-in
});

export class Auth extends EventTarget {
  constructor() {
    super();
    this.token = null;
    /** `GET /me`: {user, name, session, expires_at}. */
    this.me = null;
    /** Why the last sign-in ended or failed, shown on the sign-in page. */
    this.reason = null;
    this.source = null;
    this.expiryTimer = null;
    this.hostOrigin = null;
  }

  get signedIn() { return this.token !== null; }
  get embedded() { return window.parent !== window; }

  /** Signs in from the address, then the host or storage; resolves once settled. */
  async start() {
    const linked = this.takeLinkToken();
    if (linked) return linked;
    // Embedded, the host is the one authority on who is signed in (and the
    // browser may share this origin's storage with a page of its own).
    if (this.embedded) { this.listenToHost(); return undefined; }
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored) await this.signIn(stored, 'link').catch(() => {});
    return undefined;
  }

  /**
   * Signs in with the token of a sign-in link (`#token=…`) when the address
   * has one, also when a link is opened in a tab already signed in;
   * `null` when it has none. A refused link signs out, saying why.
   */
  takeLinkToken() {
    const linked = new URLSearchParams(location.hash.slice(1)).get('token');
    if (!linked) return null;
    // Out of the address bar (and the history) before anything else.
    history.replaceState(null, '', `${location.pathname}${location.search}#/`);
    return this.signIn(linked, 'link').catch((error) => { if (!(error instanceof Superseded) && this.signedIn) this.signOut(this.reason); });
  }

  /**
   * Checks `token` with the server and signs in with it. Rejects with the
   * server's reason (expired, bad signature, …) and keeps that reason.
   */
  async signIn(token, source) {
    token = token.trim().replace(/^Bearer\s+/i, '');
    // A later sign-in (a host's token, a new link) wins over one still being checked.
    const attempt = (this.attempt = (this.attempt ?? 0) + 1);
    let response;
    try {
      response = await fetch('/me', { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
    } catch (error) {
      throw this.fail(`the server cannot be reached (${error.message})`, source);
    }
    const body = await response.json().catch(() => null);
    if (attempt !== this.attempt) throw new Superseded();
    if (!response.ok) throw this.fail(body?.error?.message ?? `the server answered ${response.status}`, source);
    this.token = token;
    this.me = body;
    this.source = source;
    this.reason = null;
    if (source !== 'host') localStorage.setItem(STORAGE_KEY, token);
    this.scheduleExpiry();
    this.tellHost(HostMessage.signedIn, { user: body.user });
    this.dispatchEvent(new Event('change'));
    return body;
  }

  fail(reason, source) {
    this.reason = `This token was refused: ${reason}.`;
    if (source === 'link') localStorage.removeItem(STORAGE_KEY);
    if (source === 'host') this.tellHost(HostMessage.rejected, { reason });
    this.dispatchEvent(new Event('change'));
    return new Error(reason);
  }

  /** Forgets the token everywhere. `reason` is shown on the sign-in page. */
  signOut(reason = null) {
    const wasHost = this.source === 'host';
    clearTimeout(this.expiryTimer);
    if (!wasHost) localStorage.removeItem(STORAGE_KEY);
    this.token = null;
    this.me = null;
    this.source = null;
    this.reason = reason;
    if (wasHost) this.tellHost(reason ? HostMessage.rejected : HostMessage.signedOut, { reason });
    this.dispatchEvent(new Event('change'));
  }

  /** The server refused the token in use (a 401 or close code 4401). */
  rejected(message) {
    if (!this.signedIn) return;
    this.signOut(`You were signed out: ${message}. Sign in again.`);
  }

  scheduleExpiry() {
    clearTimeout(this.expiryTimer);
    const expires = this.me?.expires_at ? new Date(this.me.expires_at).getTime() : NaN;
    if (Number.isNaN(expires)) return;
    // setTimeout holds at most ~24.8 days; a longer token is checked again then.
    const delay = Math.min(Math.max(expires - Date.now(), 0), 2 ** 31 - 1);
    this.expiryTimer = setTimeout(() => {
      if (Date.now() >= expires) this.signOut(`Your sign-in expired at ${new Date(expires).toLocaleString()}. Sign in again.`);
      else this.scheduleExpiry();
    }, delay);
  }

  /**
   * A signature (or a freeze) needs a fresher authentication than the
   * token's (RFC 9470): the embedding host is asked for one; a person signed
   * in by link is told what to do by the refused action.
   */
  stepUp(details) {
    this.tellHost(HostMessage.stepUp, { max_age: details.max_age ?? null, acr_values: details.acr_values ?? null, reason: details.message ?? '' });
  }

  /** Accepts tokens from the frame's parent only; says it is ready for one. */
  listenToHost() {
    window.addEventListener('message', (event) => {
      if (event.source !== window.parent || event.data?.type !== HostMessage.token || typeof event.data.token !== 'string') return;
      this.hostOrigin = event.origin;
      this.signIn(event.data.token, 'host').catch(() => {});
    });
    window.parent.postMessage({ type: HostMessage.ready }, '*');
  }

  tellHost(type, data) {
    if (this.embedded && this.hostOrigin) window.parent.postMessage({ type, ...data }, this.hostOrigin);
  }
}
