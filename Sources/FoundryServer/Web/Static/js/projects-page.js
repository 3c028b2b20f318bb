// The projects the signed-in user is a member of (with their role), and a
// form to create one. Importing a directory is the CLI's: `foundry import`.

import { h, replace, timeElement, versionLabel } from './dom.js';
import { explain } from './explain.js';

/** The fields a new project starts with when asked to. */
const STARTER = { system_prompt: '', 'model_config.json': '{\n}\n', 'topology.yaml': '' };

export async function projectsPage(api, me) {
  const rows = h('tbody');
  const notice = h('div', { class: 'notice', role: 'alert' });
  const name = h('input', { type: 'text', required: true, 'aria-label': 'Project name', placeholder: 'Oncology Clinical Protocol Agent' });
  const id = h('input', { type: 'text', 'aria-label': 'Project id (optional)', placeholder: 'from the name', pattern: '[a-z0-9][a-z0-9-]{0,62}' });
  const starter = h('input', { type: 'checkbox', checked: true });
  const load = async () => {
    const { projects } = await api.get('/projects');
    projects.sort((a, b) => a.name.localeCompare(b.name));
    replace(rows, projects.length ? projects.map((project) => h('tr', { dataset: { project: project.id } },
      h('td', {}, h('a', { href: `#/p/${encodeURIComponent(project.id)}` }, project.name), h('div', { class: 'muted mono' }, project.id)),
      h('td', {}, h('span', { class: 'tag role' }, project.members?.[me.user] ?? '')),
      h('td', {}, project.state === 'frozen' ? h('span', { class: 'tag' }, 'frozen') : 'open'),
      h('td', {}, versionLabel(project.head_version)),
      h('td', { class: 'muted' }, project.created_by, ' · ', timeElement(project.created_at))))
      : h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'You are not a member of any project yet. Create one below, or ask an owner to add you.')));
  };
  const create = async (event) => {
    event.preventDefault();
    const body = { name: name.value.trim() };
    if (id.value.trim()) body.id = id.value.trim();
    if (starter.checked) body.fields = STARTER;
    try {
      const project = await api.post('/projects', body);
      location.hash = `#/p/${encodeURIComponent(project.id)}`;
    } catch (error) {
      notice.className = 'notice error';
      notice.textContent = explain(error);
    }
  };
  await load();
  return h('div', { class: 'page' },
    h('h1', {}, 'Projects'),
    h('table', { 'aria-label': 'Your projects' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Project'), h('th', {}, 'Your role'), h('th', {}, 'State'), h('th', {}, 'Head'), h('th', {}, 'Created'))),
      rows),
    h('form', { class: 'card', onsubmit: create },
      h('h2', {}, 'New project'),
      h('div', { class: 'form-row' }, h('label', {}, 'Name', name), h('label', {}, 'Id (optional)', id)),
      h('label', { class: 'inline' }, starter, 'Start with an empty system_prompt, model_config.json and topology.yaml'),
      h('div', { class: 'form-row' }, h('button', { type: 'submit', class: 'primary' }, 'Create project')),
      notice,
      h('p', { class: 'muted' }, 'To bring in an existing agent directory: ', h('code', {}, 'foundry import <dir> --project <id> --user <you>'), '.')));
}
