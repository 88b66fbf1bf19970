import assert from 'node:assert/strict';
import { test } from 'node:test';
import { probeMdns } from '../../src/core/mdns-probe.js';

/** A peer connection that gathers the given candidate lines, then ends gathering (or never does). */
function fakePc(lines, { complete = true } = {}) {
  return class {
    constructor(config) {
      assert.deepEqual(config, { iceServers: [] }, 'no ICE servers: nothing leaves the machine');
      this.closed = false;
      fakePc.last = this;
    }
    createDataChannel() { return {}; }
    async createOffer() { return { type: 'offer', sdp: 'v=0' }; }
    async setLocalDescription() {
      setImmediate(() => {
        for (const candidate of lines) this.onicecandidate({ candidate: { candidate } });
        if (complete) this.onicecandidate({ candidate: null });
      });
    }
    close() { this.closed = true; }
  };
}

const MDNS = 'candidate:1 1 udp 2113937151 0b3f6d4e-1111-4a2b-9c3d-123456789abc.local 54321 typ host generation 0';
const ADDRESS = 'candidate:2 1 udp 2113937151 10.20.1.17 54322 typ host generation 0';

test('a browser that shows only .local host candidates hides its addresses', async () => {
  assert.equal(await probeMdns({ RTCPeerConnection: fakePc([MDNS]) }), true);
  assert.equal(fakePc.last.closed, true, 'the probe connection is closed');
});

test('a browser that exposes an address does not', async () => {
  assert.equal(await probeMdns({ RTCPeerConnection: fakePc([MDNS, ADDRESS]) }), false);
  assert.equal(await probeMdns({ RTCPeerConnection: fakePc([ADDRESS]) }), false);
});

test('no host candidate, no WebRTC or no answer in time: not known, so false', async () => {
  assert.equal(await probeMdns({ RTCPeerConnection: fakePc([]) }), false);
  assert.equal(await probeMdns({ RTCPeerConnection: undefined }), false);
  assert.equal(await probeMdns({ RTCPeerConnection: fakePc([], { complete: false }), timeoutMs: 20 }), false);
  assert.equal(fakePc.last.closed, true);
});

test('only host candidates count', async () => {
  const srflx = 'candidate:3 1 udp 1677729535 203.0.113.7 54323 typ srflx raddr 0.0.0.0 rport 0';
  assert.equal(await probeMdns({ RTCPeerConnection: fakePc([MDNS, srflx]) }), true);
});
