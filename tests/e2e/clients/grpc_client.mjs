// A stock grpc-js client of the gateway's event feed (EventService/WatchEvents), the way an agency
// system would write one: @grpc/proto-loader reads the repository's .proto files, protobufjs
// unpacks the events (google.protobuf.Any) and the error details (google.rpc.Status). Run by
// tests/e2e/event_clients_e2e_test.cc, which starts the suite; this script drives grants
// lifecycles over the gateway's HTTP API and checks what its watchers got.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';

import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

import {
  EXPIRED_CURSOR, GATEWAY_GRPC, GRANTS, PROTO_DIRS, TOKENS, about, assertComplete, decide, done,
  openCall, pay, shape, sleep, step, submit, until,
} from './lifecycle.mjs';

const protos = [
  'lansstyrelsen/integration/gateway/v1/event_service.proto',
  'lansstyrelsen/integration/grants/v1/grants_service.proto',
];
const definition = protoLoader.loadSync(protos, {
  includeDirs: PROTO_DIRS,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const loaded = grpc.loadPackageDefinition(definition);
const { EventService } = loaded.lansstyrelsen.integration.gateway.v1;
const { GrantsService } = loaded.lansstyrelsen.integration.grants.v1;
const events = new EventService(GATEWAY_GRPC, grpc.credentials.createInsecure());
const grants = new GrantsService(GATEWAY_GRPC, grpc.credentials.createInsecure());

// The messages inside Any and the error details, for protobufjs.
const root = new protobuf.Root();
root.resolvePath = (origin, target) => {
  const found = PROTO_DIRS.map((dir) => `${dir}/${target}`).find((path) => existsSync(path));
  return found ?? target;  // google/protobuf/*: protobufjs has them built in
};
root.loadSync(['lansstyrelsen/integration/grants/v1/events.proto', 'google/rpc/status.proto',
  'google/rpc/error_details.proto'], { keepCase: false });
// (protobufjs keeps google.protobuf.Any's own field names: type_url.)
const typeUrlOf = (any) => any.typeUrl ?? any.type_url;
const unpack = (any) => root.lookupType(typeUrlOf(any).split('/').pop()).decode(any.value);

function bearer(token) {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

// ErrorInfo.reason of a failed call (from grpc-status-details-bin).
function reasonOf(error) {
  const [details] = error.metadata?.get('grpc-status-details-bin') ?? [];
  if (!details) return '';
  const status = root.lookupType('google.rpc.Status').decode(details);
  for (const any of status.details) {
    if (typeUrlOf(any).endsWith('/google.rpc.ErrorInfo')) return unpack(any).reason;
  }
  return '';
}

// One WatchEvents stream. It processes events one by one, keeping the cursor of the last event or
// heartbeat processed (what a client stores to resume); `stopAfter` events, it disconnects, as a
// client that goes away mid-way, and whatever else had arrived stays unprocessed.
class Watcher {
  constructor(name, token, { startCursor = '', stopAfter = Infinity } = {}) {
    Object.assign(this, { name, token, startCursor, stopAfter });
    this.events = [];
    this.cursor = startCursor;
    this.stopped = false;
    this.ended = null;  // the stream's error, once it ended by itself
  }

  // Resolves once the gateway accepted the watch (its headers came). A gateway that has not read
  // its streams yet refuses with UNAVAILABLE: retry, as a client does.
  async open() {
    const giveUp = Date.now() + 10000;
    for (;;) {
      try {
        await this.#start();
        return this;
      } catch (error) {
        if (error.code !== grpc.status.UNAVAILABLE || Date.now() > giveUp) throw error;
        await sleep(200);
      }
    }
  }

  #start() {
    return new Promise((resolve, reject) => {
      const call = events.WatchEvents(
        { services: ['grants'], startCursor: this.startCursor }, bearer(this.token));
      this.call = call;
      let opened = false;
      call.on('metadata', () => {
        opened = true;
        resolve();
      });
      call.on('data', (response) => this.#process(response));
      call.on('error', (error) => {
        if (!opened) return reject(error);
        if (!this.stopped) this.ended = error;
      });
    });
  }

  #process(response) {
    if (this.stopped) return;
    if (response.kind === 'heartbeat') {
      this.cursor = response.heartbeat.cursor;
      return;
    }
    this.events.push(response.event);
    this.cursor = response.event.cursor;
    if (this.events.length >= this.stopAfter) this.stop();
  }

  stop() {
    this.stopped = true;
    this.call?.cancel();
  }

  async waitFor(count, what = `${count} events`) {
    await until(`${this.name}: ${what} (has ${JSON.stringify(shape(this.events))})`,
      () => this.events.length >= count || this.ended !== null);
    if (this.ended) throw new Error(`${this.name}: the watch ended: ${this.ended.message}`);
  }
}

const watch = (name, token, options) => new Watcher(name, token, options).open();

const lifecycle = (call, application, disbursement) => [
  ['ProgrammeChangedEvent', call.programme],
  ['CallChangedEvent', call.name],
  ['CallChangedEvent', call.name],
  ['ApplicationSubmittedEvent', application],
  ['ApplicationDecidedEvent', application],
  ['DisbursementPaidEvent', disbursement],
];

// ----- the run -----
const uppsala = {};
const skane = {};
let reference;
let resumer;
let resumed;
let otherCounty;
let applicant;

await step('watchers of both counties and of the applicant kommun are open', async () => {
  reference = await watch('officer 03', TOKENS.officer03);
  resumer = await watch('officer 03 (resumes)', TOKENS.officer03, { stopAfter: 3 });
  otherCounty = await watch('officer 12', TOKENS.officer12);
  applicant = await watch('kommun 0380', TOKENS.kommun0380);
});

await step('Uppsala: programme, call, application submitted; the resumer leaves after 3', async () => {
  uppsala.programme = 'programmes/bevakning-js-03';
  uppsala.name = await openCall(TOKENS.admin03, '03', 'bevakning-js-03');
  uppsala.application = await submit(TOKENS.kommun0380, uppsala.name, '0380', 'Uppsala kommun');
  await reference.waitFor(4);
  await until('the resumer to leave', () => resumer.stopped);
  assert.equal(resumer.events.length, 3);
});

await step('while it is away: review, decision, payment; Skåne runs a lifecycle', async () => {
  await decide(TOKENS.officer03, uppsala.application);
  uppsala.disbursement = await pay(TOKENS.officer03, uppsala.application, 'LS-JS-0001');
  skane.programme = 'programmes/bevakning-js-12';
  skane.name = await openCall(TOKENS.admin12, '12', 'bevakning-js-12');
  skane.application = await submit(TOKENS.kommun1280, skane.name, '1280', 'Malmö stad');
  await decide(TOKENS.officer12, skane.application);
  skane.disbursement = await pay(TOKENS.officer12, skane.application, 'LS-JS-0002');
});

await step('it resumes from its cursor; a second application comes live after that', async () => {
  resumed = await watch('officer 03 (resumed)', TOKENS.officer03, { startCursor: resumer.cursor });
  uppsala.second = await submit(TOKENS.kommun0380, uppsala.name, '0380', 'Uppsala kommun');
  // Uppsala's six, Skåne's public two (the programme, the call opening: a draft call is not
  // public), the second submission.
  await reference.waitFor(9);
  await resumed.waitFor(6);
  await sleep(1000);  // a duplicate or a stray event would have come by now
});

await step('the lifecycle in commit order, each event with type, time, resource and cursor', () => {
  assertComplete(reference.events, 'officer 03');
  const uppsalaEvents = reference.events.filter((e) => e.resource !== skane.programme &&
    e.resource !== skane.name);
  assert.deepEqual(shape(uppsalaEvents), [
    ...lifecycle(uppsala, uppsala.application, uppsala.disbursement),
    ['ApplicationSubmittedEvent', uppsala.second],
  ]);
  // Per resource in commit order: the times never go back.
  for (const resource of new Set(reference.events.map((e) => e.resource))) {
    const times = reference.events.filter((e) => e.resource === resource)
      .map((e) => BigInt(e.createTime.seconds) * 1000000000n + BigInt(e.createTime.nanos));
    for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] <= times[i], resource);
  }
  // The event itself, unpacked from Any.
  const decided = reference.events.find((e) => e.type === `${GRANTS}ApplicationDecidedEvent`);
  const message = unpack(decided.event);
  assert.equal(message.application, uppsala.application);
  assert.equal(message.applicant.kommunkod, '0380');
});

await step('disconnect and resume: every event exactly once, in the same order', () => {
  const resumedIds = [...resumer.events, ...resumed.events].map((e) => e.eventId);
  assert.deepEqual(resumedIds, reference.events.map((e) => e.eventId));
  assertComplete([...resumer.events, ...resumed.events], 'the resumer');
  assert.equal(resumed.ended, null);
});

await step('each watcher sees its own tenant and the public records, nothing else', () => {
  // Another county: Uppsala's programme and open call are public; the draft call and the
  // application are not.
  assertComplete(otherCounty.events, 'officer 12');
  assert.deepEqual(shape(about(otherCounty.events, uppsala.name)),
    [['CallChangedEvent', uppsala.name]]);
  assert.equal(about(otherCounty.events, uppsala.programme).length, 1);
  assert.deepEqual(shape(about(otherCounty.events, skane.name)),
    lifecycle(skane, skane.application, skane.disbursement).slice(1));
  // And the other way round.
  assert.deepEqual(about(reference.events, skane.application), []);
  // The applicant kommun: its applications, not Malmö's.
  assertComplete(applicant.events, 'kommun 0380');
  assert.deepEqual(shape(about(applicant.events, uppsala.application)),
    lifecycle(uppsala, uppsala.application, uppsala.disbursement).slice(3));
  assert.equal(about(applicant.events, uppsala.second).length, 1);
  assert.deepEqual(about(applicant.events, skane.application), []);
});

await step('an expired cursor: OUT_OF_RANGE, CURSOR_EXPIRED; resync through the lists', async () => {
  const error = await new Watcher('expired', TOKENS.officer03, { startCursor: EXPIRED_CURSOR })
    .open().then(() => null, (e) => e);
  assert.ok(error, 'a watch from an expired cursor was accepted');
  assert.equal(error.code, grpc.status.OUT_OF_RANGE, error.message);
  assert.equal(reasonOf(error), 'CURSOR_EXPIRED');
  // Resync: the lists through the same gateway, then watch from now.
  const list = await new Promise((resolve, reject) => grants.ListApplications(
    { parent: uppsala.name }, bearer(TOKENS.officer03), (e, r) => (e ? reject(e) : resolve(r))));
  assert.deepEqual(list.applications.map((a) => a.name).sort(),
    [uppsala.application, uppsala.second].sort());
  const fresh = await watch('officer 03 (from now)', TOKENS.officer03);
  await decide(TOKENS.officer03, uppsala.second);
  await fresh.waitFor(1);
  assert.deepEqual(shape(fresh.events), [['ApplicationDecidedEvent', uppsala.second]]);
  fresh.stop();
});

for (const w of [reference, resumed, otherCounty, applicant]) w.stop();
events.close();
grants.close();
done();
console.log('grpc-js client: all checks passed');
