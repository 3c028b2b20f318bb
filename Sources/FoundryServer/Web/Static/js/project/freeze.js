// Freeze (owners): a confirmation that names what will happen, then
// `POST …/freeze`. A frozen project shows a banner with its bundle's
// files and SHA256SUMS, the publisher's and auditor's check.

import { ask, h, replace, timeElement, versionLabel } from '../dom.js';
import { explain, tryInDialog } from '../explain.js';
import { projectPath } from '../api.js';
import { signatureTags } from './signatures.js';

/**
 * Asks (naming the release policy and the approvals the head has), then
 * freezes the head version; resolves with the bundle or null.
 */
export async function confirmFreeze(ctx) {
  const { model } = ctx;
  const head = model.headVersion;
  const [policy, signed] = await Promise.all([
    ctx.api.get(projectPath(model.id, 'release-policy')),
    ctx.api.get(`${projectPath(model.id, 'signatures')}?version=${head}`),
  ]).catch((error) => { ctx.toast(explain(error), 'error'); return [null, null]; });
  if (!policy) return null;
  const approvals = signed.signatures.filter((signature) => signature.meaning === 'approved');
  const name = h('input', { type: 'text', placeholder: `${model.id}-0.1.${head}`, 'aria-label': 'Bundle name (optional)', pattern: '[a-z0-9][a-z0-9._-]{0,99}' });
  const reason = h('input', { type: 'text', maxlength: 1024, 'aria-label': 'Reason (optional)' });
  const notice = h('div', { class: 'notice', role: 'alert' });
  let bundle = null;
  // A refusal (approvals missing, someone editing, a step-up) stays in the dialog.
  const freeze = () => tryInDialog(notice, async () => {
    const body = { version: head };
    if (name.value.trim()) body.name = name.value.trim();
    if (reason.value.trim()) body.reason = reason.value.trim();
    bundle = await ctx.api.post(projectPath(model.id, 'freeze'), body);
    ctx.toast(`Frozen: bundle ${bundle.bundle} written.`);
  });
  await ask({
    title: `Freeze ${model.manifest.name} at ${versionLabel(head)}?`,
    body: h('div', {},
      h('ul', {},
        h('li', {}, `The project becomes read-only for everyone, for good: no saves, locks, reverts, undo, comments, tasks or runs. There is no unfreeze.`),
        h('li', {}, `A release bundle of ${versionLabel(head)} is written: every field's file, MANIFEST.json (versions, hashes, authors, signatures, who froze it and when) and SHA256SUMS.`),
        h('li', {}, `You sign it "released" (a fresh sign-in is needed), after the ${policy.approvals_required} approval(s) the release policy asks${policy.four_eyes ? ', by people who did not author it' : ''}: `,
          approvals.length ? signatureTags(approvals) : h('strong', {}, 'none yet'), '.'),
        h('li', {}, 'It is refused if someone is still editing, or if a JSON/YAML field does not parse.')),
      h('label', {}, 'Bundle name (optional)', name),
      h('label', {}, 'Reason (optional)', reason),
      notice),
    buttons: [{ label: 'Keep editing', value: false }, { label: `Freeze ${versionLabel(head)}`, class: 'danger', action: freeze }],
  });
  return bundle;
}

/** The banner of a frozen project: who froze which version, the bundle's files and checksums. */
export class FrozenBanner {
  constructor(ctx) {
    this.ctx = ctx;
    this.element = h('section', { class: 'banner frozen hidden', role: 'region', 'aria-label': 'Frozen project' });
  }

  async show() {
    const { api, model } = this.ctx;
    const { bundles } = await api.get(projectPath(model.id, 'bundles'));
    const bundle = bundles.at(-1);
    if (!bundle) return;
    const [manifest, sums] = await Promise.all([
      api.get(projectPath(model.id, 'bundles', encodeURIComponent(bundle.bundle))),
      api.text(projectPath(model.id, 'bundles', encodeURIComponent(bundle.bundle), 'SHA256SUMS')),
    ]);
    const files = Object.values(manifest.fields).sort((a, b) => a.path.localeCompare(b.path));
    replace(this.element,
      h('strong', {}, `Frozen at ${versionLabel(bundle.version)}`), ` by ${bundle.frozen_by} on `, timeElement(bundle.frozen_at),
      ` — read-only. Release bundle `, h('code', {}, `bundles/${bundle.bundle}/`), '. ',
      signatureTags(manifest.signatures ?? []),
      h('details', {}, h('summary', {}, `Files (${files.length}) and SHA256SUMS`),
        h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'File'), h('th', {}, 'Bytes'), h('th', {}, 'SHA-256'))),
          h('tbody', {}, files.map((file) => h('tr', {}, h('td', { class: 'mono' }, file.path), h('td', {}, file.size), h('td', { class: 'mono' }, file.sha256))))),
        h('p', {}, 'Check a copy with ', h('code', {}, 'sha256sum -c SHA256SUMS'), ':'),
        h('pre', { class: 'sha256sums', 'aria-label': 'SHA256SUMS' }, sums),
        h('button', { type: 'button', onclick: () => this.download(bundle.bundle) }, `Download ${bundle.bundle}.tar.gz`)));
    this.element.classList.remove('hidden');
  }

  /** The bundle's tarball, fetched with the bearer token and saved as a file. */
  async download(name) {
    try {
      const blob = await this.ctx.api.blob(projectPath(this.ctx.model.id, 'bundles', encodeURIComponent(name), 'archive.tar.gz'));
      const link = h('a', { href: URL.createObjectURL(blob), download: `${name}.tar.gz` });
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    } catch (error) {
      this.ctx.toast(explain(error), 'error');
    }
  }
}
