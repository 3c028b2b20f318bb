// The sign-in page: how to get a link, a box for a pasted token (from an
// identity provider), and why the last sign-in ended, when it did.

import { h } from './dom.js';

export function signInPage(auth) {
  const token = h('textarea', { id: 'token-input', rows: 4, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'token-help', required: true });
  const notice = h('div', { class: `notice ${auth.reason ? 'error' : ''}`, role: 'alert' }, auth.reason ?? '');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', {
    class: 'card signin',
    onsubmit: async (event) => {
      event.preventDefault();
      submit.disabled = true;
      try {
        await auth.signIn(token.value, 'paste');
      } catch {
        notice.className = 'notice error';
        notice.textContent = auth.reason;
        submit.disabled = false;
      }
    },
  },
  h('h2', {}, 'Paste a token'),
  h('p', { id: 'token-help', class: 'muted' }, 'A bearer token (JWT) from your identity provider, or from ', h('code', {}, 'foundry token --user <you>'), '.'),
  h('label', { for: 'token-input' }, 'Token'), token,
  h('div', { class: 'form-row' }, submit));
  return h('div', { class: 'page' },
    h('h1', {}, 'Sign in to the workspace'),
    notice,
    h('section', { class: 'card' },
      h('h2', {}, 'With a sign-in link'),
      h('p', {}, h('code', {}, 'foundry serve'), ' (and ', h('code', {}, 'make serve'), ') prints a link when it starts. For anyone else, run this where the server runs and open the link it prints:'),
      h('pre', {}, 'foundry login-link --user <name> [--url http://host:port]')),
    form,
    auth.embedded ? h('p', { class: 'muted' }, 'This page is embedded: the IDE signs it in when it sends a token.') : null);
}
