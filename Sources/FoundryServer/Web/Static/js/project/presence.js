// Who is in the project: one avatar per user (several tabs count once),
// initials on the avatar, the name on hover and for screen readers.

import { colourClass, h, initials, replace } from '../dom.js';

export class Presence {
  constructor(model) {
    this.model = model;
    this.element = h('ul', { class: 'presence', 'aria-label': 'People in this project' });
    model.addEventListener('change', (event) => {
      if (['snapshot', 'users'].includes(event.detail)) this.render();
    });
  }

  render() {
    const users = [...this.model.users.values()].sort((a, b) => a.user.localeCompare(b.user));
    replace(this.element, users.map(({ user, name }) => {
      const label = name && name !== user ? `${name} (${user})` : user;
      const me = user === this.model.me.user;
      return h('li', {},
        h('span', { class: `avatar ${colourClass(user)}${me ? ' me' : ''}`, title: me ? `${label} — you` : label, role: 'img', 'aria-label': label, dataset: { user } },
          initials(name || user)));
    }));
  }
}
