// Sessions: the caller's (an operator's: the tenant's) sessions, filtered by status or found by
// id, with usage, cost and the node hosting each (the X-Agent-Node header of the session read).

import * as api from './api.js';
import { el, text, usd, time, replace } from './dom.js';

const STATUSES = ['', 'idle', 'running', 'awaiting_approval', 'awaiting_client', 'suspended', 'closed'];
const PAGE = 50;

export function render(page, ctx) {
  const status = el('select', { id: 'status-filter' }, STATUSES.map((s) => el('option', { value: s }, s || 'any')));
  const search = el('input', { id: 'session-search', type: 'search', placeholder: 'session id', maxlength: 64 });
  const form = el(
    'form',
    { class: 'toolbar', id: 'sessions-filter' },
    el('label', {}, 'Status', status),
    el('label', {}, 'Session id', search),
    el('button', { type: 'submit' }, 'Show'),
  );
  const note = el('p', { id: 'sessions-status', class: 'muted', 'aria-live': 'polite' });
  const body = el('tbody', { id: 'sessions-rows' });
  const more = el('button', { type: 'button', id: 'sessions-more', hidden: true }, 'More');
  replace(
    page,
    el('h1', {}, 'Sessions'),
    form,
    note,
    el(
      'table',
      { id: 'sessions' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['Session', 'Status', 'Owner', 'Created', 'Updated', 'Pending approvals', 'Tokens in / out', 'Cost', 'Node'].map((h) =>
            el('th', { scope: 'col' }, h),
          ),
        ),
      ),
      body,
    ),
    more,
  );
  let cursor = null;
  const show = async (append) => {
    note.textContent = 'Loading…';
    if (!append) body.replaceChildren();
    try {
      const id = search.value.trim();
      let ids;
      if (id) {
        ids = [id];
        cursor = null;
      } else {
        const query =
          'limit=' + PAGE + (status.value ? '&status=' + status.value : '') + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
        const list = (await api.get('/v1/sessions?' + query)).body;
        ids = (list.sessions || list.data || []).map((s) => s.id);
        cursor = list.nextCursor || null;
      }
      const rows = await Promise.all(ids.map((sid) => row(sid)));
      body.append(...rows);
      more.hidden = !cursor;
      note.textContent = body.children.length === 0 ? 'No sessions.' : body.children.length + ' shown.';
    } catch (e) {
      note.textContent = 'Could not load: ' + api.describe(e);
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    cursor = null;
    show(false);
  });
  more.addEventListener('click', () => show(true));
  show(false);
}

async function row(id) {
  try {
    const read = await api.get('/v1/sessions/' + encodeURIComponent(id));
    const s = read.body;
    const usage = s.usage || {};
    return el(
      'tr',
      { 'data-session': s.id },
      el('td', {}, el('a', { href: '#/sessions/' + encodeURIComponent(s.id) }, s.id)),
      el('td', { class: 'status' }, text(s.status)),
      el('td', {}, s.owner ? s.owner.user : '-'),
      el('td', {}, time(s.createdAt)),
      el('td', {}, time(s.updatedAt)),
      el('td', {}, text(s.pendingApprovals)),
      el('td', {}, text(usage.inputTokens) + ' / ' + text(usage.outputTokens)),
      el('td', {}, usd(usage.costUsd)),
      el('td', { class: 'node' }, text(read.headers.get('X-Agent-Node'))),
    );
  } catch (e) {
    return el('tr', { 'data-session': id }, el('td', {}, id), el('td', { colspan: 8, class: 'error' }, api.describe(e)));
  }
}
