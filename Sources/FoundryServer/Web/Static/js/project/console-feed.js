// A run's console in byte order. Console lines come from frames
// (CONSOLE_OUTPUT, live or the backlog a joining socket gets) and from
// `GET …/runs/{run}/console?from=<offset>`; both say at which byte of
// console.log each line starts, so merging them by offset writes every line
// once, in order, with no gap — whatever joined when.

import { projectPath } from '../api.js';
import { utf8Length } from '../dom.js';

export class ConsoleFeed {
  /**
   * @param write called with new lines `[{offset, ts, stream, text, user?}]`, in order
   */
  constructor({ api, project, run, write }) {
    Object.assign(this, { api, project, run, write });
    /** The next byte of console.log not shown yet. */
    this.next = 0;
    this.queue = Promise.resolve();
    this.stopped = false;
  }

  /** A CONSOLE_OUTPUT frame's data: `{offset, end, lines}`. */
  accept(data) { this.enqueue(() => this.apply(data)); }

  /** Everything in console.log so far (a run chosen from the list, or joined late). */
  catchUp() { this.enqueue(() => this.fill(Infinity)); }

  stop() { this.stopped = true; }

  enqueue(step) {
    this.queue = this.queue.then(() => (this.stopped ? undefined : step())).catch((error) => {
      this.write([{ offset: this.next, stream: 'system', text: `[the console could not be read: ${error.message}]\n` }]);
    });
  }

  apply({ offset, end, lines }) {
    if (end <= this.next) return undefined; // shown already
    const rest = () => {
      const fresh = lines.filter((line) => line.offset >= this.next);
      if (fresh.length) this.write(fresh);
      this.next = Math.max(this.next, end);
    };
    // A gap before this frame (it starts after what was shown): read the file up to it first.
    return offset > this.next ? this.fill(offset).then(rest) : rest();
  }

  /** Reads console.log from `next` up to byte `until` (or its end). */
  async fill(until) {
    const { body, response } = await this.api.request('GET', `${projectPath(this.project, 'runs', this.run, 'console')}?from=${this.next}`, { raw: true });
    if (this.stopped) return;
    const lines = [];
    let offset = this.next;
    const rows = body.split('\n');
    rows.pop(); // after the last newline
    for (const row of rows) {
      if (offset >= until) break;
      lines.push({ offset, ...parseLine(row) });
      offset += utf8Length(row) + 1;
    }
    if (lines.length) this.write(lines);
    this.next = Math.max(this.next, offset);
    const end = Number(response.headers.get('X-Next-Offset'));
    if (until === Infinity && Number.isFinite(end)) this.next = Math.max(this.next, end);
  }
}

/** A console.log line: JSON `{ts, stream, text, user?}`, or plain text read as stdout. */
function parseLine(row) {
  try {
    const entry = JSON.parse(row);
    if (entry && typeof entry.text === 'string') return entry;
  } catch { /* not JSON: written by hand */ }
  return { stream: 'stdout', text: `${row}\n` };
}
