// Server-Sent Events with the Bearer header: EventSource cannot send headers, so the stream is
// read with fetch() and parsed here (the text/event-stream format: id, event, data lines, a blank
// line ends an event, lines starting with ':' are comments). On a cut it reconnects with
// Last-Event-ID, so nothing is missed or seen twice. The key never goes in the URL.

import { key } from './api.js';

/**
 * Follows `path` until `signal` aborts; calls onEvent({id, type, data}) with data parsed as JSON.
 * onStatus(text) hears about connects and errors. Resolves when aborted; an error answer (4xx)
 * stops it and reaches onStatus.
 */
export async function follow(path, onEvent, signal, onStatus = () => {}) {
  let lastId = null;
  while (!signal.aborted) {
    try {
      const headers = { Authorization: 'Bearer ' + key(), Accept: 'text/event-stream' };
      if (lastId !== null) headers['Last-Event-ID'] = lastId;
      const response = await fetch(path, { headers, signal, cache: 'no-store', credentials: 'omit' });
      if (!response.ok) {
        onStatus('stream refused: ' + response.status);
        if (response.status >= 400 && response.status < 500 && response.status !== 429) return;
      } else {
        onStatus('live');
        lastId = await read(response.body, onEvent, lastId);
        onStatus('reconnecting');
      }
    } catch (e) {
      if (signal.aborted) return;
      onStatus('reconnecting');
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function read(body, onEvent, lastId) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { id: null, type: 'message', data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return lastId;
    buffer += value;
    let newline;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (event.data.length > 0) {
          if (event.id !== null) lastId = event.id;
          let data = event.data.join('\n');
          try {
            data = JSON.parse(data);
          } catch (e) {
            // not JSON: handed on as text
          }
          onEvent({ id: event.id, type: event.type, data });
        }
        event = { id: null, type: 'message', data: [] };
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'id') event.id = value;
        else if (field === 'event') event.type = value;
        else if (field === 'data') event.data.push(value);
      }
    }
  }
}
