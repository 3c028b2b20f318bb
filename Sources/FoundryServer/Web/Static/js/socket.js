// The project's socket (README › Real time): frames in, lock messages out.
// A dropped socket reconnects by itself with `?since=<last seq>&epoch=…`,
// so the server replays exactly what was missed (or sends RESYNC), and its
// state is announced for the page to show.

/** Close codes after which reconnecting cannot help. */
const FINAL = { 4401: 'auth', 4403: 'forbidden', 4404: 'gone' };
const BACKOFF = [500, 1000, 2000, 4000, 8000, 10000];
const PING_EVERY = 15000;
const SILENCE_LIMIT = 45000;

export class ProjectSocket {
  /**
   * @param onFrame called with each frame, in order
   * @param onState called with {state: connecting|live|reconnecting|closed, retryIn?, reason?}
   * @param onFinal called with (kind, reason) when the server will not take this socket
   */
  constructor({ project, auth, session, onFrame, onState, onFinal }) {
    Object.assign(this, { project, auth, session, onFrame, onState, onFinal });
    this.seq = null;
    this.epoch = null;
    this.attempt = 0;
    this.closed = false;
    this.ws = null;
  }

  get isOpen() { return this.ws?.readyState === WebSocket.OPEN; }

  open() {
    this.closed = false;
    this.connect();
    this.pinger = setInterval(() => this.keepAlive(), PING_EVERY);
  }

  connect() {
    const params = new URLSearchParams({ token: this.auth.token, session: this.session });
    if (this.seq !== null && this.epoch) {
      params.set('since', this.seq);
      params.set('epoch', this.epoch);
    }
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${scheme}//${location.host}/ws/project/${encodeURIComponent(this.project)}?${params}`);
    this.ws = ws;
    this.lastHeard = Date.now();
    this.onState({ state: this.attempt === 0 && this.seq === null ? 'connecting' : 'reconnecting' });
    ws.onopen = () => {
      this.attempt = 0;
      this.onState({ state: 'live' });
    };
    ws.onmessage = (event) => {
      this.lastHeard = Date.now();
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (frame.type === 'SNAPSHOT' || frame.type === 'RESYNC') {
        this.seq = frame.data.seq;
        this.epoch = frame.data.epoch;
      } else if (typeof frame.seq === 'number') {
        this.seq = frame.seq;
      }
      this.onFrame(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws || this.closed) return;
      const final = FINAL[event.code];
      if (final) {
        this.stop();
        this.onState({ state: 'closed', reason: event.reason });
        this.onFinal(final, event.reason);
        return;
      }
      // 4400: the cursor was refused; start over with a snapshot.
      if (event.code === 4400) { this.seq = null; this.epoch = null; }
      const delay = BACKOFF[Math.min(this.attempt, BACKOFF.length - 1)];
      this.attempt += 1;
      this.onState({ state: 'reconnecting', retryIn: delay, reason: event.reason || `connection lost (${event.code})` });
      this.retryTimer = setTimeout(() => this.connect(), delay);
    };
  }

  /** Pings the server; a socket silent for too long is closed and reconnected. */
  keepAlive() {
    if (!this.isOpen) return;
    if (Date.now() - this.lastHeard > SILENCE_LIMIT) { this.ws.close(4000, 'no answer'); return; }
    this.send({ type: 'PING' });
  }

  /** Sends a message; false when the socket is not open. */
  send(message) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** Closes for good (leaving the project, signing out): the server releases this session's locks. */
  close() {
    this.stop();
    this.ws?.close(1000, 'leaving');
  }

  stop() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pinger);
  }

  /** Drops the connection as a network failure would (for the reconnect path). */
  drop() { this.ws?.close(4000, 'dropped'); }
}
