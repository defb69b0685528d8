// The console's only way to the node: the public API, with the key from sessionStorage as the
// Bearer header. The key never goes in a URL and never leaves this tab's sessionStorage.

const KEY = 'agent-runtime-api-key';

export function key() {
  return sessionStorage.getItem(KEY);
}

export function signIn(apiKey) {
  sessionStorage.setItem(KEY, apiKey);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

/** An error answer of the API: status, code and message as the API gave them. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || 'HTTP ' + status);
    this.status = status;
    this.code = code;
  }
}

/** Calls the API; resolves {status, headers, body} for a 2xx, rejects with an ApiError otherwise. */
export async function call(method, path, body) {
  const headers = { Authorization: 'Bearer ' + key(), Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
  });
  const textBody = await response.text();
  let json = null;
  try {
    json = textBody ? JSON.parse(textBody) : null;
  } catch (e) {
    json = null;
  }
  if (!response.ok) {
    const error = (json && json.error) || {};
    throw new ApiError(response.status, error.code, error.message || textBody);
  }
  return { status: response.status, headers: response.headers, body: json };
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body === undefined ? {} : body);

/** Who the key speaks for: {tenant, user, roles}. */
export async function me() {
  return (await get('/v1/me')).body;
}

export function describe(error) {
  if (error instanceof ApiError) {
    return error.status + (error.code ? ' ' + error.code : '') + ': ' + error.message;
  }
  return String(error && error.message ? error.message : error);
}
