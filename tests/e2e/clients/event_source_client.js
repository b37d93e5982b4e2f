// A browser client of the gateway's event feed with nothing but EventSource and fetch: the
// example of services/gateway/README.md, served by browser_client.mjs to a page in Chromium.
// EventSource resumes by itself (it sends the last id as Last-Event-ID when it reconnects after
// the stream ended or the connection broke); only a refused start (an HTTP error instead of the
// stream, after which EventSource gives up) needs this code: CURSOR_EXPIRED resyncs through the
// lists and watches from now, anything else retries from the last cursor.

// Follows the feed at `gateway` (its origin; '' for the page's own) as the holder of `token`,
// from `cursor` ('' = from now). `onEvent(watchedEvent)` gets each event; `onResync()` (may be
// async) must reload what the application shows from the List methods after CURSOR_EXPIRED.
// Returns { close(), cursor(), state }, state counting how the stream went.
function followEvents({ gateway = '', token, services = [], cursor = '', onEvent, onResync }) {
  const state = { opens: 0, restarts: 0, resyncs: 0, ends: [], refusals: [] };
  let last = cursor;
  let source = null;
  let closed = false;

  const url = (from) =>
    `${gateway}/v1/events:watch?services=${encodeURIComponent(services.join(','))}` +
    `&access_token=${encodeURIComponent(token)}` +
    (from ? `&start_cursor=${encodeURIComponent(from)}` : '');

  // Why the gateway refused the watch: its HTTP status and the ErrorInfo reason of its JSON
  // google.rpc.Status; status 0 when it accepts the watch now (that stream is dropped at once) or
  // cannot be reached.
  async function refusal(from) {
    const abort = new AbortController();
    try {
      const response = await fetch(url(from), { signal: abort.signal });
      if (response.ok) return { status: 0, reason: '' };
      const body = await response.json();
      const info = (body.details ?? []).find((d) => d['@type']?.endsWith('google.rpc.ErrorInfo'));
      return { status: response.status, reason: info?.reason ?? '' };
    } catch {
      return { status: 0, reason: '' };
    } finally {
      abort.abort();
    }
  }

  function open() {
    if (closed) return;
    source = new EventSource(url(last));
    source.onopen = () => state.opens++;
    source.onmessage = (m) => {
      last = m.lastEventId;  // the event's cursor
      onEvent(JSON.parse(m.data));
    };
    // Heartbeats move the cursor past events this caller may not see.
    source.addEventListener('heartbeat', (m) => { last = m.lastEventId; });
    // The gateway ended the stream (shutting down: UNAVAILABLE; too slow: WATCH_TOO_SLOW);
    // EventSource reconnects with Last-Event-ID after the stream's `retry` delay.
    source.addEventListener('end', (m) => state.ends.push(JSON.parse(m.data)));
    source.onerror = async () => {
      if (closed || source.readyState !== EventSource.CLOSED) return;  // reconnecting itself
      state.restarts++;
      const { status, reason } = await refusal(last);
      state.refusals.push(status ? `${status} ${reason}` : 'none');
      if (reason === 'CURSOR_EXPIRED') {
        state.resyncs++;
        await onResync();
        last = '';
      } else if (status === 401 || status === 403) {
        return;  // a new token or other rights: the application's business
      }
      setTimeout(open, 1000);  // e.g. 503 from a gateway still starting: again, same cursor
    };
  }

  open();
  return {
    state,
    cursor: () => last,
    close() {
      closed = true;
      source?.close();
    },
  };
}
