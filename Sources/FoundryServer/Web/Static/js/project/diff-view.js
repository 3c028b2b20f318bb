// A coloured diff of two versions, one block per changed field, from
// `GET …/diff?format=json`. A field that does not parse in the newer
// version has its problem line marked and named, so a broken JSON shows
// where it broke.

import { h, versionLabel } from '../dom.js';

/**
 * @param diff the JSON diff `{from, to, files: [{field, status, hunks}]}`
 * @param problems field → `{line, column, message}` of the `to` version's invalid fields
 */
export function renderDiff(diff, problems = {}) {
  if (diff.files.length === 0) {
    return h('p', { class: 'notice' }, `${versionLabel(diff.from)} and ${versionLabel(diff.to)} have the same content.`);
  }
  return h('div', { class: 'diff', 'aria-label': `Changes from ${versionLabel(diff.from)} to ${versionLabel(diff.to)}` },
    diff.files.map((file) => renderFile(file, problems[file.field], diff)));
}

function renderFile(file, problem, diff) {
  const rows = [];
  for (const hunk of file.hunks) {
    rows.push(h('tr', { class: 'hunk' }, h('td', { colspan: 4 }, `@@ −${hunk.old_start},${hunk.old_count} +${hunk.new_start},${hunk.new_count} @@`)));
    let oldLine = hunk.old_start;
    let newLine = hunk.new_start;
    for (const line of hunk.lines) {
      const kind = line.op === '+' ? 'ins' : line.op === '-' ? 'del' : 'ctx';
      const here = kind !== 'del' ? newLine : null;
      const broken = problem && here === problem.line;
      rows.push(h('tr', { class: `${kind}${broken ? ' problem' : ''}`, dataset: broken ? { problem: 'true' } : {} },
        h('td', { class: 'num' }, kind !== 'ins' ? oldLine : ''),
        h('td', { class: 'num' }, here ?? ''),
        h('td', { class: 'op', 'aria-label': kind === 'ins' ? 'added' : kind === 'del' ? 'removed' : '' }, line.op === ' ' ? '' : line.op),
        h('td', { class: 'text' }, line.text.replace(/\n$/, ''))));
      if (broken) {
        rows.push(h('tr', { class: 'problem-note' }, h('td', { colspan: 4 },
          `✗ ${file.field} does not parse in ${versionLabel(diff.to)} at line ${problem.line}, column ${problem.column}: ${problem.message}`)));
      }
      if (kind !== 'ins') oldLine += 1;
      if (kind !== 'del') newLine += 1;
    }
  }
  const shown = problem && !rows.some((row) => row.dataset.problem);
  return h('section', { class: 'diff-file', dataset: { field: file.field } },
    h('header', {}, h('h3', {}, file.field), h('span', { class: 'tag' }, file.status),
      problem ? h('span', { class: 'tag bad' }, `✗ invalid in ${versionLabel(diff.to)}: line ${problem.line}`) : null),
    shown ? h('p', { class: 'notice error' }, `✗ ${file.field} does not parse in ${versionLabel(diff.to)} at line ${problem.line}, column ${problem.column}: ${problem.message}`) : null,
    h('table', { class: 'diff-lines' },
      h('colgroup', {}, h('col', { class: 'num' }), h('col', { class: 'num' }), h('col', { class: 'op' }), h('col', { class: 'text' })),
      h('tbody', {}, rows)));
}
