/**
 * The WebRTC side of one neighbour: the RTCPeerConnection, the offer/answer exchange through the
 * signaling client, and the remote candidates it lets through to ICE. Only candidates that stay
 * on the LAN are used ({@link isLanCandidate}), both trickled ones and candidate lines inside a
 * remote description, whatever the appliance relayed (the rules: lan-candidates.js).
 *
 * Separate from peer.js because the data-channel protocol does not depend on how the channel came
 * about: a Peer without an RTCPeerConnection speaks it over any channel of the RTCDataChannel
 * shape (the unit tests' in-memory pair). This hands the channel over once it exists and tells the
 * peer when the connection is lost; the peer owns the channel and decides when it closes.
 *
 * @module core/peer-connection
 */

import { filterRemoteSdp, isLanCandidate, lanIceServers } from './lan-candidates.js';

/** The label of the one data channel a neighbour connection carries (docs/protocol.md). */
export const CHANNEL_LABEL = 'swarmgate';

/** One RTCPeerConnection to a neighbour, its signals and its held candidates. */
export class PeerConnection {
  /**
   * @param {new (config: object) => RTCPeerConnection} RTCPeerConnectionImpl
   * @param {object} options
   * @param {boolean} options.offer true: this side creates the offer and the channel
   * @param {object[]} options.iceServers from `welcome` ({@link lanIceServers} keeps only
   *   credential-free `stun:` URLs)
   * @param {(fields: {kind: string, sdp?: string, candidate?: object}) => void} options.sendSignal
   *   relays an offer, answer or candidate to the neighbour
   * @param {(channel: object) => void} options.onChannel the "swarmgate" data channel exists
   * @param {(reason: 'connect'|'gone') => void} options.onClose the offer could not be made
   *   (`connect`) or the connection failed or closed (`gone`)
   */
  constructor(RTCPeerConnectionImpl, { offer, iceServers, sendSignal, onChannel, onClose }) {
    const pc = new RTCPeerConnectionImpl({ iceServers: lanIceServers(iceServers) });
    this.pc = pc;
    this.offer = offer;
    this.sendSignal = sendSignal;
    this.pendingCandidates = [];
    pc.onicecandidate = (ev) => {
      const c = ev && ev.candidate;
      if (!c || !c.candidate) return; // end of candidates needs no relay
      const candidate = { candidate: c.candidate };
      if (c.sdpMid != null) candidate.sdpMid = c.sdpMid;
      if (c.sdpMLineIndex != null) candidate.sdpMLineIndex = c.sdpMLineIndex;
      sendSignal({ kind: 'candidate', candidate });
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') onClose('gone');
    };
    if (offer) {
      onChannel(pc.createDataChannel(CHANNEL_LABEL, { ordered: true }));
      pc.createOffer()
        .then((desc) => pc.setLocalDescription(desc))
        .then(() => sendSignal({ kind: 'offer', sdp: pc.localDescription.sdp }))
        .catch(() => onClose('connect'));
    } else {
      pc.ondatachannel = (ev) => {
        if (ev.channel && ev.channel.label === CHANNEL_LABEL) onChannel(ev.channel);
      };
    }
  }

  /**
   * Handles a relayed `signal` message from the neighbour (offer, answer or candidate).
   * @param {{kind: string, sdp?: string, candidate?: object}} msg
   * @returns {Promise<void>}
   */
  async handleSignal(msg) {
    const pc = this.pc;
    try {
      if (msg.kind === 'offer' && !this.offer) {
        await pc.setRemoteDescription({ type: 'offer', sdp: filterRemoteSdp(msg.sdp) });
        await this.flushCandidates();
        await pc.setLocalDescription(await pc.createAnswer());
        this.sendSignal({ kind: 'answer', sdp: pc.localDescription.sdp });
      } else if (msg.kind === 'answer' && this.offer) {
        await pc.setRemoteDescription({ type: 'answer', sdp: filterRemoteSdp(msg.sdp) });
        await this.flushCandidates();
      } else if (msg.kind === 'candidate' && msg.candidate) {
        if (!isLanCandidate(msg.candidate.candidate)) return; // off the LAN: never handed to ICE
        // Candidates may overtake the offer/answer through the relay: hold them until then.
        if (pc.remoteDescription) await pc.addIceCandidate(msg.candidate);
        else this.pendingCandidates.push(msg.candidate);
      }
    } catch {
      // A bad description or candidate: the connect timeout reports the neighbour if it never opens.
    }
  }

  async flushCandidates() {
    const list = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const c of list) {
      try { await this.pc.addIceCandidate(c); } catch { /* one bad candidate is not fatal */ }
    }
  }

  /** Closes the RTCPeerConnection without reacting to its later events. */
  close() {
    const pc = this.pc;
    pc.onicecandidate = pc.onconnectionstatechange = pc.ondatachannel = null;
    try { pc.close(); } catch { /* already closed */ }
  }
}
