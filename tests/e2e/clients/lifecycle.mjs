// What the event feed client tests share: the environment the C++ test gives them
// (tests/e2e/event_clients.h), grants lifecycles driven over the gateway's HTTP/JSON API, the
// control line protocol back to the test, and small waiting and checking helpers.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (the C++ test sets it; see event_clients.h)`);
  return value;
}

export const GATEWAY_GRPC = required('GATEWAY_GRPC');
export const GATEWAY_HTTP = required('GATEWAY_HTTP');
export const PROTO_DIRS = required('PROTO_DIRS').split(':');
export const TOKENS = JSON.parse(required('TOKENS'));
export const EXPIRED_CURSOR = required('EXPIRED_CURSOR');
export const GRANTS = 'lansstyrelsen.integration.grants.v1.';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Waits until `predicate()` holds, polling; fails with `what` after `timeoutMs`.
export async function until(what, predicate, timeoutMs = 20000) {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > giveUp) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// One named step of a script, printed as it passes (the C++ test shows the output on failure).
export async function step(name, body) {
  const started = Date.now();
  await body();
  console.log(`ok   ${name} (${Date.now() - started} ms)`);
}

// Asks the C++ test to act on the suite ("control: <request>" on stdout, its answer on stdin).
const replies = createInterface({ input: process.stdin });
const waiting = [];
replies.on('line', (line) => waiting.shift()?.(line));
export function control(request) {
  return new Promise((resolve, reject) => {
    waiting.push((line) => (line === 'ok' ? resolve() : reject(new Error(`${request}: ${line}`))));
    console.log(`control: ${request}`);
  });
}
// Lets the script end once it is done (stdin would keep it alive).
export function done() {
  replies.close();
}

// POST over the gateway's HTTP API as `token`; the response's JSON.
export async function post(token, path, body) {
  const response = await fetch(`${GATEWAY_HTTP}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `POST ${path}: ${text}`);
  return JSON.parse(text);
}

const day = (year, month, d) => ({ year, month, day: d });

// A county's programme and open call for kommuner (events: ProgrammeChanged, CallChanged on
// create and on open). The call's name.
export async function openCall(admin, lan, id) {
  await post(admin, `/v1/programmes?requestId=${randomUUID()}`, {
    name: `programmes/${id}`,
    displayName: `Program ${id}`,
    legalBasis: 'Förordning (2010:1122) § 37',
    description: 'Stöd till kommunernas mottagande.',
    lanskod: lan,
    eligibleApplicantTypes: ['APPLICANT_TYPE_KOMMUN'],
  });
  const hour = 3600 * 1000;
  const call = await post(admin, `/v1/calls?requestId=${randomUUID()}`, {
    programme: `programmes/${id}`,
    title: `Utlysning ${id}`,
    description: 'Utlysning.',
    openTime: new Date(Date.now() - hour).toISOString().replace(/\.\d+Z$/, 'Z'),
    closeTime: new Date(Date.now() + 720 * hour).toISOString().replace(/\.\d+Z$/, 'Z'),
    budget: { ore: '500000000' },
    maxAmountPerApplication: { ore: '100000000' },
    fundingPeriod: { startDate: day(2027, 1, 1), endDate: day(2027, 12, 31) },
    criteria: [{ id: 'behov', title: 'Behov', weight: 1 }],
  });
  await post(admin, `/v1/${call.name}:open`, { requestId: randomUUID() });
  return call.name;
}

// A kommun's application, drafted and submitted (event: ApplicationSubmitted). Its name.
export async function submit(kommunToken, call, kommunkod, displayName) {
  const application = await post(
    kommunToken,
    `/v1/${call}/applications?requestId=${randomUUID()}`,
    {
      applicant: { kommunkod, type: 'APPLICANT_TYPE_KOMMUN', displayName },
      projectTitle: 'Mottagande',
      description: 'Samordnare för mottagandet.',
      projectPeriod: { startDate: day(2027, 2, 1), endDate: day(2027, 11, 30) },
      budgetLines: [
        { category: 'BUDGET_CATEGORY_PERSONNEL', description: 'Samordnare', amount: { ore: '80000000' } },
      ],
      requestedAmount: { ore: '80000000' },
    },
  );
  await post(kommunToken, `/v1/${application.name}:submit`, { requestId: randomUUID() });
  return application.name;
}

// The officer's review and approval (event: ApplicationDecided).
export async function decide(officer, application) {
  await post(officer, `/v1/${application}/reviews`, {
    scores: [{ criterionId: 'behov', score: 4, comment: 'Tydligt behov' }],
    comment: 'Bör beviljas',
  });
  await post(officer, `/v1/${application}:decide`, {
    outcome: 'DECISION_OUTCOME_APPROVED',
    approvedAmount: { ore: '80000000' },
    conditions: 'Inga.',
    requestId: randomUUID(),
  });
}

// An instalment scheduled and paid (event: DisbursementPaid). The disbursement's name.
export async function pay(officer, application, reference) {
  const scheduled = await post(officer, `/v1/${application}/disbursements`, {
    amount: { ore: '80000000' },
    scheduledDate: day(2027, 2, 15),
  });
  await post(officer, `/v1/${scheduled.name}:pay`, { paymentReference: reference });
  return scheduled.name;
}

// The checks on what one watcher received, shared by both clients. `events` are WatchedEvents
// as objects (gRPC through proto-loader, SSE as JSON: the same camelCase names).
export function assertComplete(events, who) {
  for (const e of events) {
    assert.ok(e.eventId && e.type && e.service && e.resource && e.cursor, `${who}: ${JSON.stringify(e)}`);
    assert.ok(e.createTime, `${who}: no createTime on ${e.eventId}`);
  }
  const ids = events.map((e) => e.eventId);
  assert.equal(new Set(ids).size, ids.length, `${who} got an event twice: ${ids.join(' ')}`);
}

// [type, resource] of each event, for comparing with what a lifecycle should produce.
export const shape = (events) => events.map((e) => [e.type.replace(GRANTS, ''), e.resource]);

// The events whose resource is `resource` or lies below it.
export const about = (events, resource) =>
  events.filter((e) => e.resource === resource || e.resource.startsWith(`${resource}/`));
