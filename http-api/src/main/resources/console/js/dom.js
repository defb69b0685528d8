// Building the page: every value from the API goes in as a text node (never as markup), so a tool
// argument holding <script> or <img onerror> shows as those characters and runs nothing.

/** An element with attributes (strings only; `on*` names are refused) and children (nodes or text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) throw new Error('no inline handlers: ' + name);
    node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A value the API may lack on this node's version: shown as "-". */
export function text(value) {
  return value === undefined || value === null || value === '' ? '-' : String(value);
}

/** An amount in US dollars (usage.costUsd), or "-" when the session's model has no prices. */
export function usd(value) {
  return typeof value === 'number' ? '$' + value : text(value);
}

/** JSON pretty-printed, as text. */
export function pretty(value) {
  return el('pre', {}, value === undefined ? '-' : JSON.stringify(value, null, 2));
}

/** A short excerpt of a value, as text. */
export function excerpt(value, max = 300) {
  const s = value === undefined ? '-' : typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > max ? s.slice(0, max) + '…' : s;
}

export function time(iso) {
  if (!iso) return '-';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

/** Asks through the page's confirmation dialog; resolves true only on "Confirm". */
export function confirmAction(question) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = question;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    document.getElementById('confirm-cancel').focus();
  });
}
