// Test tooling: records real Janus VideoRoom media (.mjr files) by publishing headless
// chromium pages into a room with recording on. It starts no Janus (janus-recording.sh does);
// it is given Janus's WebSocket URL and API secret and speaks Janus's own JSON API from inside
// each page, so that the product's gateway, which does this in C++, is not involved.
//
//   node janus_recording.mjs --url ws://127.0.0.1:PORT --secret S --dir OUT --seconds N
//        --people '[{"name":"Ada","join":0},{"name":"Bob","join":4,"leave":9}]'
//        [--chromium /usr/bin/chromium] [--modules DIR]
//
// Each person joins `join` seconds after the recording starts and leaves at `leave` (or at
// the end). The room records into OUT, and OUT/manifest.json then describes the capture in the
// form a media plane reports it (MediaPlane.h, CaptureFinished): the files, kind, participant
// and display name of each, `started_at_ms` and `duration_ms`. Every wait has a timeout;
// failures print what went wrong and exit 1.

import { createServer } from 'node:http';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
    options: {
        url: { type: 'string' },
        secret: { type: 'string' },
        dir: { type: 'string' },
        seconds: { type: 'string' },
        people: { type: 'string' },
        chromium: { type: 'string', default: '/usr/bin/chromium' },
        modules: { type: 'string', default: '' },
    },
});
for (const name of ['url', 'secret', 'dir', 'seconds', 'people']) {
    if (!options[name]) {
        console.error(`janus_recording: --${name} is required`);
        process.exit(2);
    }
}

const seconds = Number(options.seconds);
const people = JSON.parse(options.people);
const STEP_TIMEOUT_MS = 20_000;
// Far beyond the recording itself, so a hang cannot hold a test run forever.
const RUN_TIMEOUT_MS = (seconds + 60 + 10 * people.length) * 1000;

const watchdog = setTimeout(() => {
    console.error(`janus_recording: FAIL: no end after ${RUN_TIMEOUT_MS / 1000} s`);
    process.exit(1);
}, RUN_TIMEOUT_MS);
watchdog.unref();

const { chromium } = await import(
    options.modules ? join(options.modules, 'playwright-core/index.mjs') : 'playwright-core');

function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

// getUserMedia needs a secure context, which about:blank is not but http://127.0.0.1 is: the
// pages are served an empty document from a loopback listener of this script's own.
function servePage() {
    const server = createServer((request, response) => {
        response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        response.end('<!doctype html><title>publisher</title>');
    });
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
    });
}

// Runs in the page: joins the room as a publisher and returns once its media reaches Janus.
// window.setRecording and window.leaveRoom are what the script calls later.
async function publish({ url, secret, room, display, id, create, recDir, timeoutMs }) {
    const ws = new WebSocket(url, 'janus-protocol');
    const pending = new Map();
    const events = [];
    let waiters = [];
    let counter = 0;

    const opened = new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new Error('the WebSocket to Janus failed'));
    });
    ws.onmessage = (message) => {
        const reply = JSON.parse(message.data);
        if (reply.janus === 'ack')
            return;
        // A request is answered by its success or error, or for the plugin's asynchronous
        // requests by an event with its transaction.
        const settle = reply.transaction && pending.get(reply.transaction);
        if (settle) {
            pending.delete(reply.transaction);
            settle(reply);
        }
        events.push(reply);
        waiters = waiters.filter((waiter) => !waiter(reply));
    };
    const within = (promise, what) => Promise.race([promise, new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs))]);
    const send = (body) => {
        const transaction = `t${++counter}`;
        ws.send(JSON.stringify({ ...body, transaction, apisecret: secret }));
        return transaction;
    };
    const request = (body, what) => within(new Promise((resolve) => {
        pending.set(send(body), resolve);
    }), what).then((reply) => {
        if (reply.janus === 'error')
            throw new Error(`${what}: ${reply.error.reason}`);
        return reply;
    });
    const event = (test, what) => within(new Promise((resolve) => {
        const found = events.find(test);
        if (found)
            return resolve(found);
        waiters.push((reply) => test(reply) && (resolve(reply), true));
    }), what);

    await within(opened, 'the WebSocket to Janus');
    const session = (await request({ janus: 'create' }, 'create')).data.id;
    const handle = (await request({ janus: 'attach', session_id: session,
                                    plugin: 'janus.plugin.videoroom' }, 'attach')).data.id;
    const keepalive = setInterval(() => send({ janus: 'keepalive', session_id: session }), 15000);
    const message = (body, jsep) => ({ janus: 'message', session_id: session, handle_id: handle,
                                       body, ...(jsep ? { jsep } : {}) });
    const pluginError = (reply) => reply.plugindata?.data?.error;

    if (create) {
        const created = await request(message({
            request: 'create', room, publishers: 16, videocodec: 'vp8', audiocodec: 'opus',
            record: false, rec_dir: recDir, bitrate: 512000, fir_freq: 2 }), 'create room');
        if (pluginError(created))
            throw new Error(`create room: ${pluginError(created)}`);
    }

    const stream = await navigator.mediaDevices.getUserMedia({
        audio: true, video: { width: 640, height: 360, frameRate: 15 } });
    const pc = new RTCPeerConnection({ iceServers: [] });
    for (const track of stream.getTracks())
        pc.addTrack(track, stream);
    pc.onicecandidate = ({ candidate }) => send({
        janus: 'trickle', session_id: session, handle_id: handle,
        candidate: candidate ? candidate.toJSON() : { completed: true } });

    const joinTx = send(message({ request: 'join', ptype: 'publisher', room, id, display }));
    const joined = await event((e) => e.transaction === joinTx, 'joined');
    if (pluginError(joined))
        throw new Error(`join: ${pluginError(joined)}`);

    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const configureTx = send(message({ request: 'configure', audio: true, video: true },
                                     { type: offer.type, sdp: offer.sdp }));
    const answered = await event((e) => e.transaction === configureTx, 'the answer');
    if (!answered.jsep)
        throw new Error(`configure: ${pluginError(answered) || 'no answer'}`);
    await pc.setRemoteDescription(answered.jsep);
    await event((e) => e.janus === 'webrtcup', 'webrtcup');
    await event((e) => e.janus === 'media' && e.type === 'video' && e.receiving, 'video at Janus');

    // Room-wide recording on or off, as the product's adapter does it: every publisher's
    // recorders start (or close) at once, and those who join while it is on are recorded too.
    window.setRecording = async (record) => {
        const reply = await request(message({ request: 'enable_recording', room, record }),
                                    'enable_recording');
        if (pluginError(reply))
            throw new Error(`enable_recording: ${pluginError(reply)}`);
    };
    // What the script calls to end this publisher: unpublish (which closes its recorders),
    // then leave and tear the session down.
    window.leaveRoom = async () => {
        await request(message({ request: 'unpublish' }), 'unpublish').catch(() => {});
        await request(message({ request: 'leave' }), 'leave').catch(() => {});
        await request({ janus: 'destroy', session_id: session }, 'destroy').catch(() => {});
        clearInterval(keepalive);
        pc.close();
        for (const track of stream.getTracks())
            track.stop();
        ws.close();
    };
    return true;
}

async function main() {
    const server = await servePage();
    const page = `http://127.0.0.1:${server.address().port}/`;
    const browser = await chromium.launch({
        executablePath: options.chromium,
        args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
               '--allow-loopback-in-peer-connection',
               '--disable-features=WebRtcHideLocalIpsWithMdns', '--no-sandbox',
               '--disable-gpu', '--disable-dev-shm-usage', '--mute-audio'],
    });
    const room = 100000 + Math.floor(Math.random() * 800000);
    const base = { url: options.url, secret: options.secret, room, recDir: options.dir,
                   timeoutMs: STEP_TIMEOUT_MS };
    try {
        const ordered = people.map((person, index) => ({ ...person, index, id: 1001 + index }))
            .sort((a, b) => a.join - b.join);
        const pages = new Map();
        let startedAt = 0;
        const timers = [];

        async function enter(person, create) {
            const context = await browser.newContext();
            const tab = await context.newPage();
            tab.on('pageerror', (error) => console.error(`${person.name}: ${error.message}`));
            await tab.goto(page, { timeout: STEP_TIMEOUT_MS });
            await tab.evaluate(publish, { ...base, display: person.name, id: person.id, create });
            pages.set(person.id, { tab, context });
            console.log(`janus_recording: ${person.name} publishing at ` +
                        `${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
        }
        async function leave(person) {
            const entry = pages.get(person.id);
            if (!entry)
                return;
            pages.delete(person.id);
            await entry.tab.evaluate(() => window.leaveRoom());
            await entry.context.close();
            console.log(`janus_recording: ${person.name} left at ` +
                        `${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
        }

        // Those there from the start are in the room, media up, before the recording begins;
        // the others' times count from its start.
        const [first, ...rest] = ordered;
        startedAt = Date.now();
        await enter(first, true);
        for (const person of rest.filter((p) => p.join <= 0))
            await enter(person, false);
        const recorder = pages.get(first.id).tab;
        startedAt = Date.now();
        await recorder.evaluate(() => window.setRecording(true));
        const failures = [];
        const at = (ms, action) => timers.push(new Promise((resolve) => setTimeout(() => {
            action().catch((error) => failures.push(error)).finally(resolve);
        }, Math.max(0, ms))));
        for (const person of rest.filter((p) => p.join > 0))
            at(person.join * 1000, () => enter(person, false));
        for (const person of ordered)
            if (person.leave !== undefined)
                at(person.leave * 1000, () => leave(person));
        await sleep(seconds * 1000);
        await Promise.all(timers);
        const stoppedAt = Date.now();
        if (pages.has(first.id))
            await recorder.evaluate(() => window.setRecording(false));
        for (const person of ordered)
            await leave(person);
        if (failures.length)
            throw failures[0];

        // Janus closes a recorder when its publisher goes; the files are whole by now.
        const files = [];
        for (const name of readdirSync(options.dir).filter((n) => n.endsWith('.mjr')).sort()) {
            const match = /-user-(\d+)-\d+-(audio|video)-\d+\.mjr$/.exec(name);
            const person = match && ordered.find((p) => p.id === Number(match[1]));
            if (!person)
                continue;
            files.push({ kind: match[2], path: name, format: 'mjr',
                         participant_id: `par_fixture${person.index + 1}`,
                         display_name: person.name });
        }
        const manifest = { files, duration_ms: stoppedAt - startedAt, started_at_ms: startedAt };
        writeFileSync(join(options.dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
        console.log(`janus_recording: ${files.length} files, ${manifest.duration_ms} ms`);
        if (files.length !== 2 * people.length)
            throw new Error(`expected ${2 * people.length} .mjr files, found ${files.length}`);
    } finally {
        await browser.close();
        server.close();
    }
}

main().then(() => process.exit(0), (error) => {
    console.error(`janus_recording: FAIL: ${error.message}`);
    process.exit(1);
});
