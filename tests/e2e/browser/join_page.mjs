// Drives two headless chromium pages through Quorum's join page (/j/{id}) into one call, the
// way two people with a join link would, while this script plays the host through the REST
// API with the bootstrap admin's token.
//
// Meeting A (guests, a passcode, no waiting room): a wrong passcode is refused on the form;
// both pages join; each receives the other's audio and video (getStats: inbound bytes and
// decoded frames growing); the host mutes one (the page shows it and acks, the roster says
// acknowledged), asks them to unmute (the page asks; accepting unmutes), removes them (their
// call closes with the notice, and a rejoin is refused with a clear message), and ends the
// meeting (the other page shows it). Unknown and cancelled meetings get their messages.
// Meeting B (waiting room): the host opens start_url (?as=host), signs in, comes back and
// starts the meeting through POST /j/{id}/token; a guest waits on the waiting screen until
// the host lets them in from the page; their media flows. POST /j/{id}/token is refused
// without its CSRF token and without a session.
//
// With QUORUM_E2E_MEDIA=janus (the SFU) it also checks, in meeting A, that the host's mute
// stops Ben's audio in the SFU even with his microphone switched back on behind the page's
// back, that accepting the unmute lets it through again, that a recording's signed
// recording.completed reaches a loopback subscriber with an MP4 (h264 + aac) and an M4A (aac)
// lasting the recorded span within 1 s, downloaded through their signed links, and that Janus
// has no room of the meeting once it ended.
//
// The media plane is QUORUM_E2E_MEDIA (builtin: the mesh; janus: the SFU); the page's
// window.quorumCall.inbound() reports per remote participant in both. Screenshots go to
// QUORUM_SCREENSHOTS. Every wait has a timeout; the whole run ends within 180 s.
//
// Environment (set by ../run_browser.sh): QUORUM_URL, QUORUMD_BINARY, QUORUM_DATA_DIR,
// QUORUM_WORKSPACE, QUORUM_USER, QUORUM_PASSWORD, QUORUM_CHROMIUM, QUORUM_SCREENSHOTS,
// QUORUM_E2E_MEDIA.

import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const STEP_TIMEOUT_MS = 15_000;
const RUN_TIMEOUT_MS = 180_000;
const PASSCODE_A = '4242';
const PASSCODE_B = 'b-51*';

class Failure extends Error {}

function expect(condition, what) {
    if (!condition)
        throw new Failure(what);
}

function env(name) {
    const value = process.env[name];
    if (!value)
        throw new Failure(`${name} is not set (run this through tests/e2e/run_browser.sh)`);
    return value;
}

const base = env('QUORUM_URL').replace(/\/$/, '');
const quorumd = env('QUORUMD_BINARY');
const dataDir = env('QUORUM_DATA_DIR');
const workspace = env('QUORUM_WORKSPACE');
const userName = env('QUORUM_USER');
const password = env('QUORUM_PASSWORD');
const screenshots = env('QUORUM_SCREENSHOTS');
const media = process.env.QUORUM_E2E_MEDIA || 'builtin';
const expectedMode = media === 'janus' ? 'sfu' : 'mesh';

const watchdog = setTimeout(() => {
    console.error(`join_page: FAIL: the run took longer than ${RUN_TIMEOUT_MS / 1000} s`);
    process.exit(1);
}, RUN_TIMEOUT_MS);
watchdog.unref();

function log(text) {
    console.log(`join_page: ${text}`);
}

const sleep = (ms) => new Promise((wake) => setTimeout(wake, ms));

// Polls `probe` until it returns something truthy, or fails after the step timeout.
async function until(probe, what, timeoutMs = STEP_TIMEOUT_MS) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
        last = await probe();
        if (last)
            return last;
        await sleep(200);
    }
    throw new Failure(`timed out waiting for ${what}`);
}

// ---- the host's side: the REST API with the admin's token ----

const token = execFileSync(quorumd, ['--data-dir', dataDir, 'token', 'create', '--user', userName,
                                     '--workspace', workspace, '--ttl', '1h'],
                           { encoding: 'utf8', timeout: STEP_TIMEOUT_MS,
                             stdio: ['ignore', 'pipe', 'pipe'] }).trim();

async function api(method, path, json, { bearer = token, headers = {} } = {}) {
    const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(STEP_TIMEOUT_MS) };
    if (bearer)
        init.headers.Authorization = `Bearer ${bearer}`;
    if (json !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(json);
    }
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    let body = null;
    try {
        body = JSON.parse(text);
    } catch {
        // Not JSON; the checks report the text.
    }
    return { status: response.status, text, body };
}

function expectStatus(reply, status, what) {
    expect(reply.status === status,
           `${what}: expected ${status}, got ${reply.status}: ${reply.text.slice(0, 300)}`);
}

async function createMeeting(topic, fields) {
    const start = new Date(Date.now() + 3600 * 1000);
    start.setUTCMilliseconds(0);
    const created = await api('POST', '/v1/meetings', {
        topic, start_time: start.toISOString().replace('.000Z', 'Z'), timezone: 'UTC',
        duration_minutes: 60, ...fields });
    expectStatus(created, 201, `POST /v1/meetings (${topic})`);
    return created.body.id;
}

async function participants(meetingId) {
    const list = await api('GET', `/v1/meetings/${meetingId}/participants?page_size=100`);
    expectStatus(list, 200, 'GET participants');
    return list.body.participants;
}

async function participantNamed(meetingId, name) {
    return until(async () => (await participants(meetingId))
        .find((p) => p.display_name === name && p.state !== 'left'), `${name} in the roster`);
}

// ---- the browser ----

async function openPage(browser, viewport, offLoopback, problems, label) {
    const context = await browser.newContext({ viewport });
    await context.route('**/*', (route) => {
        const host = new URL(route.request().url()).hostname;
        if (host === '127.0.0.1')
            return route.continue();
        offLoopback.push(route.request().url());
        return route.abort();
    });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
    page.on('pageerror', (error) => problems.push(`${label}: ${error.message}`));
    page.on('console', (message) => {
        if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text()))
            problems.push(`${label}: ${message.text()}`);
    });
    return page;
}

async function shoot(page, name) {
    await sleep(400); // let tiles and notices settle into place
    await page.screenshot({ path: join(screenshots, name) });
    log(`screenshot ${join(screenshots, name)}`);
}

async function screenOf(page) {
    return page.evaluate(() => document.body.dataset.screen || '');
}

async function waitForScreen(page, screen, what) {
    await until(async () => (await screenOf(page)) === screen, `${what} (screen ${screen})`);
}

async function fillEntry(page, name, passcode) {
    await page.getByLabel('Your name', { exact: true }).fill(name);
    if (passcode !== undefined)
        await page.getByLabel('Passcode', { exact: true }).fill(passcode);
}

async function headingText(page) {
    return (await page.locator('main:not([hidden]) h1').first().innerText()).trim();
}

async function joinAsGuest(page, meetingId, name, passcode) {
    await page.goto(`${base}/j/${meetingId}`);
    await waitForScreen(page, 'entry', `the join form of ${name}`);
    await fillEntry(page, name, passcode);
    await page.getByRole('button', { name: 'Join meeting' }).click();
}

async function tileNames(page) {
    return page.locator('#grid .tile .name').allInnerTexts();
}

// Audio and video from `otherId` reach `page`: inbound bytes and decoded frames grow.
async function expectMediaFrom(page, otherId, who) {
    const sample = async () => (await page.evaluate(() => window.quorumCall.inbound()))[otherId];
    const first = await until(async () => {
        const now = await sample();
        return now && now.video.framesDecoded > 0 && now.audio.bytesReceived > 0 && now;
    }, `the first decoded frames from ${who}`, 20_000);
    const later = await until(async () => {
        const now = await sample();
        return now.audio.bytesReceived > first.audio.bytesReceived
            && now.video.bytesReceived > first.video.bytesReceived
            && now.video.framesDecoded > first.video.framesDecoded + 10 && now;
    }, `growing media from ${who}`);
    log(`media from ${who}: audio ${first.audio.bytesReceived} -> ${later.audio.bytesReceived} `
        + `bytes, video ${first.video.framesDecoded} -> ${later.video.framesDecoded} frames`);
}

// ---- with Janus: the SFU, the recording, the room ----

// A webhook subscriber on loopback: every delivery's headers and raw body.
function startReceiver() {
    const deliveries = [];
    const server = createServer((request, response) => {
        const chunks = [];
        request.on('data', (chunk) => chunks.push(chunk));
        request.on('end', () => {
            deliveries.push({ headers: request.headers,
                              body: Buffer.concat(chunks).toString('utf8') });
            response.writeHead(204);
            response.end();
        });
    });
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
        server, deliveries, url: `http://127.0.0.1:${server.address().port}/quorum-events` })));
}

// X-Quorum-Signature: t=<t>,v1=HMAC-SHA256(secret, "v1:" + t + ":" + body), checked here with
// Node's own crypto.
function signedBy(delivery, secret) {
    const fields = Object.fromEntries((delivery.headers['x-quorum-signature'] || '')
        .split(',').map((field) => field.split('=')));
    const expected = createHmac('sha256', secret).update(`v1:${fields.t}:${delivery.body}`)
        .digest('hex');
    return fields.v1 === expected;
}

function ffprobe(file) {
    const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries',
                                         'format=duration:stream=codec_name', '-of', 'json', file],
                             { encoding: 'utf8', timeout: STEP_TIMEOUT_MS });
    const json = JSON.parse(out);
    return { duration: Number(json.format.duration),
             codecs: json.streams.map((stream) => stream.codec_name).sort() };
}

// Asks the Janus quorumd runs (its API address and secret are in the configuration quorumd
// wrote into its data dir) whether the VideoRoom has a room of that name.
async function janusRoomExists(room) {
    const directory = join(dataDir, 'janus');
    const setting = (file, key) => readFileSync(join(directory, file), 'utf8')
        .match(new RegExp(`^\\s*${key}\\s*=\\s*"?([^"\\n]*)"?`, 'm'))?.[1];
    const port = setting('janus.transport.websockets.jcfg', 'ws_port');
    const secret = setting('janus.jcfg', 'api_secret');
    const socket = new WebSocket(`ws://127.0.0.1:${port}`, 'janus-protocol');
    const answers = new Map();
    socket.addEventListener('message', (event) => {
        const answer = JSON.parse(event.data);
        if (answer.janus !== 'ack')
            answers.set(answer.transaction, answer);
    });
    await until(() => socket.readyState === WebSocket.OPEN, "Janus's API socket", 5000);
    let transactions = 0;
    const call = async (request) => {
        const transaction = String(++transactions);
        socket.send(JSON.stringify({ ...request, transaction, apisecret: secret }));
        return until(() => answers.get(transaction), `Janus's answer to ${request.janus}`, 5000);
    };
    try {
        const session = (await call({ janus: 'create' })).data.id;
        const handle = (await call({ janus: 'attach', session_id: session,
                                     plugin: 'janus.plugin.videoroom' })).data.id;
        const answer = await call({ janus: 'message', session_id: session, handle_id: handle,
                                    body: { request: 'exists', room } });
        return answer.plugindata.data.exists;
    } finally {
        socket.close();
    }
}

// The SFU drops a muted participant's audio whatever the browser sends: the test switches
// the microphone back on behind the page's back, and the other side still gets none of it.
async function expectServerSideMute(listener, mutedPage, mutedId) {
    const microphone = (enabled) => mutedPage.evaluate((on) => window.quorumCall.localTracks()
        .filter((track) => track.kind === 'audio').forEach((track) => { track.enabled = on; }),
    enabled);
    await microphone(true);
    await sleep(1000); // packets sent before the mute have arrived by now
    const before = (await listener.evaluate(() => window.quorumCall.inbound()))[mutedId];
    await sleep(2500);
    const after = (await listener.evaluate(() => window.quorumCall.inbound()))[mutedId];
    await microphone(false);
    expect(after.audio.bytesReceived === before.audio.bytesReceived,
           `muted audio still arrived: ${before.audio.bytesReceived} -> `
           + `${after.audio.bytesReceived} bytes`);
    expect(after.video.framesDecoded > before.video.framesDecoded,
           'the muted participant\'s video goes on');
    log(`server-side mute: no audio arrived for 2.5 s with the microphone on (stayed at `
        + `${after.audio.bytesReceived} bytes); video went on (${before.video.framesDecoded} -> `
        + `${after.video.framesDecoded} frames)`);
}

// After the unmute the SFU lets the audio through again.
async function expectAudioFlowing(listener, speakerId, who) {
    const first = (await listener.evaluate(() => window.quorumCall.inbound()))[speakerId];
    await until(async () => (await listener.evaluate(() => window.quorumCall.inbound()))[speakerId]
        .audio.bytesReceived > first.audio.bytesReceived + 1000, `audio from ${who} again`);
}

// A recording of a few seconds: recording.completed reaches a subscriber on loopback, signed;
// its MP4 and M4A download through their signed links and ffprobe reads the right codecs and
// a duration within 1 s of the recorded span.
async function expectRecording(meetingId, pages) {
    const receiver = await startReceiver();
    try {
        const subscribed = await api('POST', '/v1/webhooks', {
            url: receiver.url,
            events: ['recording.started', 'recording.stopped', 'recording.completed',
                     'recording.failed'] });
        expectStatus(subscribed, 201, 'subscribe to recording events');
        const secret = subscribed.body.secret;

        const started = await api('POST', `/v1/meetings/${meetingId}/recordings:start`, {});
        expectStatus(started, 202, 'recordings:start');
        const startedAt = Date.now();
        for (const page of pages)
            await page.locator('#recording-badge').waitFor({ state: 'visible' });
        await sleep(6000);
        expectStatus(await api('POST', `/v1/meetings/${meetingId}/recordings:stop`, {}), 202,
                     'recordings:stop');
        const span = (Date.now() - startedAt) / 1000;
        for (const page of pages)
            await page.locator('#recording-badge').waitFor({ state: 'hidden' });

        const event = (type) => receiver.deliveries.find((d) => JSON.parse(d.body).event === type);
        const completed = await until(() => event('recording.completed') || event('recording.failed'),
                                      'recording.completed', 90_000);
        const body = JSON.parse(completed.body);
        expect(body.event === 'recording.completed',
               `the recording failed: ${JSON.stringify(body.data)}`);
        expect(signedBy(completed, secret), 'recording.completed carries a valid signature');
        expect(body.data.recording_id === started.body.recording_id, 'the event names it');

        const scratch = mkdtempSync(join(tmpdir(), 'quorum-join-recording-'));
        try {
            const wanted = { video: ['aac', 'h264'], audio: ['aac'] };
            for (const [type, codecs] of Object.entries(wanted)) {
                const file = body.data.files.find((f) => f.type === type);
                expect(file, `recording.completed lists a ${type} file`);
                // The signed URL needs no token.
                const response = await fetch(file.url, { signal: AbortSignal.timeout(STEP_TIMEOUT_MS) });
                expect(response.status === 200, `download of the ${type}: ${response.status}`);
                const path = join(scratch, `${type}.${file.format}`);
                writeFileSync(path, Buffer.from(await response.arrayBuffer()));
                const probed = ffprobe(path);
                expect(JSON.stringify(probed.codecs) === JSON.stringify(codecs),
                       `the ${type} file's codecs: ${probed.codecs}`);
                expect(Math.abs(probed.duration - span) <= 1,
                       `the ${type} file lasts ${probed.duration} s for ${span} s recorded`);
                log(`recording: ${type} ${file.format} (${probed.codecs.join(' + ')}), `
                    + `${probed.duration.toFixed(2)} s for ${span.toFixed(2)} s recorded`);
            }
        } finally {
            rmSync(scratch, { recursive: true, force: true });
        }
        log('recording: recording.completed signed, files downloaded through signed links');
    } finally {
        receiver.server.close();
    }
}

async function noticeShown(page, text) {
    await page.locator('.notice', { hasText: text }).first().waitFor({ state: 'visible' });
}

async function main() {
    const offLoopback = [];
    const problems = [];
    const browser = await chromium.launch({
        executablePath: process.env.QUORUM_CHROMIUM ?? '/usr/bin/chromium',
        headless: true, timeout: STEP_TIMEOUT_MS,
        args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
               '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
               '--allow-loopback-in-peer-connection',
               '--disable-features=WebRtcHideLocalIpsWithMdns',
               '--autoplay-policy=no-user-gesture-required'] });
    try {
        const desktop = { width: 1280, height: 800 };
        const ann = await openPage(browser, desktop, offLoopback, problems, 'ann');
        const ben = await openPage(browser, desktop, offLoopback, problems, 'ben');

        // ---- meeting A: two guests ----
        const meetingA = await createMeeting('Design review', {
            passcode: PASSCODE_A, waiting_room: false,
            settings: { mute_upon_entry: false, allow_join_before_host: true } });
        log(`meeting A is ${meetingA}`);

        await ann.goto(`${base}/j/${meetingA}`);
        await waitForScreen(ann, 'entry', 'the join form');
        expect(await headingText(ann) === 'Join the meeting', 'the form says Join the meeting');
        for (const label of ['Your name', 'Passcode'])
            expect(await ann.getByLabel(label, { exact: true }).count() === 1,
                   `the form has a field labelled ${label}`);
        await fillEntry(ann, 'Ann Lee', '');
        await shoot(ann, 'join-form.png');
        await ann.setViewportSize({ width: 390, height: 844 });
        await shoot(ann, 'join-form-phone.png');
        await ann.setViewportSize(desktop);

        await fillEntry(ann, 'Ann Lee', '0000');
        await ann.getByRole('button', { name: 'Join meeting' }).click();
        const wrong = await ann.getByRole('alert').innerText();
        expect(wrong.includes('passcode is not right'), `a wrong passcode is said: ${wrong}`);
        await ann.getByLabel('Passcode', { exact: true }).fill(PASSCODE_A);
        await ann.getByRole('button', { name: 'Join meeting' }).click();
        await waitForScreen(ann, 'call', 'Ann in the call');
        expect(await ann.evaluate(() => window.quorumCall.media) === expectedMode,
               `the page speaks ${expectedMode}`);

        await joinAsGuest(ben, meetingA, 'Ben Okafor', PASSCODE_A);
        await waitForScreen(ben, 'call', 'Ben in the call');
        await until(async () => (await tileNames(ann)).includes('Ben Okafor'), "Ben's tile");
        await until(async () => (await tileNames(ben)).includes('Ann Lee'), "Ann's tile");

        const annId = await ann.evaluate(() => window.quorumCall.participantId);
        const benId = await ben.evaluate(() => window.quorumCall.participantId);
        await expectMediaFrom(ann, benId, 'Ben at Ann');
        await expectMediaFrom(ben, annId, 'Ann at Ben');
        await shoot(ann, 'call-two.png');

        await ben.setViewportSize({ width: 390, height: 844 });
        await shoot(ben, 'call-phone.png');
        // The controls fit a phone's width: nothing sticks out sideways.
        const overflow = await ben.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow <= 0, `the phone layout is ${overflow} px too wide`);

        // The host mutes Ben: the page mutes, acks, and says so.
        const benInRoster = await participantNamed(meetingA, 'Ben Okafor');
        expect(benInRoster.id === benId, 'the roster and the page agree on Ben');
        const muted = await api('POST', `/v1/meetings/${meetingA}/participants/${benId}/mute`,
                                { muted: true });
        expectStatus(muted, 200, 'mute Ben');
        expect(muted.body.acknowledged === true, `Ben's page acked the mute: ${muted.text}`);
        await noticeShown(ben, 'The host muted your microphone.');
        expect(await ben.locator('#mic-button').getAttribute('aria-pressed') === 'true',
               "Ben's microphone button shows muted");
        expect(await ben.evaluate(() => window.quorumCall.audioMuted), 'Ben is muted');
        await until(async () => ann.locator(`.tile[data-participant="${benId}"].audio-off`)
            .count(), "Ben's tile shows him muted at Ann");
        log('mute: shown on the page, acknowledged, seen by the other');
        if (expectedMode === 'sfu')
            await expectServerSideMute(ann, ben, benId);

        // The host asks Ben to unmute: the page asks, and accepting unmutes.
        const ask = await api('POST', `/v1/meetings/${meetingA}/participants/${benId}/mute`,
                              { muted: false });
        expectStatus(ask, 200, 'ask Ben to unmute');
        const request = ben.getByRole('dialog', { name: 'The host asks you to unmute' });
        await request.waitFor({ state: 'visible' });
        await request.getByRole('button', { name: 'Unmute' }).click();
        await until(async () => (await participants(meetingA))
            .find((p) => p.id === benId)?.audio_muted === false, 'Ben unmuted in the roster');
        log('unmute: asked on the page, accepted, unmuted');
        if (expectedMode === 'sfu') {
            await expectAudioFlowing(ann, benId, 'Ben');
            log('unmute: the SFU lets Ben\'s audio through again');
            await expectRecording(meetingA, [ann, ben]);
        }

        // The host removes Ben: his call closes with the notice; he cannot come back.
        const removed = await api('DELETE', `/v1/meetings/${meetingA}/participants/${benId}`);
        expect(removed.status === 200 || removed.status === 204,
               `remove Ben: ${removed.status} ${removed.text}`);
        await waitForScreen(ben, 'message', "Ben's removed notice");
        expect(await headingText(ben) === 'You were removed from the meeting',
               `Ben sees: ${await headingText(ben)}`);
        await shoot(ben, 'removed.png');
        await until(async () => (await tileNames(ann)).length === 1, "Ben's tile gone at Ann");
        await ben.setViewportSize(desktop);
        await joinAsGuest(ben, meetingA, 'Ben Okafor', PASSCODE_A);
        await waitForScreen(ben, 'message', "Ben's refused rejoin");
        expect(await headingText(ben) === 'You cannot rejoin this meeting',
               `a rejoin says: ${await headingText(ben)}`);
        log('remove: the call closed with the notice; the rejoin was refused');

        // The host ends the meeting.
        if (expectedMode === 'sfu')
            expect(await janusRoomExists(meetingA) === true, 'the live meeting has its room');
        expectStatus(await api('POST', `/v1/meetings/${meetingA}:end`, {}), 200, 'end A');
        await waitForScreen(ann, 'message', "Ann's ended notice");
        expect(await headingText(ann) === 'The meeting has ended',
               `Ann sees: ${await headingText(ann)}`);
        log('end: the page says the meeting has ended');
        if (expectedMode === 'sfu') {
            await until(async () => (await janusRoomExists(meetingA)) === false,
                        'the ended meeting\'s room to be destroyed');
            log('end: Janus has no room of the meeting any more');
        }

        // Meetings that cannot be joined say why.
        await joinAsGuest(ann, 'mtg_0000000000000000000000', 'Ann Lee', '');
        await waitForScreen(ann, 'message', 'the unknown meeting');
        expect(await headingText(ann) === 'This meeting does not exist',
               `an unknown meeting says: ${await headingText(ann)}`);
        const meetingC = await createMeeting('Called off', {});
        expectStatus(await api('DELETE', `/v1/meetings/${meetingC}`), 204, 'cancel C');
        await joinAsGuest(ann, meetingC, 'Ann Lee', '');
        await waitForScreen(ann, 'message', 'the cancelled meeting');
        expect(await headingText(ann) === 'This meeting was cancelled',
               `a cancelled meeting says: ${await headingText(ann)}`);
        log('unknown and cancelled meetings: clear messages');

        // ---- meeting B: the host's start_url and the waiting room ----
        const meetingB = await createMeeting('Weekly sync', {
            passcode: PASSCODE_B, waiting_room: true, settings: { mute_upon_entry: false } });
        log(`meeting B is ${meetingB}`);
        const host = await openPage(browser, desktop, offLoopback, problems, 'host');
        await host.goto(`${base}/j/${meetingB}?as=host`);
        await waitForScreen(host, 'entry', "the host's start page");
        expect(await headingText(host) === 'Start your meeting', 'the host is asked to sign in');
        await Promise.all([host.waitForURL(/\/signin/),
                           host.getByRole('link', { name: 'Sign in to start' }).click()]);
        await host.getByLabel('Workspace', { exact: true }).fill(workspace);
        await host.getByLabel('User name', { exact: true }).fill(userName);
        await host.getByLabel('Password', { exact: true }).fill(password);
        await Promise.all([host.waitForURL(`${base}/j/${meetingB}?as=host`),
                           host.getByRole('button', { name: 'Sign in' }).click()]);
        await waitForScreen(host, 'entry', 'the signed-in start page');
        const signedIn = await host.locator('#signed-in-as').innerText();
        expect(signedIn.includes(userName), `the page says who is signed in: ${signedIn}`);

        // The exchange is refused without the page's CSRF token, and without a session.
        const forged = await host.evaluate(async (id) => {
            const answers = [];
            for (const body of [{}, { csrf_token: 'not-the-token' }]) {
                const response = await fetch(`/j/${id}/token`, {
                    method: 'POST', headers: { 'Content-Type': 'application/json' },
                    body: JSON.stringify(body) });
                answers.push({ status: response.status, body: await response.json() });
            }
            return answers;
        }, meetingB);
        for (const answer of forged)
            expect(answer.status === 403 && answer.body.code === 'csrf_failed'
                   && answer.body.errors?.[0]?.field === 'csrf_token',
                   `a request without the CSRF token is refused: ${JSON.stringify(answer)}`);
        const csrf = await host.evaluate(() => document.body.dataset.csrfToken);
        const anonymous = await api('POST', `/j/${meetingB}/token`, { csrf_token: csrf },
                                    { bearer: null, headers: { Origin: base } });
        expectStatus(anonymous, 401, 'POST /j/{id}/token without a session');
        expect(anonymous.body.code === 'sign_in_required', `code ${anonymous.body.code}`);
        const cookies = await host.context().cookies(base);
        const session = cookies.find((c) => c.name === 'quorum_session');
        const foreign = await api('POST', `/j/${meetingB}/token`, { csrf_token: csrf },
                                  { bearer: null, headers: { Origin: 'http://elsewhere.example',
                                    Cookie: `quorum_session=${session.value}` } });
        expectStatus(foreign, 403, 'POST /j/{id}/token from another origin');
        log('POST /j/{id}/token: refused without CSRF token (403), session (401), or origin');

        // Someone already waits when the host arrives: the host page says so at once, and the
        // notice goes when they are let in some other way (here, through the REST API).
        const early = await openPage(browser, desktop, offLoopback, problems, 'early');
        await joinAsGuest(early, meetingB, 'Dana Early', PASSCODE_B);
        await waitForScreen(early, 'waiting', 'the early guest waiting');

        await host.getByRole('button', { name: 'Start meeting' }).click();
        await waitForScreen(host, 'call', 'the host in the call');
        await noticeShown(host, 'Dana Early is waiting to join.');
        const earlyInRoster = await participantNamed(meetingB, 'Dana Early');
        expectStatus(await api('POST', `/v1/meetings/${meetingB}/participants/${earlyInRoster.id}`
                               + '/admit', {}), 200, 'admit Dana through the API');
        await waitForScreen(early, 'call', 'the early guest let in');
        await host.locator('.notice', { hasText: 'Dana Early is waiting' })
            .waitFor({ state: 'detached' });
        await early.getByRole('button', { name: 'Leave' }).click();
        await waitForScreen(early, 'message', 'the early guest gone');
        log('a host arriving late sees who waits; the notice goes once they are in');
        const hostInRoster = await participantNamed(meetingB, userName);
        expect(hostInRoster.role === 'host', `the host joined as ${hostInRoster.role}`);
        log('start_url: signed in, POST /j/{id}/token, joined as host');

        const guest = await openPage(browser, desktop, offLoopback, problems, 'guest');
        await joinAsGuest(guest, meetingB, 'Chloé Martin', PASSCODE_B);
        await waitForScreen(guest, 'waiting', 'the waiting room');
        await shoot(guest, 'waiting-room.png');
        await sleep(1000);
        expect(await screenOf(guest) === 'waiting', 'the guest stays in the waiting room');
        await noticeShown(host, 'Chloé Martin is waiting to join.');
        await host.getByRole('button', { name: 'Let in' }).click();
        await waitForScreen(guest, 'call', 'the admitted guest in the call');
        const guestId = await guest.evaluate(() => window.quorumCall.participantId);
        const hostId = await host.evaluate(() => window.quorumCall.participantId);
        await expectMediaFrom(host, guestId, 'the admitted guest at the host');
        await expectMediaFrom(guest, hostId, 'the host at the admitted guest');
        log('waiting room: waited, let in from the host page, media flows');

        await guest.getByRole('button', { name: 'Leave' }).click();
        await waitForScreen(guest, 'message', 'the left page');
        expect(await headingText(guest) === 'You left the meeting', 'leaving is confirmed');
        await until(async () => (await tileNames(host)).length === 1, "the guest's tile gone");

        expect(offLoopback.length === 0, `requests left loopback: ${offLoopback.join(', ')}`);
        expect(problems.length === 0, `the pages reported errors: ${problems.join(' | ')}`);
    } finally {
        await browser.close();
    }
}

try {
    await main();
    log('PASS');
    clearTimeout(watchdog);
} catch (error) {
    console.error(`join_page: FAIL: ${error instanceof Failure ? error.message : error.stack}`);
    process.exit(1);
}
