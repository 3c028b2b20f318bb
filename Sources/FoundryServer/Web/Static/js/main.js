// The web workspace's entry point: signs in, then shows the page the
// address names — `#/` the projects, `#/p/<id>/<tab>` a project.

import { Api } from './api.js';
import { Auth } from './auth.js';
import { h, replace } from './dom.js';
import { explain } from './explain.js';
import { signInPage } from './signin-page.js';
import { projectsPage } from './projects-page.js';
import { ProjectPage } from './project/project-page.js';

/**
 * This tab's session: its locks belong to it, and every HTTP request and
 * its socket name it. A new one per page load, so a reload never inherits
 * the locks (or half-typed text) of the page it replaced.
 */
const session = `web-${crypto.getRandomValues(new Uint32Array(2)).reduce((text, n) => text + n.toString(16).padStart(8, '0'), '')}`;

const auth = new Auth();
const api = new Api(auth, session);
const main = document.getElementById('main');
const account = document.getElementById('account');
const crumbs = document.getElementById('crumbs');
let project = null;

/** `#/p/<id>/<tab>` → {id, tab}; anything else is the projects list. */
function parseRoute() {
  const match = location.hash.match(/^#\/p\/([^/]+)(?:\/([a-z]+))?/);
  return match ? { id: decodeURIComponent(match[1]), tab: match[2] ?? 'fields' } : { id: null };
}

function leaveProject() {
  project?.close();
  project = null;
}

async function route() {
  renderAccount();
  if (!auth.signedIn) {
    leaveProject();
    replace(crumbs);
    replace(main, signInPage(auth));
    document.title = 'Sign in · coreason-foundry';
    return;
  }
  const { id, tab } = parseRoute();
  if (id && project?.id === id) { project.showTab(tab); return; }
  leaveProject();
  try {
    if (id) {
      replace(crumbs, h('a', { href: '#/' }, 'Projects'), h('span', {}, '›'), h('span', {}, id));
      document.title = `${id} · coreason-foundry`;
      project = new ProjectPage({ id, api, auth });
      replace(main, project.element);
      await project.open(tab);
    } else {
      replace(crumbs, h('span', {}, 'Projects'));
      document.title = 'Projects · coreason-foundry';
      const page = await projectsPage(api, auth.me);
      if (!parseRoute().id) replace(main, page);
    }
  } catch (error) {
    if (!auth.signedIn) return;
    replace(main, h('div', { class: 'page' }, h('p', { class: 'notice error' }, explain(error)), h('a', { href: '#/' }, 'Back to your projects')));
  }
}

function renderAccount() {
  if (!auth.signedIn) { replace(account); return; }
  const { user, name } = auth.me;
  replace(account,
    h('span', { class: 'who', title: `session ${session}` }, 'Signed in as ', h('strong', { dataset: { user } }, name || user)),
    h('button', { type: 'button', onclick: () => auth.signOut() }, 'Sign out'));
}

let started = false;
auth.addEventListener('change', () => {
  if (!auth.signedIn) leaveProject();
  if (started) route();
});
window.addEventListener('hashchange', () => { if (!auth.takeLinkToken()) route(); });
// Leaving the page (closing the tab, navigating away, or into the back-forward
// cache) closes the socket at once, so the server releases this tab's locks;
// a page shown again from that cache opens the project anew.
window.addEventListener('pagehide', leaveProject);
window.addEventListener('pageshow', (event) => { if (event.persisted) route(); });
auth.start().finally(() => { started = true; route(); });
