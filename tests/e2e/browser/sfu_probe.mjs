// Gateway-level check of the janus media plane: two headless chromium pages speak the SFU mode
// of /v1/signal with a minimal client (no join page), and media must flow through Janus.
// Env: QUORUM_URL, QUORUM_TOKEN (host bearer), QUORUM_CHROMIUM.
import { chromium } from 'playwright-core';

const base = process.env.QUORUM_URL;
const token = process.env.QUORUM_TOKEN;
const T0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - T0) / 1000).toFixed(2)}s]`, ...a);

async function rest(method, path, body) {
    const init = { method, headers: { Authorization: `Bearer ${token}` } };
    if (body !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
    }
    const r = await fetch(base + path, init);
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null, text };
}

const client = `
window.Q = { frames: [], subs: {}, errors: [] };
Q.join = async (meetingId, name, passcode) => {
  const t = await (await fetch('/v1/meetings/' + meetingId + '/joinToken', { method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ guest: true, display_name: name, passcode }) })).json();
  Q.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
  console.log('token ' + JSON.stringify(t).slice(0, 300));
  const ws = new WebSocket(t.sfu_url, 'quorum.v1');
  ws.onopen = () => ws.send(JSON.stringify({ type: 'join', id: 'j', token: t.jwt, meeting_id: meetingId }));
  Q.ws = ws;
  const send = (o) => ws.send(JSON.stringify(o));
  let n = 0;
  ws.onmessage = async (e) => {
    const m = JSON.parse(e.data);
    Q.frames.push(m.type);
    console.log('frame ' + m.type + ' ' + (m.code || '') + ' ' + (m.feed || '') + (m.message || ''));
    if (m.type === 'joined') {
      Q.me = m.participant_id;
      Q.ice = m.ice_servers || [];
      const pc = new RTCPeerConnection({ iceServers: Q.ice });
      Q.pub = pc;
      for (const track of Q.stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly' });
      pc.onicecandidate = (ev) => send({ type: 'candidate', to: 'sfu', candidate: ev.candidate ? ev.candidate.toJSON() : null });
      await pc.setLocalDescription(await pc.createOffer());
      send({ type: 'offer', id: String(++n), to: 'sfu', sdp: pc.localDescription.sdp });
    } else if (m.type === 'answer' && m.from === 'sfu' && !m.feed) {
      await Q.pub.setRemoteDescription({ type: 'answer', sdp: m.sdp });
    } else if (m.type === 'offer' && m.from === 'sfu') {
      let pc = Q.subs[m.feed];
      if (!pc) {
        pc = new RTCPeerConnection({ iceServers: Q.ice });
        Q.subs[m.feed] = pc;
        pc.onicecandidate = (ev) => send({ type: 'candidate', to: 'sfu', feed: m.feed, candidate: ev.candidate ? ev.candidate.toJSON() : null });
      }
      await pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      send({ type: 'answer', to: 'sfu', feed: m.feed, sdp: pc.localDescription.sdp });
    } else if (m.type === 'feed_closed') {
      if (Q.subs[m.feed]) { Q.subs[m.feed].close(); delete Q.subs[m.feed]; }
    } else if (m.type === 'mute_request') {
      Q.stream.getAudioTracks().forEach((t) => { t.enabled = false; });
      if (m.ref) send({ type: 'ack', ref: m.ref });
    } else if (m.type === 'error') {
      Q.errors.push(m);
    }
  };
  ws.onclose = (e) => { Q.closed = e.code; };
  await new Promise((resolve) => { const i = setInterval(() => { if (Q.me) { clearInterval(i); resolve(); } }, 50); });
  return Q.me;
};
Q.inbound = async () => {
  const out = {};
  for (const [feed, pc] of Object.entries(Q.subs)) {
    const stats = await pc.getStats();
    const row = { audioBytes: 0, videoBytes: 0, frames: 0 };
    stats.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'audio') row.audioBytes += s.bytesReceived || 0;
      if (s.kind === 'video') { row.videoBytes += s.bytesReceived || 0; row.frames += s.framesDecoded || 0; }
    });
    out[feed] = row;
  }
  return out;
};
`;

async function main() {
    const created = await rest('POST', '/v1/meetings', {
        topic: 'SFU probe', start_time: '2030-05-04T09:00:00Z', duration_minutes: 30,
        passcode: '424242', waiting_room: false, settings: { allow_join_before_host: true } });
    if (created.status !== 201) throw new Error(`create ${created.status} ${created.text}`);
    const meetingId = created.json.id;
    const browser = await chromium.launch({
        executablePath: process.env.QUORUM_CHROMIUM || '/usr/bin/chromium', headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
               '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns'] });
    try {
        const pages = [];
        for (const name of ['Ann', 'Bob']) {
            const page = await browser.newPage();
            page.on('console', (m) => log(name, 'console:', m.text()));
            await page.goto(base + '/healthz');
            await page.evaluate(client);
            pages.push(page);
        }
        const ids = [];
        for (const [i, name] of ['Ann', 'Bob'].entries())
            ids.push(await pages[i].evaluate(([m, n]) => Q.join(m, n, '424242'), [meetingId, name]));
        log('joined', ids);
        for (let k = 0; k < 10; ++k) {
            await new Promise((r) => setTimeout(r, 1000));
            const a = await pages[0].evaluate(() => Q.inbound());
            const b = await pages[1].evaluate(() => Q.inbound());
            log('A receives', JSON.stringify(a), 'B receives', JSON.stringify(b));
        }
        const errs = await pages[0].evaluate(() => Q.errors);
        log('errors', JSON.stringify(errs));
        const muted = await rest('POST', `/v1/meetings/${meetingId}/participants/${ids[1]}/mute`, { muted: true });
        log('mute', muted.status, muted.text);
        // Undo the client's own mute so that only the server's stops the audio.
        await pages[1].evaluate(() => Q.stream.getAudioTracks().forEach((t) => { t.enabled = true; }));
        for (let k = 0; k < 4; ++k) {
            await new Promise((r) => setTimeout(r, 1000));
            log('A receives', JSON.stringify(await pages[0].evaluate(() => Q.inbound())));
        }
        const rec = await rest('POST', `/v1/meetings/${meetingId}/recordings:start`, {});
        log('rec start', rec.status, rec.text);
        await new Promise((r) => setTimeout(r, 5000));
        const stop = await rest('POST', `/v1/meetings/${meetingId}/recordings:stop`, {});
        log('rec stop', stop.status, stop.text);
        const recordingId = rec.json && rec.json.recording_id;
        for (let k = 0; k < 30 && recordingId; ++k) {
            await new Promise((r) => setTimeout(r, 1000));
            const got = await rest('GET', `/v1/recordings/${recordingId}`);
            log('recording', got.json.state, got.json.error_code || '', got.json.message || '');
            if (got.json.state === 'completed' || got.json.state === 'failed') break;
        }
        const removed = await rest('DELETE', `/v1/meetings/${meetingId}/participants/${ids[1]}`);
        log('remove', removed.status);
        await new Promise((r) => setTimeout(r, 1000));
        log('B closed with', await pages[1].evaluate(() => Q.closed));
        const ended = await rest('POST', `/v1/meetings/${meetingId}:end`, {});
        log('end', ended.status);
    } finally {
        await browser.close();
    }
}

main().catch((e) => { console.error('probe failed:', e); process.exit(1); });
