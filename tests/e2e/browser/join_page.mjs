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
// The media plane is QUORUM_E2E_MEDIA (builtin: the mesh; janus: the SFU); the page's
// window.quorumCall.inbound() reports per remote participant in both. Screenshots go to
// QUORUM_SCREENSHOTS. Every wait has a timeout; the whole run ends within 180 s.
//
// Environment (set by ../run_browser.sh): QUORUM_URL, QUORUMD_BINARY, QUORUM_DATA_DIR,
// QUORUM_WORKSPACE, QUORUM_USER, QUORUM_PASSWORD, QUORUM_CHROMIUM, QUORUM_SCREENSHOTS,
// QUORUM_E2E_MEDIA.

import { execFileSync } from 'node:child_process';
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
        expectStatus(await api('POST', `/v1/meetings/${meetingA}:end`, {}), 200, 'end A');
        await waitForScreen(ann, 'message', "Ann's ended notice");
        expect(await headingText(ann) === 'The meeting has ended',
               `Ann sees: ${await headingText(ann)}`);
        log('end: the page says the meeting has ended');

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

        await host.getByRole('button', { name: 'Start meeting' }).click();
        await waitForScreen(host, 'call', 'the host in the call');
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
