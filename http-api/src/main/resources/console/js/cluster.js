// The cluster, for operators: members with state, address and roles, sessions and shards per
// node, and "leave" for a node behind a confirmation (GET /v1/cluster and
// POST /v1/cluster/members/{node}/leave: Pekko's graceful leave, as `bin/agent-runtime cluster
// leave` asks of management).

import * as api from './api.js';
import { el, text, replace, confirmAction } from './dom.js';

export function render(page, ctx) {
  const note = el('p', { id: 'cluster-status', class: 'muted', 'aria-live': 'polite' }, 'Loading…');
  const notice = el('p', { id: 'cluster-notice', role: 'status' });
  const body = el('tbody', { id: 'members-rows' });
  const reload = el('button', { type: 'button', id: 'cluster-reload' }, 'Reload');
  replace(
    page,
    el('h1', {}, 'Cluster'),
    el('div', { class: 'toolbar' }, reload),
    notice,
    note,
    el(
      'table',
      { id: 'members' },
      el(
        'thead',
        {},
        el('tr', {}, ['Node', 'State', 'Reachable', 'Roles', 'Sessions', 'Shards', ''].map((h) => el('th', { scope: 'col' }, h))),
      ),
      body,
    ),
  );
  const operator = ctx.principal.roles.includes('operator');
  const load = async () => {
    try {
      const view = (await api.get('/v1/cluster')).body;
      body.replaceChildren(...view.members.map((m) => row(m, view, operator, notice, load)));
      note.textContent = view.members.length + ' members; this answer came from ' + text(view.self) + '.';
    } catch (e) {
      body.replaceChildren();
      note.textContent = 'Could not load: ' + api.describe(e);
    }
  };
  reload.addEventListener('click', load);
  load();
}

function row(m, view, operator, notice, load) {
  const cell = el('td', {});
  if (operator && (m.status === 'Up' || m.status === 'WeaklyUp')) {
    const leave = el('button', { type: 'button', class: 'danger leave', 'aria-label': 'Leave: ' + m.node }, 'Leave');
    leave.addEventListener('click', async () => {
      if (!(await confirmAction('Make node ' + m.node + ' leave the cluster? Its sessions move to the other nodes.'))) return;
      try {
        await api.post('/v1/cluster/members/' + encodeURIComponent(m.node) + '/leave', {});
        notice.textContent = 'Node ' + m.node + ' is leaving.';
      } catch (e) {
        notice.textContent = 'Leave refused: ' + api.describe(e);
      }
      load();
    });
    cell.append(leave);
  }
  return el(
    'tr',
    { 'data-node': m.node },
    el('td', {}, text(m.node), m.node === view.self ? el('span', { class: 'muted' }, ' (this node)') : null),
    el('td', { class: 'state' }, text(m.status)),
    el('td', {}, m.reachable === false ? 'unreachable' : 'yes'),
    el('td', {}, (m.roles || []).join(', ') || '-'),
    el('td', { class: 'sessions' }, text(m.sessions)),
    el('td', { class: 'shards' }, text(m.shards)),
    cell,
  );
}
