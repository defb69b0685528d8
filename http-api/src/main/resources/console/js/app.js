// The console's shell: sign-in, the navigation, and one page at a time by the URL's hash
// (#/approvals, #/sessions, #/sessions/{id}, #/cluster). A page gets an AbortSignal that ends its
// streams and timers when the user leaves it.

import * as api from './api.js';
import { replace, el } from './dom.js';
import * as approvals from './approvals.js';
import * as sessions from './sessions.js';
import * as timeline from './timeline.js';
import * as cluster from './cluster.js';

const $ = (id) => document.getElementById(id);
let current = null;
let principal = null;

async function start() {
  $('sign-in').addEventListener('submit', async (event) => {
    event.preventDefault();
    api.signIn($('api-key').value);
    $('api-key').value = '';
    await enter();
  });
  $('sign-out').addEventListener('click', () => {
    api.signOut();
    principal = null;
    show();
  });
  window.addEventListener('hashchange', show);
  if (api.key()) await enter();
  else show();
}

async function enter() {
  try {
    principal = await api.me();
    $('sign-in-error').textContent = '';
  } catch (e) {
    api.signOut();
    principal = null;
    $('sign-in-error').textContent = 'Sign-in failed: ' + api.describe(e);
  }
  show();
}

function show() {
  if (current) current.abort();
  current = new AbortController();
  const signedIn = principal !== null;
  $('sign-in').hidden = signedIn;
  $('nav').hidden = !signedIn;
  $('sign-out').hidden = !signedIn;
  $('who').textContent = signedIn
    ? principal.user + ' @ ' + principal.tenant + ' (' + principal.roles.join(', ') + ')'
    : '';
  const page = $('page');
  if (!signedIn) {
    replace(page);
    $('api-key').focus();
    return;
  }
  const hash = location.hash || '#/approvals';
  for (const link of document.querySelectorAll('nav a')) {
    if (hash.startsWith(link.getAttribute('href'))) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const ctx = { principal, signal: current.signal };
  const sessionMatch = /^#\/sessions\/([A-Za-z0-9_-]{1,64})$/.exec(hash);
  if (sessionMatch) timeline.render(page, ctx, sessionMatch[1]);
  else if (hash.startsWith('#/sessions')) sessions.render(page, ctx);
  else if (hash.startsWith('#/cluster')) cluster.render(page, ctx);
  else if (hash.startsWith('#/approvals')) approvals.render(page, ctx);
  else replace(page, el('p', {}, 'No such page.'));
}

start();
