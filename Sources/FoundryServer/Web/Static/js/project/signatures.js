// Electronic signatures on a version (docs/part11.md): who may sign which
// meaning, the dialog that signs, and the tags that show who signed.

import { ask, h, versionLabel, when } from '../dom.js';
import { tryInDialog } from '../explain.js';
import { projectPath } from '../api.js';

/** The meanings a person signs, their statements, and the roles that may sign them. */
export const MEANINGS = {
  authored: { statement: 'I am an author of this version and responsible for its content.', roles: ['owner', 'editor'] },
  reviewed: { statement: 'I have reviewed this version.', roles: ['owner', 'editor', 'reviewer'] },
  approved: { statement: 'I approve this version for release.', roles: ['owner', 'reviewer'] },
};

/**
 * Asks which meaning (those the role may sign) and an optional reason, then
 * signs `version`. Resolves with the signature, or null when cancelled or refused.
 */
export async function signVersion(ctx, version) {
  const allowed = Object.entries(MEANINGS).filter(([, meaning]) => meaning.roles.includes(ctx.model.role));
  const choices = allowed.map(([name, meaning], index) => h('label', { class: 'inline' },
    h('input', { type: 'radio', name: 'meaning', value: name, checked: index === allowed.length - 1 }),
    h('span', {}, h('strong', {}, name), ` — “${meaning.statement}”`)));
  const reason = h('input', { type: 'text', maxlength: 1024, 'aria-label': 'Reason (optional)' });
  const notice = h('div', { class: 'notice', role: 'alert' });
  let signature = null;
  // A refusal stays in the dialog: a step-up is answered by signing in anew and pressing Sign once more.
  const sign = () => tryInDialog(notice, async () => {
    const meaning = choices.map((choice) => choice.querySelector('input')).find((input) => input.checked)?.value;
    const body = { version, meaning };
    if (reason.value.trim()) body.reason = reason.value.trim();
    signature = await ctx.api.post(projectPath(ctx.model.id, 'signatures'), body);
    ctx.toast(`${versionLabel(version)} signed: ${meaning}.`);
  });
  await ask({
    title: `Sign ${versionLabel(version)}`,
    body: h('div', {},
      h('fieldset', {}, h('legend', {}, 'Meaning'), choices),
      h('label', {}, 'Reason (optional)', reason),
      h('p', { class: 'muted' }, `Signed as ${ctx.model.me.name || ctx.model.me.user}, with the time, the meaning and the exact bytes of ${versionLabel(version)}. A signature is permanent.`),
      notice),
    buttons: [{ label: 'Cancel', value: false }, { label: `Sign ${versionLabel(version)}`, class: 'primary', action: sign }],
    focus: 1,
  });
  return signature;
}

/** One tag per signature: meaning and printed name, the rest on hover. */
export function signatureTags(signatures) {
  return signatures.map((signature) => h('span', {
    class: `tag signature ${signature.meaning}`, dataset: { meaning: signature.meaning, signer: signature.signer_id },
    title: `${signature.statement} — ${signature.printed_name}${signature.signer_role ? ` (${signature.signer_role})` : ''}, ${when(signature.signed_at)}${signature.reason ? `: ${signature.reason}` : ''}`,
  }, `✔ ${signature.meaning} · ${signature.printed_name}`));
}
