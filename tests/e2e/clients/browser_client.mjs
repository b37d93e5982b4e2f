// The event feed in a browser: Debian's Chromium (puppeteer-core, no browser download) opens a
// page of another origin (served here on PAGE_PORT; the gateway allows it by --cors-origins)
// whose EventSource clients (event_source_client.js) follow GET /v1/events:watch with the token
// in the query. This script drives grants lifecycles over the gateway's HTTP API, has the C++
// test (tests/browser/event_source_test.cc) restart the gateway while Redis is down, and checks what
// each page watcher got: commit order, resume without loss or duplicates (EventSource's own
// Last-Event-ID reconnect, and a reopen with start_cursor), nothing outside a token's tenant,
// CURSOR_EXPIRED and the resync through the lists.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import puppeteer from 'puppeteer-core';

import {
  EXPIRED_CURSOR, GATEWAY_HTTP, TOKENS, about, assertComplete, control, decide, done, openCall,
  pay, shape, sleep, step, submit, until,
} from './lifecycle.mjs';

const PAGE_PORT = Number(process.env.PAGE_PORT);
assert.ok(PAGE_PORT > 0, 'PAGE_PORT is not set (the C++ test sets it)');

// The page's origin differs from the gateway's (another port): the feed must work through CORS,
// as for a frontend served elsewhere.
const pageServer = http.createServer((req, res) => {
  if (req.url === '/event_source_client.js') {
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
    res.end(readFileSync(new URL('./event_source_client.js', import.meta.url)));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Händelser</title>
<script src="/event_source_client.js"></script></head><body><h1>Händelser</h1></body></html>`);
});
await new Promise((resolve) => pageServer.listen(PAGE_PORT, '127.0.0.1', resolve));

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  // As in web/test/browser.mjs: as root (CI) Chromium starts only without its sandbox; it visits
  // nothing but 127.0.0.1 here.
  args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-dev-shm-usage'],
});
const page = await browser.newPage();
page.on('console', (m) => console.log(`page: ${m.text()}`));
page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
await page.goto(`http://127.0.0.1:${PAGE_PORT}/`);

// The page's watchers: window.watchers[name] = { events, feed, stopped, cursorAtStop, resynced }.
await page.evaluate((gateway) => {
  window.watchers = {};
  window.startWatch = (name, token, { cursor = '', stopAfter = Infinity, resyncParent = '' }) => {
    const w = { events: [], stopped: false, cursorAtStop: '', resynced: [] };
    w.feed = followEvents({
      gateway, token, services: ['grants'], cursor,
      onEvent: (e) => {
        if (w.stopped) return;
        w.events.push(e);
        if (w.events.length >= stopAfter) {  // the page goes away mid-way
          w.stopped = true;
          w.cursorAtStop = w.feed.cursor();
          w.feed.close();
        }
      },
      // Resync: the lists (a cross-origin fetch with the Authorization header: a preflight).
      onResync: async () => {
        const r = await fetch(`${gateway}/v1/${resyncParent}/applications`,
          { headers: { authorization: `Bearer ${token}` } });
        w.resynced = ((await r.json()).applications ?? []).map((a) => a.name);
      },
    });
    window.watchers[name] = w;
  };
}, GATEWAY_HTTP);

const startWatch = (name, token, options = {}) =>
  page.evaluate((n, t, o) => window.startWatch(n, t, o), name, token, options);
const watcher = (name) => page.evaluate((n) => {
  const w = window.watchers[n];
  return { events: w.events, stopped: w.stopped, cursorAtStop: w.cursorAtStop,
    resynced: w.resynced, state: w.feed.state };
}, name);
async function waitFor(name, count) {
  await until(`${name}: ${count} events`, async () => (await watcher(name)).events.length >= count);
  return watcher(name);
}

const uppsala = { programme: 'programmes/bevakning-es-03' };
const skane = { programme: 'programmes/bevakning-es-12' };
const lifecycle = (call) => [
  ['ProgrammeChangedEvent', call.programme],
  ['CallChangedEvent', call.name],
  ['CallChangedEvent', call.name],
  ['ApplicationSubmittedEvent', call.application],
  ['ApplicationDecidedEvent', call.application],
  ['DisbursementPaidEvent', call.disbursement],
];
let cursorAtStop;

try {
  await step('EventSource watchers of both counties and of the applicant kommun are open', async () => {
    await startWatch('officer03', TOKENS.officer03);
    await startWatch('leaves', TOKENS.officer03, { stopAfter: 3 });
    await startWatch('officer12', TOKENS.officer12);
    await startWatch('kommun0380', TOKENS.kommun0380);
    for (const name of ['officer03', 'leaves', 'officer12', 'kommun0380']) {
      await until(`${name} open`, async () => (await watcher(name)).state.opens >= 1);
    }
  });

  await step('Uppsala: programme, call, application; one page watcher leaves after 3', async () => {
    uppsala.name = await openCall(TOKENS.admin03, '03', 'bevakning-es-03');
    uppsala.application = await submit(TOKENS.kommun0380, uppsala.name, '0380', 'Uppsala kommun');
    await waitFor('officer03', 4);
    await until('the page watcher to leave', async () => (await watcher('leaves')).stopped);
    ({ cursorAtStop } = await watcher('leaves'));
    assert.ok(cursorAtStop);
  });

  await step('the page that left reopens with start_cursor and gets the fourth event', async () => {
    // Its URL keeps that start_cursor: were Last-Event-ID not sent (or not to win) when it
    // reconnects below, it would get the events after that cursor a second time.
    await startWatch('reopened', TOKENS.officer03, { cursor: cursorAtStop });
    await waitFor('reopened', 1);
  });

  await step('the gateway restarts while Redis is down: EventSource keeps retrying', async () => {
    await control('stop-redis');
    await control('restart-gateway');
    // The new gateway cannot read the streams yet: it answers each reconnect with a stream that
    // ends at once (UNAVAILABLE), never with an HTTP error, after which EventSource would stop.
    for (const name of ['officer03', 'reopened']) {
      await until(`${name} to be turned away by the gateway without Redis`,
        async () => (await watcher(name)).state.ends.length >= 2);
    }
    await control('start-redis');
  });

  await step('meanwhile the decision, the payment, a Skåne lifecycle', async () => {
    await decide(TOKENS.officer03, uppsala.application);
    uppsala.disbursement = await pay(TOKENS.officer03, uppsala.application, 'LS-ES-0001');
    skane.name = await openCall(TOKENS.admin12, '12', 'bevakning-es-12');
    skane.application = await submit(TOKENS.kommun1280, skane.name, '1280', 'Malmö stad');
    await decide(TOKENS.officer12, skane.application);
    skane.disbursement = await pay(TOKENS.officer12, skane.application, 'LS-ES-0002');
  });

  await step('a second application comes live', async () => {
    uppsala.second = await submit(TOKENS.kommun0380, uppsala.name, '0380', 'Uppsala kommun');
    // Uppsala's six, Skåne's public two (the programme, the call opening: a draft call is not
    // public), the second submission.
    await waitFor('officer03', 9);
    await waitFor('reopened', 6);
    await sleep(1000);  // a duplicate or a stray event would have come by now
  });

  await step('EventSource resumed by itself after the restart: every event once, in order', async () => {
    const officer = await watcher('officer03');
    console.log(`officer03 stream: ${JSON.stringify(officer.state)}`);
    assertComplete(officer.events, 'officer03');
    const uppsalaEvents = officer.events.filter((e) => e.resource !== skane.programme &&
      e.resource !== skane.name);
    assert.deepEqual(shape(uppsalaEvents), [
      ...lifecycle(uppsala), ['ApplicationSubmittedEvent', uppsala.second]]);
    assert.deepEqual(shape(officer.events.filter((e) => !uppsalaEvents.includes(e))),
      [lifecycle(skane)[0], lifecycle(skane)[2]]);
    // The restart ended the stream (UNAVAILABLE, as the `end` event), so did the gateway while
    // it could not read Redis, and EventSource reconnected with Last-Event-ID each time, without
    // help from the application (no restart of its own).
    assert.ok(officer.state.opens >= 3, JSON.stringify(officer.state));
    assert.deepEqual(officer.state.ends.map((end) => end.code), officer.state.ends.map(() => 14));
    assert.equal(officer.state.restarts, 0, JSON.stringify(officer.state));
    // Per resource in commit order: the times never go back.
    for (const resource of new Set(officer.events.map((e) => e.resource))) {
      const times = officer.events.filter((e) => e.resource === resource)
        .map((e) => Date.parse(e.createTime));
      for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] <= times[i], resource);
    }
    // The page that left and reopened with start_cursor (and then went through the restart
    // too): the same events, each once.
    const left = await watcher('leaves');
    const reopened = await watcher('reopened');
    assert.deepEqual([...left.events, ...reopened.events].map((e) => e.eventId),
      officer.events.map((e) => e.eventId));
    assert.ok(reopened.state.opens >= 3 && reopened.state.restarts === 0,
      JSON.stringify(reopened.state));
  });

  await step('each page watcher sees its own tenant and the public records, nothing else', async () => {
    const other = (await watcher('officer12')).events;
    assertComplete(other, 'officer12');
    // Uppsala's programme and open call are public; the draft call and the application are not.
    assert.deepEqual(shape(about(other, uppsala.name)), [['CallChangedEvent', uppsala.name]]);
    assert.equal(about(other, uppsala.programme).length, 1);
    assert.deepEqual(shape(about(other, skane.name)), lifecycle(skane).slice(1));
    const officer = (await watcher('officer03')).events;
    assert.deepEqual(about(officer, skane.application), []);
    const kommun = (await watcher('kommun0380')).events;
    assertComplete(kommun, 'kommun0380');
    assert.deepEqual(shape(about(kommun, uppsala.application)), lifecycle(uppsala).slice(3));
    assert.equal(about(kommun, uppsala.second).length, 1);
    assert.deepEqual(about(kommun, skane.application), []);
  });

  await step('an expired cursor: CURSOR_EXPIRED, resync through the lists, watch from now', async () => {
    await startWatch('expired', TOKENS.officer03,
      { cursor: EXPIRED_CURSOR, resyncParent: uppsala.name });
    await until('the resync', async () => (await watcher('expired')).state.resyncs === 1);
    await until('the watch from now', async () => (await watcher('expired')).state.opens === 1);
    const expired = await watcher('expired');
    assert.deepEqual(expired.resynced.sort(), [uppsala.application, uppsala.second].sort());
    assert.deepEqual(expired.state.refusals, ['400 CURSOR_EXPIRED']);
    await decide(TOKENS.officer03, uppsala.second);
    const after = await waitFor('expired', 1);
    assert.deepEqual(shape(after.events), [['ApplicationDecidedEvent', uppsala.second]]);
  });
} finally {
  await browser.close();
  pageServer.close();
  done();
}
console.log('EventSource client: all checks passed');
