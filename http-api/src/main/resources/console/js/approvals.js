// The approvals inbox: the tenant's pending approvals, oldest first, live. It reads the tenant
// listing GET /v1/approvals and follows GET /v1/approvals/events (polling the listing when the
// feed is refused); on a node without the listing (404) it polls the caller's sessions awaiting
// approval and their per-session lists. Keys without the approver role see the rows and no buttons (the API refuses them too).

import * as api from './api.js';
import { follow } from './sse.js';
import { el, text, pretty, time, replace } from './dom.js';

const RELIST_AFTER_MS = 1500;
const POLL_MS = 2000;
const MAX_PAGES = 10;

export function render(page, ctx) {
  const approver = ctx.principal.roles.includes('approver');
  const status = el('p', { id: 'approvals-status', class: 'muted', 'aria-live': 'polite' }, 'Loading…');
  const body = el('tbody', { id: 'approvals-rows' });
  const table = el(
    'table',
    { id: 'approvals' },
    el('caption', { class: 'muted' }, 'Oldest first'),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ['Session', 'Tool', 'Arguments', 'Reason', 'Requested', 'Deadline', 'On expiry', 'Decision'].map((h) =>
          el('th', { scope: 'col' }, h),
        ),
      ),
    ),
    body,
  );
  const notice = el('p', { id: 'approvals-notice', role: 'status' });
  replace(
    page,
    el('h1', {}, 'Approvals'),
    approver ? null : el('p', { id: 'no-approver' }, 'This key has no approver role: it sees the list and cannot decide.'),
    notice,
    status,
    table,
  );
  const rows = new Map();
  const inbox = { body, rows, approver, notice, signal: ctx.signal };
  load(inbox, status);
}

async function load(inbox, status) {
  let list = tenantApprovals;
  try {
    setRows(inbox, await list());
  } catch (e) {
    if (!(e instanceof api.ApiError && e.status === 404)) {
      status.textContent = 'Could not load: ' + api.describe(e);
      return;
    }
    list = sessionApprovals; // a node without the tenant listing
  }
  if (list === tenantApprovals) {
    // Live through the feed; a node that refuses it (say, one without it yet) is polled instead.
    let refused = false;
    await follow(
      '/v1/approvals/events',
      (event) => onEvent(inbox, event),
      inbox.signal,
      (s) => {
        refused = s.startsWith('stream refused');
        status.textContent = s === 'live' ? 'Live.' : 'Feed: ' + s;
        // On every (re)connect the listing is read again: what changed while no feed ran shows.
        // The listing finds sessions through the status directory, which may lag a write by up
        // to a second: read it once more after that, so an approval asked just before the feed
        // opened is not missed for good.
        if (s === 'live') {
          const reread = () => list().then((rows) => setRows(inbox, rows), () => {});
          reread();
          setTimeout(() => inbox.signal.aborted || reread(), RELIST_AFTER_MS);
        }
      },
    );
    if (!refused) return;
  }
  while (!inbox.signal.aborted) {
    try {
      setRows(inbox, await list());
      status.textContent = 'Updated ' + time(new Date().toISOString()) + ' (polling).';
    } catch (e) {
      status.textContent = 'Could not load: ' + api.describe(e);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function tenantApprovals() {
  const all = [];
  let cursor = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const query = 'status=pending&limit=100' + (cursor ? '&after=' + encodeURIComponent(cursor) : '');
    const page = (await api.get('/v1/approvals?' + query)).body;
    all.push(...page.data);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return all;
}

async function sessionApprovals() {
  const ids = [];
  let cursor = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const query = 'status=awaiting_approval&limit=100' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
    const page = (await api.get('/v1/sessions?' + query)).body;
    ids.push(...(page.sessions || page.data || []).map((s) => s.id));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  const lists = await Promise.all(
    ids.map((id) =>
      api
        .get('/v1/sessions/' + encodeURIComponent(id) + '/approvals')
        .then((r) => r.body.map((a) => ({ ...a, sessionId: id })))
        .catch(() => []),
    ),
  );
  return lists.flat().filter((a) => !a.status || a.status === 'pending');
}

function onEvent(inbox, event) {
  if (event.type === 'approval_requested' && event.data && event.data.id) {
    setRows(inbox, [...[...inbox.rows.values()].map((r) => r.approval), event.data]);
  } else if ((event.type === 'approval_decided' || event.type === 'approval_expired') && event.data) {
    drop(inbox, event.data.id);
  }
}

function drop(inbox, id) {
  const row = inbox.rows.get(id);
  if (row) {
    row.node.remove();
    inbox.rows.delete(id);
  }
}

/** Shows exactly `approvals`, oldest first; rows already shown keep their node (and a typed comment). */
function setRows(inbox, approvals) {
  const byId = new Map(approvals.map((a) => [a.id, a]));
  for (const id of [...inbox.rows.keys()]) if (!byId.has(id)) drop(inbox, id);
  const sorted = [...byId.values()].sort(
    (a, b) => String(a.requestedAt).localeCompare(String(b.requestedAt)) || String(a.id).localeCompare(String(b.id)),
  );
  for (const approval of sorted) {
    if (!inbox.rows.has(approval.id)) inbox.rows.set(approval.id, { approval, node: row(inbox, approval) });
    inbox.body.append(inbox.rows.get(approval.id).node);
  }
  if (sorted.length === 0) {
    inbox.body.replaceChildren(el('tr', { id: 'approvals-empty' }, el('td', { colspan: 8 }, 'Nothing waits for a decision.')));
  } else {
    const empty = document.getElementById('approvals-empty');
    if (empty) empty.remove();
  }
}

function row(inbox, a) {
  const sessionLink = el('a', { href: '#/sessions/' + encodeURIComponent(a.sessionId) }, text(a.sessionId));
  return el(
    'tr',
    { 'data-approval': a.id, class: 'approval' },
    el('td', {}, sessionLink),
    el('td', { class: 'tool' }, text(a.tool)),
    el('td', { class: 'arguments' }, pretty(a.arguments)),
    el('td', { class: 'reason' }, text(a.reason)),
    el('td', {}, time(a.requestedAt)),
    el('td', { class: 'deadline' }, time(a.expiresAt)),
    el('td', {}, text(a.onExpiry)),
    el('td', {}, inbox.approver ? decideForm(inbox, a) : el('span', { class: 'muted' }, 'needs approver')),
  );
}

function decideForm(inbox, a) {
  const inputId = 'comment-' + a.id;
  const comment = el('input', { id: inputId, type: 'text', class: 'comment', maxlength: 1000 });
  const choices = a.reason === 'in_doubt' ? [['retry', 'Retry'], ['fail', 'Fail']] : [['approve', 'Approve'], ['deny', 'Deny']];
  const buttons = choices.map(([decision, label]) => {
    const button = el('button', { type: 'button', class: decision === 'approve' || decision === 'retry' ? 'approve' : 'deny' }, label);
    button.addEventListener('click', () => decide(inbox, a, decision, comment.value, buttons));
    return button;
  });
  return el('div', { class: 'decide' }, el('label', { for: inputId }, 'Comment'), comment, el('div', {}, buttons));
}

async function decide(inbox, a, decision, comment, buttons) {
  buttons.forEach((b) => (b.disabled = true));
  const path = '/v1/sessions/' + encodeURIComponent(a.sessionId) + '/approvals/' + encodeURIComponent(a.id);
  try {
    const body = { decision };
    if (comment) body.comment = comment;
    await api.post(path, body);
    inbox.notice.textContent = 'Decided ' + a.id + ': ' + decision + '.';
    drop(inbox, a.id);
  } catch (e) {
    inbox.notice.textContent = 'Not decided (' + a.id + '): ' + api.describe(e);
    buttons.forEach((b) => (b.disabled = false));
  }
}
