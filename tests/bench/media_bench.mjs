// The media benchmark, against a real quorumd with the janus plane on loopback, through the
// join page in headless chromium (fake camera and microphone):
// 1. join to first frame: a participant is in the call; ten times, a second page opens
//    /j/{id}, fills in its name and the passcode, clicks Join, and the time from the click to
//    the first frame of the first participant's video on its screen is taken (p50 target
//    <= 1.5 s);
// 2. processing: two people in the call, a recording of RECORD_SECONDS (60) started and
//    stopped through the REST API; the time from the stop until the recording is completed,
//    as a multiple of its length (target <= 0.5 x real time).
// Env: QUORUM_URL, QUORUM_TOKEN (the host's bearer), QUORUM_CHROMIUM, QUORUM_NODE_MODULES,
// QUORUM_JOINS (10), QUORUM_RECORD_SECONDS (60).
import { join } from 'node:path';

const { chromium } = await import(join(process.env.QUORUM_NODE_MODULES,
                                       'playwright-core/index.mjs'));
const base = process.env.QUORUM_URL;
const token = process.env.QUORUM_TOKEN;
const joins = Number(process.env.QUORUM_JOINS || 10);
const recordSeconds = Number(process.env.QUORUM_RECORD_SECONDS || 60);
const PASSCODE = '271828';
const WAIT_MS = 20000;

async function rest(method, path, body) {
    const init = { method, headers: { Authorization: `Bearer ${token}` } };
    if (body !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
    }
    const response = await fetch(base + path, init);
    const text = await response.text();
    if (response.status >= 300)
        throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function quantile(sorted, q) {
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

// Opens the join page and joins as `name`; resolves once the call screen shows.
async function joinThroughPage(context, meetingId, name) {
    const page = await context.newPage();
    await page.goto(`${base}/j/${meetingId}`);
    await page.fill('#display-name', name);
    await page.fill('#passcode', PASSCODE);
    return page;
}

// Clicks Join and measures, in the page, the time until a frame of `feed`'s video shows.
async function clickAndTimeFirstFrame(page, feed) {
    await page.evaluate((feedId) => {
        window.__bench = { clickedAt: 0, frameAt: 0 };
        document.querySelector('#join-button').addEventListener('click', () => {
            window.__bench.clickedAt = performance.now();
            const look = () => {
                const video = document.querySelector(
                    `.tile[data-participant="${CSS.escape(feedId)}"] video`);
                if (video && video.videoWidth > 0 && video.readyState >= 2
                    && video.currentTime > 0) {
                    window.__bench.frameAt = performance.now();
                    return;
                }
                requestAnimationFrame(look);
            };
            requestAnimationFrame(look);
        }, { capture: true, once: true });
    }, feed);
    await page.click('#join-button');
    await page.waitForFunction(() => window.__bench.frameAt > 0, null, { timeout: WAIT_MS });
    return page.evaluate(() => window.__bench.frameAt - window.__bench.clickedAt);
}

async function presentId(meetingId, name) {
    for (let i = 0; i < 100; ++i) {
        const list = await rest('GET', `/v1/meetings/${meetingId}/participants?state=present`);
        const found = (list.data || list.participants || []).find((p) => p.display_name === name);
        if (found)
            return found.id;
        await sleep(100);
    }
    throw new Error(`${name} never appeared in the participants list`);
}

async function main() {
    const meeting = await rest('POST', '/v1/meetings', {
        topic: 'Media benchmark', start_time: '2030-05-04T09:00:00Z', duration_minutes: 60,
        passcode: PASSCODE, waiting_room: false, settings: { allow_join_before_host: true } });
    const browser = await chromium.launch({
        executablePath: process.env.QUORUM_CHROMIUM || '/usr/bin/chromium', headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
               '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
               '--allow-loopback-in-peer-connection',
               '--disable-features=WebRtcHideLocalIpsWithMdns',
               '--autoplay-policy=no-user-gesture-required'] });
    try {
        const anchorContext = await browser.newContext();
        const anchor = await joinThroughPage(anchorContext, meeting.id, 'Anchor');
        await anchor.click('#join-button');
        const anchorId = await presentId(meeting.id, 'Anchor');

        const times = [];
        for (let i = 0; i < joins; ++i) {
            const context = await browser.newContext();
            const page = await joinThroughPage(context, meeting.id, `Joiner ${i + 1}`);
            const ms = await clickAndTimeFirstFrame(page, anchorId);
            times.push(ms);
            console.log(`join ${i + 1}: ${ms.toFixed(0)} ms from the click to the first frame`);
            await context.close();
            await sleep(300);
        }
        const sorted = [...times].sort((a, b) => a - b);
        const p50 = quantile(sorted, 0.5);
        console.log(`join to first remote frame over ${joins} joins: p50 ${p50.toFixed(0)} ms, `
                    + `p90 ${quantile(sorted, 0.9).toFixed(0)} ms, `
                    + `max ${sorted[sorted.length - 1].toFixed(0)} ms `
                    + `(target p50 <= 1500 ms: ${p50 <= 1500 ? 'PASS' : 'FAIL'})`);

        if (recordSeconds > 0) {
            const secondContext = await browser.newContext();
            const second = await joinThroughPage(secondContext, meeting.id, 'Second');
            await clickAndTimeFirstFrame(second, anchorId);
            const started = await rest('POST', `/v1/meetings/${meeting.id}/recordings:start`, {});
            await sleep(recordSeconds * 1000);
            await rest('POST', `/v1/meetings/${meeting.id}/recordings:stop`, {});
            const stoppedAt = Date.now();
            let recording;
            for (;;) {
                recording = await rest('GET', `/v1/recordings/${started.recording_id}`);
                if (recording.state === 'completed' || recording.state === 'failed')
                    break;
                if (Date.now() - stoppedAt > 10 * recordSeconds * 1000)
                    throw new Error('the recording was not processed in 10 x its length');
                await sleep(100);
            }
            const seconds = (Date.now() - stoppedAt) / 1000;
            if (recording.state !== 'completed')
                throw new Error(`the recording failed: ${recording.error_code}`);
            const length = recording.duration_seconds || recordSeconds;
            const ratio = seconds / length;
            console.log(`processing of a ${length.toFixed(1)} s two-person recording: `
                        + `${seconds.toFixed(2)} s, ${ratio.toFixed(3)} x real time `
                        + `(target <= 0.5: ${ratio <= 0.5 ? 'PASS' : 'FAIL'})`);
        }
    } finally {
        await browser.close();
    }
}

main().catch((error) => {
    console.error(`media_bench: ${error.message}`);
    process.exit(1);
});
