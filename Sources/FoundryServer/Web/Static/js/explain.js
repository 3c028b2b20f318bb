// Refusals in words: what happened and what to do next, from the server's
// error code and details (README › HTTP API, the status table).

import { versionLabel, when } from './dom.js';

const who = (user, names) => names?.(user) ?? user;

/**
 * A sentence for an `ApiError` (or a socket `ERROR`/`LOCK_DENIED`), with
 * `context` naming the field or action when the error does not.
 * `names` maps a user id to a display name.
 */
export function explain(error, { field, names } = {}) {
  const d = error.details ?? {};
  const subject = d.field ?? field;
  switch (error.code) {
    case 'LOCKED':
      return `${who(d.holder, names)} is editing ${subject} until ${when(d.expires_at)}. You can read it meanwhile; it frees when they save or cancel (an owner can release it under Members).`;
    case 'LOCK_NOT_HELD':
      return `You no longer hold the lock on ${subject} (it expired or was released). Your text is still here: click into the field to lock it again, then save.`;
    case 'STALE_BASE':
      return `${subject} was changed in ${versionLabel(d.changed_in)} after the version you started from. Your text is kept: compare, then keep yours (saved on top of the newest version) or take theirs.`;
    case 'PROJECT_FROZEN':
      return 'This project is frozen: its release is final and nothing in it can change any more. Its bundle is shown at the top; start a new project to keep working.';
    case 'FORBIDDEN':
      return `Your role${d.role ? ` (${d.role})` : ''} does not allow this. An owner can change your role under Members.`;
    case 'INVALID_CONTENT':
      return `${subject} in ${versionLabel(d.version)} does not parse at line ${d.line}, column ${d.column}: ${error.message.replace(/^.*?: /, '')}. Fix the field and save, then try again.`;
    case 'LOCKS_HELD':
      return `Someone is still editing (${d.fields} — ${d.holders}). They save or cancel first, or an owner releases their locks.`;
    case 'ALREADY_FROZEN':
      return `This project is already frozen (bundle ${d.bundle}).`;
    case 'CONFLICT':
      return `${error.message}. Reload the page to see the newest version, then try again.`;
    case 'NOTHING_TO_UNDO':
      return `Nothing to undo in ${subject}: every edit of it is undone already.`;
    case 'NOTHING_TO_REDO':
      return `Nothing to redo in ${subject}: no undo of it is waiting.`;
    case 'INSUFFICIENT_USER_AUTHENTICATION': {
      const recent = d.max_age ? ` from the last ${Math.round(Number(d.max_age) / 60) || 1} minute(s)` : '';
      const since = d.auth_time ? ` (yours is from ${when(d.auth_time)})` : '';
      return `Signing and freezing need a fresh sign-in${recent}${since}${d.missing === 'amr' ? ` with ${d.amr_missing}` : ''}. Sign in again — \`foundry login-link --user <you>\` prints a new link, or your identity provider signs you in anew (an embedding IDE has been asked) — then try again.`;
    }
    case 'APPROVAL_REQUIRED':
      return `${versionLabel(d.version)} needs ${d.required} approval(s) before it is frozen and has ${d.approvals}${d.approvers ? ` (${d.approvers})` : ''}. `
        + `A reviewer or an owner signs it "approved" under History${d.four_eyes === 'true' ? `, someone who is not one of its authors (${d.authors})` : ''}; then freeze.`;
    case 'RUNNER_NOT_CONFIGURED':
      return 'This server has no test runner. Restart it with --runner \'<command with {payload} and {run}>\' (make serve sets one).';
    case 'RUN_FINISHED':
      return 'That run has finished already.';
    case 'NETWORK':
      return `${error.message}. Check that the server is running; the page reconnects by itself.`;
    default:
      return error.message;
  }
}

/**
 * Runs the request of a dialog's button: true when it succeeded; otherwise
 * false, with the refusal in words in the dialog's `notice` (the dialog
 * stays open, e.g. to sign in anew and press the button again).
 */
export async function tryInDialog(notice, request) {
  try {
    await request();
    return true;
  } catch (error) {
    notice.className = 'notice error';
    notice.textContent = explain(error);
    return false;
  }
}

/** The words for a refused lock (`LOCK_DENIED`). */
export function explainDenied(data, names) {
  return explain({ code: 'LOCKED', details: { field: data.field, holder: data.holder, expires_at: data.expires_at } }, { names });
}
