import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Peer } from '../../src/core/peer.js';
import { filterRemoteSdp, hostCandidateAddress, isLanCandidate, lanIceServers } from '../../src/core/lan-candidates.js';
import { DRAIN_POLL_MS } from '../../src/core/upload-meter.js';
import { SegmentStore } from '../../src/core/segment-store.js';
import { sha256 } from '../../src/core/sha256.js';
import { encode } from '../../src/core/peer-protocol.js';
import { channelPair, hashAnswer, RemoteViewer, segmentBytes, until } from './fakes.js';

async function storeWith(entries) {
  const store = new SegmentStore();
  for (const [id, bytes] of entries) store.put(id, bytes, { stream: 't', sha256: await sha256(bytes) });
  return store;
}

function connectedPair(storeA, storeB, hooksA = {}, hooksB = {}) {
  const [ca, cb] = channelPair();
  const a = new Peer({ id: 'p-B', store: storeA, hooks: { uploadDecision: () => ({ allowed: true }), ...hooksA } });
  const b = new Peer({ id: 'p-A', store: storeB, hooks: { uploadDecision: () => ({ allowed: true }), ...hooksB } });
  a.attachChannel(ca);
  b.attachChannel(cb);
  return [a, b];
}

test('on open each side announces everything its store holds, and the other remembers it', async () => {
  const [a, b] = connectedPair(await storeWith([['s1', segmentBytes(10)]]), await storeWith([['s2', segmentBytes(20)]]));
  await until(() => a.holds('s2') && b.holds('s1'));
  assert.equal(a.holds('s2'), true);
  assert.equal(b.holds('s1'), true);
  assert.equal(a.holds('s1'), false);
  a.close();
  b.close();
});

test('a neighbour remembers when each segment was announced, the latest announcement counting', async () => {
  const clock = { t: 1000 };
  const [ca, cb] = channelPair();
  const a = new Peer({ id: 'p-B', store: new SegmentStore(), now: () => clock.t, hooks: { uploadDecision: () => ({ allowed: true }) } });
  const b = new Peer({ id: 'p-A', store: await storeWith([['s1', segmentBytes(10)]]), hooks: { uploadDecision: () => ({ allowed: true }) } });
  a.attachChannel(ca);
  b.attachChannel(cb);
  await until(() => a.holds('s1'));
  assert.equal(a.announcedAt('s1'), 1000);
  clock.t = 2500;
  b.announce(['s2']);
  await until(() => a.holds('s2'));
  assert.equal(a.announcedAt('s2'), 2500);
  assert.equal(a.announcedAt('s1'), 1000);
  assert.equal(a.announcedAt('s3'), undefined);
  a.close();
  b.close();
});

test('a neighbour counts as announced once its first full announcement arrived, even an empty one', async () => {
  const [a, b] = connectedPair(new SegmentStore(), new SegmentStore());
  assert.equal(a.announced && b.announced, false, 'nothing heard before the channels open');
  await until(() => a.announced && b.announced);
  assert.equal(a.holds('s1'), false);
  a.close();
  b.close();
});

test('a request is served from the store and arrives verified, byte for byte', async () => {
  const seg = segmentBytes(150_000, 3);
  let uploaded = 0;
  const [a, b] = connectedPair(new SegmentStore(), await storeWith([['s', seg]]), {}, { onUploaded: (p, n) => { uploaded += n; } });
  await until(() => a.holds('s'));
  const got = await a.request('s', { expected: hashAnswer(seg) }).done;
  assert.deepEqual(got, seg);
  await until(() => uploaded === seg.length);
  assert.equal(uploaded, seg.length);
  a.close();
  b.close();
});

test('a segment kept without a hash (fetched over HTTP) is hashed when first served, once, and arrives verified', async () => {
  const seg = segmentBytes(150_000, 5);
  const holder = new SegmentStore();
  holder.put('s', seg, { stream: 't', source: 'http' });
  assert.equal(holder.meta('s').sha256, undefined, 'not hashed when kept');
  const [a, b] = connectedPair(new SegmentStore(), holder);
  await until(() => a.holds('s'));
  const first = a.request('s', { expected: hashAnswer(seg) });
  const second = a.request('s', { expected: hashAnswer(seg) });
  assert.deepEqual(await first.done, seg);
  assert.deepEqual(await second.done, seg);
  assert.deepEqual(holder.meta('s').sha256, await sha256(seg), 'the hash is kept for the next neighbour');
  a.close();
  b.close();
});

/**
 * A peer holding one 100 kB segment 's' on a fake channel, with hand-run timers: set `rig.t`
 * then `runDue()` runs what is due; `ends` collects its onUploadEnd calls.
 */
async function uploadRig() {
  const rig = { t: 0, due: [], ends: [], seg: segmentBytes(100_000, 9) };
  const timers = { setTimeout: (fn, ms) => rig.due.push({ fn, at: rig.t + ms }), clearTimeout() {} };
  rig.runDue = () => {
    const jobs = rig.due.filter((j) => j.at <= rig.t);
    rig.due.splice(0, rig.due.length, ...rig.due.filter((j) => j.at > rig.t));
    jobs.forEach((j) => j.fn());
  };
  const [mine, theirs] = channelPair();
  rig.channel = mine;
  rig.peer = new Peer({
    id: 'p-R', store: await storeWith([['s', rig.seg]]), timers, now: () => rig.t,
    hooks: { uploadDecision: () => ({ allowed: true }), onUploadEnd: (p, bytes, timely) => rig.ends.push({ bytes, timely, at: rig.t }) },
  });
  rig.peer.attachChannel(mine);
  rig.remote = new RemoteViewer(theirs);
  return rig;
}

/** The neighbour asks for 's' with `buffered` bytes queued on the channel; resolves once the drain check is due. */
async function uploadUnderWay(rig, requestId, buffered) {
  rig.channel.bufferedAmount = buffered;
  rig.remote.request(requestId, 's');
  const at = rig.t + DRAIN_POLL_MS;
  await until(() => rig.due.some((j) => j.at === at), 2000, `the drain check of request ${requestId}`);
}

test('an upload is timed until the channel drained; a late check (throttled timers) says it was not timely', async () => {
  const rig = await uploadRig();
  const { ends, seg, runDue, peer, channel: mine } = rig;
  await uploadUnderWay(rig, 1, 300_000);
  rig.t = 10;
  runDue();
  rig.t = 20;
  mine.bufferedAmount = 0;
  runDue();
  await until(() => ends.length === 1, 2000, 'the end of the first upload');
  assert.deepEqual(ends, [{ bytes: seg.length, timely: true, at: 20 }]);

  await uploadUnderWay(rig, 2, 300_000);
  rig.t = 20 + 60_000; // a hidden tab: the check runs a minute late
  runDue();
  await until(() => ends.length === 2, 2000, 'the end of the second upload');
  assert.deepEqual(ends[1], { bytes: seg.length, timely: false, at: 60_020 });
  peer.close();
});

test('an upload whose neighbour closes before the send buffer drained counts only the bytes that left', async () => {
  const rig = await uploadRig();
  const { ends, seg, runDue, peer, channel: mine } = rig;
  await uploadUnderWay(rig, 1, 300_000);
  rig.t = 10;
  mine.bufferedAmount = 40_000; // 40 kB of the segment still queued, then the neighbour leaves
  runDue();
  rig.t = 20;
  mine.readyState = 'closed';
  runDue();
  await until(() => ends.length === 1, 2000, 'the end of the upload');
  assert.deepEqual(ends, [{ bytes: seg.length - 40_000, timely: true, at: 20 }], 'the 40 kB still buffered did not count');
  peer.close();
});

test('the upload policy is asked first: a refusal is answered with error policy or busy', async () => {
  const store = await storeWith([['s', segmentBytes(100)]]);
  const [a, b] = connectedPair(new SegmentStore(), store, {}, { uploadDecision: () => ({ allowed: false, code: 'policy' }) });
  await until(() => a.holds('s'));
  await assert.rejects(a.request('s').done, (e) => e.code === 'remote' && e.remoteCode === 'policy');
  b.hooks.uploadDecision = () => ({ allowed: false, code: 'busy' });
  await assert.rejects(a.request('s').done, (e) => e.code === 'remote' && e.remoteCode === 'busy');
  await assert.rejects(a.request('missing').done, (e) => e.code === 'remote' && e.remoteCode === 'busy');
  b.hooks.uploadDecision = () => ({ allowed: true });
  await assert.rejects(a.request('missing').done, (e) => e.code === 'remote' && e.remoteCode === 'not_found');
  a.close();
  b.close();
});

test('altered bytes with the sender\'s own matching hash fail with integrity and never resolve', async () => {
  const [mine, theirs] = channelPair();
  const seg = segmentBytes(40_000);
  const remote = new RemoteViewer(theirs, { segments: new Map([['s', seg]]), behaviour: () => 'corrupt' });
  const peer = new Peer({ id: 'p-X', store: new SegmentStore() });
  peer.attachChannel(mine);
  await assert.rejects(peer.request('s', { expected: hashAnswer(seg) }).done, (e) => e.code === 'integrity');
  assert.deepEqual(remote.requests, ['s']);
  peer.close();
});

test('a request whose bytes cannot be verified fails unverified and tells the holder to stop', async () => {
  const [mine, theirs] = channelPair();
  const remote = new RemoteViewer(theirs, { segments: new Map([['s', segmentBytes(200_000)]]), behaviour: () => 'silent' });
  const peer = new Peer({ id: 'p-X', store: new SegmentStore() });
  peer.attachChannel(mine);
  let answer;
  const r = peer.request('s', { expected: new Promise((resolve) => { answer = resolve; }) });
  await until(() => r.received() > 0);
  answer({ error: 'not_found' });
  await assert.rejects(r.done, (e) => e.code === 'unverified' && e.anchorError === 'not_found');
  await until(() => remote.cancels.length > 0, 5000, 'the cancel');
  assert.deepEqual(remote.cancels, [1]);
  peer.close();
});

test('a neighbour that vanishes mid-transfer fails the request with gone and closes the peer', async () => {
  const [mine, theirs] = channelPair();
  new RemoteViewer(theirs, { segments: new Map([['s', segmentBytes(100_000)]]), behaviour: () => 'vanish' });
  let closedWith = null;
  const peer = new Peer({ id: 'p-X', store: new SegmentStore(), hooks: { onClose: (p, reason) => { closedWith = reason; } } });
  peer.attachChannel(mine);
  await assert.rejects(peer.request('s').done, (e) => e.code === 'gone');
  assert.equal(closedWith, 'gone');
  assert.equal(peer.isOpen, false);
});

test('cancel stops the request locally and tells the holder', async () => {
  const [mine, theirs] = channelPair();
  const remote = new RemoteViewer(theirs, { segments: new Map([['s', segmentBytes(100_000)]]), behaviour: () => 'silent' });
  const peer = new Peer({ id: 'p-X', store: new SegmentStore() });
  peer.attachChannel(mine);
  const r = peer.request('s');
  await until(() => r.received() > 0);
  assert.ok(r.received() > 0);
  r.cancel();
  await assert.rejects(r.done, (e) => e.code === 'cancelled');
  await until(() => remote.cancels.length > 0);
  assert.equal(remote.cancels.length, 1);
  peer.close();
});

test('a channel that never opens is reported failing connect after the timeout', async () => {
  const failing = [];
  const peer = new Peer({ id: 'p-X', store: new SegmentStore(), connectTimeoutMs: 20, hooks: { onFailing: (p, r) => failing.push(r) } });
  peer.attachChannel({ readyState: 'connecting', send() {}, close() {} });
  await until(() => failing.length > 0);
  assert.deepEqual(failing, ['connect']);
  assert.equal(peer.closed, true);
});

test('repeated undecodable messages report the neighbour failing integrity once', async () => {
  const [mine, theirs] = channelPair();
  const failing = [];
  const peer = new Peer({ id: 'p-X', store: new SegmentStore(), hooks: { onFailing: (p, r) => failing.push(r) } });
  peer.attachChannel(mine);
  for (let i = 0; i < 8; i++) theirs.send(Uint8Array.of(9, 9, 9));
  // The channel delivers in order: once this announcement is seen, all eight were handled.
  theirs.send(encode({ type: 'announce', full: false, ids: ['after'] }));
  await until(() => peer.holds('after'));
  assert.deepEqual(failing, ['integrity'], 'reported once');
  peer.close();
});

test('the offering side creates the channel and relays offer and candidates through signaling', async () => {
  const sent = [];
  class FakePc {
    constructor(config) { this.config = config; this.localDescription = null; this.remoteDescription = null; }
    createDataChannel(label, opts) { this.channel = { label, opts, readyState: 'connecting', send() {}, close() {} }; return this.channel; }
    async createOffer() { return { type: 'offer', sdp: 'v=0 offer' }; }
    async setLocalDescription(d) { this.localDescription = d; }
    async setRemoteDescription(d) { this.remoteDescription = d; }
    async addIceCandidate(c) { (this.added ??= []).push(c); }
    close() {}
  }
  const peer = new Peer({ id: 'p-B', store: new SegmentStore(), offer: true, RTCPeerConnection: FakePc, signaling: { send: (s) => sent.push(s) } });
  await until(() => sent.length > 0);
  assert.deepEqual(peer.pc.config, { iceServers: [] });
  assert.equal(peer.pc.channel.label, 'swarmgate');
  assert.equal(peer.pc.channel.opts.ordered, true);
  assert.equal(peer.pc.channel.binaryType, 'arraybuffer');
  assert.deepEqual(sent[0], { to: 'p-B', kind: 'offer', sdp: 'v=0 offer' });
  peer.pc.onicecandidate({ candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.2 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
  peer.pc.onicecandidate({ candidate: null });
  assert.equal(sent.length, 2);
  assert.equal(sent[1].kind, 'candidate');
  await peer.handleSignal({ kind: 'answer', sdp: 'v=0 answer' });
  await peer.handleSignal({ kind: 'candidate', candidate: { candidate: 'candidate:2 1 udp 1 10.0.0.3 5001 typ host' } });
  assert.equal(peer.pc.remoteDescription.type, 'answer');
  assert.equal(peer.pc.added.length, 1);
  peer.close();
});

test('only host candidates with a private, link-local or mDNS address and srflx ones with a private or link-local IP count as LAN, in any spelling', () => {
  for (const c of [
    'candidate:1 1 udp 2122260223 10.20.1.17 51734 typ host',
    'a=candidate:1 1 udp 1 192.168.1.9 5000 typ host generation 0',
    'A=Candidate:1 1 UDP 1 172.31.0.1 5000 TYP HOST',
    'candidate:1\t1\tudp\t1\t169.254.3.4\t5000\ttyp\thost',
    'candidate:1  1  udp  1  fd12:3456::1  5000  typ  host',
    'candidate:1 1 udp 1 fe80::1:2 5000 typ host',
    'candidate:1 1 udp 1 4b0c7b5e-1f7e-4bde-9d8c-3f1e2a6b7c8d.local 5000 typ host',
    // What the appliance's STUN responder gives a desktop whose browser hides host addresses.
    'candidate:1989505254 1 udp 1677729535 10.99.3.2 55284 typ srflx raddr 0.0.0.0 rport 0 generation 0',
    'candidate:1 1 udp 1 10.0.0.2 5000 typ srflx raddr 10.0.0.2 rport 5000',
    'a=Candidate:1 1 UDP 1 192.168.1.9 5000 TYP SRFLX',
    'candidate:1 1 udp 1 fd12:3456::1 5000 typ srflx raddr :: rport 0',
    'candidate:1 1 udp 1 169.254.3.4 5000 typ srflx',
    '',
  ]) assert.equal(isLanCandidate(c), true, c);
  for (const c of [
    'candidate:1 1 udp 1 203.0.113.9 5000 typ host',
    'candidate:1 1 udp 1 203.0.113.9 5000 typ srflx raddr 10.0.0.2 rport 5000',
    'candidate:1 1 udp 1 203.0.113.9 5000 TYP SRFLX',
    'candidate:1 1 udp 1 2001:db8::1 5000 typ srflx',
    'candidate:1 1 udp 1 4b0c7b5e-1f7e-4bde-9d8c-3f1e2a6b7c8d.local 5000 typ srflx',
    'candidate:1 1 udp 1 evil.example.com 5000 typ srflx',
    'candidate:1 1 udp 1 172.32.0.1 5000 typ srflx',
    'candidate:1 1 udp 1 10.0.0.2 5000 typ RELAY',
    'candidate:1 1 udp 1 10.0.0.2 5000 typ relay raddr 10.0.0.5 rport 1',
    'candidate:1 1 udp 1 10.0.0.2 5000 typ prflx',
    'candidate:1 1 udp 1 172.32.0.1 5000 typ host',
    'candidate:1 1 udp 1 2001:db8::1 5000 typ host',
    'candidate:1 1 udp 1 ::ffff:10.0.0.2 5000 typ host',
    'candidate:1 1 udp 1 010.0.0.2 5000 typ host',
    'candidate:1 1 udp 1 fe80::1%eth0 5000 typ host',
    'candidate:1 1 udp 1 evil.example.com 5000 typ host',
    'candidate:1 1 udp 1 10.0.0.2',
    'not a candidate',
  ]) assert.equal(isLanCandidate(c), false, c);
});

test('candidate lines off the LAN are removed from a remote description in any spelling', () => {
  const kept = 'v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=candidate:2 1 udp 1 10.0.0.3 5001 typ host\r\na=end-of-candidates\r\n';
  for (const line of [
    'a=candidate:1 1 udp 1 203.0.113.9 5000 typ host',
    'A=candidate:1 1 udp 1 203.0.113.9 5000 typ host',
    'a=Candidate:1 1 udp 1 203.0.113.9 5000 typ SRFLX',
    'a=candidate:1 1 udp 1 10.0.0.2 5000 typ relay raddr 10.0.0.5 rport 1',
    'a=candidate:1\t1\tudp\t1\t203.0.113.9\t5000\ttyp\thost',
    ' a = candidate:1 1 udp 1 203.0.113.9 5000 TYP HOST',
    'a=mid:0\ra=candidate:1 1 udp 1 203.0.113.9 5000 typ host',
  ]) {
    const sdp = kept.replace('a=candidate:2', `${line}\r\na=candidate:2`);
    assert.equal(filterRemoteSdp(sdp), kept, line);
  }
  assert.equal(filterRemoteSdp(kept), kept);
  const withSrflx = kept.replace('a=end', 'a=candidate:3 1 udp 1677729535 10.99.3.2 55284 typ srflx raddr 0.0.0.0 rport 0\r\na=end');
  assert.equal(filterRemoteSdp(withSrflx), withSrflx, 'a LAN server-reflexive line is kept');
});

test('hostCandidateAddress reads host candidates only (the mDNS probe looks at host addresses)', () => {
  assert.equal(hostCandidateAddress('candidate:1 1 udp 1 abc.local 5000 typ host'), 'abc.local');
  assert.equal(hostCandidateAddress('candidate:1 1 udp 1 10.99.3.2 5000 typ srflx raddr 0.0.0.0 rport 0'), null);
});

test('only credential-free stun: servers from the policy reach a peer connection', () => {
  assert.deepEqual(lanIceServers([{ urls: 'stun:10.99.252.1:3478' }]), [{ urls: ['stun:10.99.252.1:3478'] }]);
  assert.deepEqual(lanIceServers([{ urls: ['stun:[fd00::1]:3478', 'turn:10.0.0.1:3478'] }]), [{ urls: ['stun:[fd00::1]:3478'] }]);
  for (const bad of [
    undefined, null, 'stun:10.0.0.1', [{ urls: 'turn:10.0.0.1:3478' }], [{ urls: 'turns:10.0.0.1:5349' }],
    [{ urls: 'stun:10.0.0.1:3478', username: 'u', credential: 'c' }], [{ urls: 'stun:a b' }], [{ urls: 42 }], [null],
  ]) assert.deepEqual(lanIceServers(bad), [], JSON.stringify(bad));
});

test('remote candidates off the LAN never reach addIceCandidate or setRemoteDescription', async () => {
  class FakePc {
    constructor() { this.localDescription = null; this.remoteDescription = null; this.added = []; }
    createDataChannel() { return { readyState: 'connecting', send() {}, close() {} }; }
    async createOffer() { return { type: 'offer', sdp: 'v=0 offer' }; }
    async createAnswer() { return { type: 'answer', sdp: 'v=0 answer' }; }
    async setLocalDescription(d) { this.localDescription = d; }
    async setRemoteDescription(d) { this.remoteDescription = d; }
    async addIceCandidate(c) { this.added.push(c.candidate); }
    close() {}
  }
  const peer = new Peer({ id: 'p-A', store: new SegmentStore(), offer: false, RTCPeerConnection: FakePc, signaling: { send() {} } });
  // Before the offer: held, and filtered on the way in.
  await peer.handleSignal({ kind: 'candidate', candidate: { candidate: 'candidate:9 1 udp 1 198.51.100.7 5000 typ host' } });
  await peer.handleSignal({ kind: 'candidate', candidate: { candidate: 'candidate:8 1 udp 1 10.0.0.8 5000 typ host' } });
  await peer.handleSignal({
    kind: 'offer',
    sdp: 'v=0\r\na=candidate:1 1 udp 1 203.0.113.9 5000 typ host\r\na=candidate:2 1 udp 1 10.0.0.2 5000 typ host\r\nA=CANDIDATE:3 1 udp 1 10.0.0.2 5000 typ relay\r\n',
  });
  assert.equal(peer.pc.remoteDescription.sdp, 'v=0\r\na=candidate:2 1 udp 1 10.0.0.2 5000 typ host\r\n');
  await peer.handleSignal({ kind: 'candidate', candidate: { candidate: 'candidate:4 1 udp 1 203.0.113.4 5000 typ srflx' } });
  await peer.handleSignal({ kind: 'candidate', candidate: { candidate: 'candidate:6 1 udp 1 10.0.0.6 5000 typ relay' } });
  await peer.handleSignal({ kind: 'candidate', candidate: { candidate: 'candidate:7 1 udp 1 10.0.0.7 5000 typ srflx raddr 0.0.0.0 rport 0' } });
  await peer.handleSignal({ kind: 'candidate', candidate: { candidate: 'Candidate:5 1 udp 1 fd00::5 5000 TYP HOST' } });
  assert.deepEqual(peer.pc.added, ['candidate:8 1 udp 1 10.0.0.8 5000 typ host',
    'candidate:7 1 udp 1 10.0.0.7 5000 typ srflx raddr 0.0.0.0 rport 0', 'Candidate:5 1 udp 1 fd00::5 5000 TYP HOST']);
  peer.close();
});

test('a neighbour announcing a segment above the maximum size fails the request with too_large', async () => {
  const [mine, theirs] = channelPair();
  const peer = new Peer({ id: 'p-X', store: new SegmentStore() });
  peer.attachChannel(mine);
  const r = peer.request('s');
  theirs.send(encode({ type: 'response-start', requestId: 1, length: 40 * 1024 * 1024, sha256: new Uint8Array(32) }));
  await assert.rejects(r.done, (e) => e.code === 'too_large');
  peer.close();
});

test('fetching goes only to a neighbour that understands it, and what a neighbour says it fetches reaches onFetching', async () => {
  const heard = [];
  const [ca, cb] = channelPair();
  const a = new Peer({ id: 'p-B', store: new SegmentStore(), fetching: true, hooks: {} });
  const b = new Peer({ id: 'p-A', store: new SegmentStore(), hooks: { onFetching: (p, ids) => heard.push(...ids) } });
  a.attachChannel(ca);
  b.attachChannel(cb);
  await until(() => a.announced && b.announced);
  a.fetching(['s7']);
  // b's neighbour (a) never said it understands `fetching`: b tells it nothing, and a's marker
  // announcement arrives after whatever b sent before it
  b.fetching(['s8']);
  b.announce(['marker']);
  await until(() => heard.length === 1 && a.holds('marker'));
  assert.deepEqual(heard, ['s7']);
  assert.equal(a.badMessages, 0);
  a.close();
  b.close();
});
