// One session's timeline: every turn with its steps (model calls with duration and tokens, tool
// calls with arguments, result excerpt, outcome and duration, approvals with who decided and
// when, in-doubt calls marked), folded from the session's event stream and following it live.
// Operators get suspend, resume and terminate, each behind a confirmation.

import * as api from './api.js';
import { follow } from './sse.js';
import { el, text, usd, pretty, excerpt, time, replace, confirmAction } from './dom.js';

export function render(page, ctx, id) {
  const path = '/v1/sessions/' + encodeURIComponent(id);
  const summary = el('p', { id: 'session-summary', 'aria-live': 'polite' }, 'Loading…');
  const notice = el('p', { id: 'session-notice', role: 'status' });
  const turns = el('div', { id: 'turns' });
  const live = el('p', { id: 'stream-status', class: 'muted' });
  const actions = el('div', { class: 'toolbar', id: 'session-actions' });
  if (ctx.principal.roles.includes('operator')) {
    for (const [action, label] of [['suspend', 'Suspend'], ['resume', 'Resume'], ['terminate', 'Terminate']]) {
      const button = el('button', { type: 'button', id: 'action-' + action, class: action === 'terminate' ? 'danger' : '' }, label);
      button.addEventListener('click', async () => {
        if (!(await confirmAction(label + ' session ' + id + '?'))) return;
        try {
          await api.post(path + '/' + action, {});
          notice.textContent = label + ': done.';
          refresh();
        } catch (e) {
          notice.textContent = label + ' refused: ' + api.describe(e);
        }
      });
      actions.append(button);
    }
  }
  replace(page, el('p', {}, el('a', { href: '#/sessions' }, '← Sessions')), el('h1', {}, 'Session ', id), summary, actions, notice, live, turns);
  const refresh = async () => {
    try {
      const read = await api.get(path);
      const s = read.body;
      const usage = s.usage || {};
      summary.textContent =
        'Status ' + text(s.status) + ' · owner ' + text(s.owner && s.owner.user) + ' · node ' + text(read.headers.get('X-Agent-Node')) +
        ' · tokens ' + text(usage.inputTokens) + ' in / ' + text(usage.outputTokens) + ' out · cost ' + usd(usage.costUsd);
      summary.dataset.status = s.status;
    } catch (e) {
      summary.textContent = 'Could not read the session: ' + api.describe(e);
    }
  };
  refresh();
  const state = { turns: new Map(), calls: new Map(), asked: new Map(), approvals: new Map(), container: turns, refresh };
  follow(path + '/events', (event) => apply(state, event), ctx.signal, (s) => (live.textContent = 'Event stream: ' + s));
}

function turn(state, turnId) {
  if (!turnId) return null;
  let t = state.turns.get(turnId);
  if (!t) {
    const status = el('span', { class: 'badge turn-status' }, 'running');
    const steps = el('div', { class: 'steps' });
    const end = el('div', { class: 'turn-end' });
    const node = el('section', { class: 'turn', 'data-turn': turnId }, el('h2', {}, 'Turn ', turnId, ' ', status), steps, end);
    t = { node, status, steps, end, lastAt: null };
    state.turns.set(turnId, t);
    state.container.prepend(node);
  }
  return t;
}

function step(t, kind, ...children) {
  const node = el('div', { class: 'step ' + kind }, ...children);
  t.steps.append(node);
  return node;
}

function toolStep(state, t, toolCallId, tool, args, startedAt) {
  const outcome = el('span', { class: 'badge outcome' }, startedAt ? 'running' : 'not run');
  const detail = el('div', { class: 'detail' });
  const node = step(t, 'tool', el('strong', {}, 'Tool call '), text(tool), ' ', outcome, el('div', {}, 'arguments'), pretty(args), detail);
  node.dataset.toolCall = toolCallId;
  const call = { node, outcome, detail, startedAt };
  state.calls.set(toolCallId, call);
  return call;
}

function seconds(from, to) {
  if (!from || !to) return '-';
  const ms = new Date(to) - new Date(from);
  return isNaN(ms) ? '-' : (ms / 1000).toFixed(2) + ' s';
}

function apply(state, { type, data }) {
  if (!data || typeof data !== 'object') return;
  const t = turn(state, data.turnId);
  switch (type) {
    case 'user_message':
    case 'user_message_steered':
      step(t, 'user', el('strong', {}, 'User'), ' ', time(data.at), ': ', excerpt(data.content, 500));
      t.lastAt = data.at;
      break;
    case 'turn_started':
      t.lastAt = data.at;
      break;
    case 'assistant_message':
      step(
        t,
        'model',
        el('strong', {}, 'Model call'),
        ' (step ', text(data.step), ') ', seconds(t.lastAt, data.at), ' · tokens ', text(data.inputTokens), ' in / ', text(data.outputTokens), ' out',
        data.content ? el('div', {}, excerpt(data.content, 500)) : null,
        (data.toolCalls || []).length ? el('div', { class: 'muted' }, 'asks for: ', data.toolCalls.map((c) => c.name).join(', ')) : null,
      );
      t.lastAt = data.at;
      break;
    case 'tool_call_started':
    case 'client_tool_call_requested':
      toolStep(state, t, data.toolCallId, data.tool, data.arguments, data.at);
      break;
    case 'tool_call_succeeded':
    case 'tool_call_failed':
    case 'tool_call_rejected':
    case 'tool_call_cancelled':
    case 'tool_call_in_doubt': {
      const asked = state.asked.get(data.toolCallId) || {};
      // A call refused at its approval never started: its step shows now, with what was asked.
      const call = state.calls.get(data.toolCallId) || toolStep(state, t, data.toolCallId, asked.tool, asked.arguments, null);
      const outcome = type.replace('tool_call_', '');
      call.outcome.textContent = outcome.replace('_', '-') + (call.startedAt ? ' · ' + seconds(call.startedAt, data.at) : '');
      if (type === 'tool_call_in_doubt') {
        call.node.classList.add('in-doubt');
        call.outcome.classList.add('in-doubt');
        call.outcome.textContent = 'IN DOUBT: may have run, answer lost · ' + seconds(call.startedAt, data.at);
      }
      const said = data.result !== undefined ? excerpt(data.result) : data.code ? data.code + ': ' + text(data.message) : data.reason;
      if (said) call.detail.replaceChildren(el('div', { class: 'muted' }, 'result: ', said));
      t.lastAt = data.at;
      break;
    }
    case 'approval_requested': {
      const decision = el('span', { class: 'badge decision' }, 'pending');
      state.asked.set(data.toolCallId, { tool: data.tool, arguments: data.arguments });
      const node = step(
        t,
        'approval',
        el('strong', {}, 'Approval '),
        text(data.approvalId),
        ' for ',
        text(data.tool),
        ' ',
        decision,
        el('div', { class: 'muted' }, 'requested ', time(data.at), ' · deadline ', time(data.expiresAt)),
        pretty(data.arguments),
      );
      state.approvals.set(data.approvalId, { node, decision });
      state.refresh();
      break;
    }
    case 'approval_granted':
    case 'approval_denied':
    case 'approval_expired':
    case 'approval_withdrawn':
    case 'in_doubt_resolved': {
      const a = state.approvals.get(data.approvalId);
      const what = type === 'in_doubt_resolved' ? 'resolved: ' + text(data.decision) : type.replace('approval_', '');
      if (a) {
        a.decision.textContent = what + ' by ' + text(data.by) + ' at ' + time(data.at) + (data.comment ? ' — “' + data.comment + '”' : '');
      }
      break;
    }
    case 'turn_completed':
    case 'turn_failed':
    case 'turn_cancelled':
      t.status.textContent = type.replace('turn_', '');
      t.end.replaceChildren(
        el('div', {}, type === 'turn_completed' ? 'Output: ' + excerpt(data.output, 1000) : text(data.code || data.reason) + ': ' + text(data.message || data.by)),
      );
      state.refresh();
      break;
    default:
      break;
  }
}
