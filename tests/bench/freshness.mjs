// Cross-node freshness: how long after a change answered by node A node B shows it.
// Usage: node --experimental-websocket freshness.mjs URL_A URL_B TOKEN [ROUNDS]
//
// Two measures, ROUNDS rounds each (default 200):
// - meeting: PATCH a meeting's topic on A, then GET it from B until the new topic shows
//   (B's meeting cache is warm before each change: the bus must invalidate it);
// - roster: a guest joins on A over /v1/signal, then B's GET /v1/meetings/{id} is read until
//   live.participant_count counts it (the live summary travels over the bus).
// Times run from A's answer (the join's `joined` frame) to B's first read that shows it; B is
// read in a tight loop over one kept-alive connection, so the figure includes one request's
// time. Prints p50, p99 and max in ms, one line per measure, prefixed FRESHNESS.

const [urlA, urlB, token, roundsText] = process.argv.slice(2);
const rounds = Number(roundsText || 200);
const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
const TIMEOUT_MS = 5000;

async function call(method, url, body) {
    const response = await fetch(url, { method, headers,
                                        body: body === undefined ? undefined
                                                                 : JSON.stringify(body) });
    const text = await response.text();
    if (response.status >= 300)
        throw new Error(`${method} ${url}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : {};
}

// Reads `url` until `shows` accepts the body; the elapsed ms since `since`.
async function until(url, shows, since) {
    for (;;) {
        const body = await call('GET', url);
        if (shows(body))
            return performance.now() - since;
        if (performance.now() - since > TIMEOUT_MS)
            throw new Error(`${url} did not show the change within ${TIMEOUT_MS} ms`);
    }
}

function report(name, samples) {
    const sorted = [...samples].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    console.log(`FRESHNESS ${name} rounds=${sorted.length} p50=${at(0.5).toFixed(2)} ` +
                `p99=${at(0.99).toFixed(2)} max=${sorted[sorted.length - 1].toFixed(2)}`);
}

const start = new Date(Date.now() + 7 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');
const meeting = await call('POST', `${urlA}/v1/meetings`, {
    topic: 'Freshness', start_time: start, duration_minutes: 60,
    waiting_room: false, settings: { allow_join_before_host: true } });

const meetingSamples = [];
for (let round = 0; round < rounds; ++round) {
    await call('GET', `${urlB}/v1/meetings/${meeting.id}`); // B caches it
    const topic = `Freshness ${round}`;
    await call('PATCH', `${urlA}/v1/meetings/${meeting.id}`, { topic });
    const answered = performance.now();
    meetingSamples.push(await until(`${urlB}/v1/meetings/${meeting.id}`,
                                    (body) => body.topic === topic, answered));
}
report('meeting_patch', meetingSamples);

// The roster: one guest joins per round and stays, so each round counts one more.
const rosterSamples = [];
const sockets = [];
for (let round = 0; round < Math.min(rounds, 100); ++round) {
    const grant = await call('POST', `${urlA}/v1/meetings/${meeting.id}/joinToken`,
                             { guest: true, display_name: `Guest ${round}` });
    const socket = new WebSocket(grant.sfu_url, 'quorum.v1');
    sockets.push(socket);
    await new Promise((resolve, reject) => {
        socket.addEventListener('open', resolve, { once: true });
        socket.addEventListener('error', reject, { once: true });
    });
    const joined = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no joined frame')), TIMEOUT_MS);
        socket.addEventListener('message', (event) => {
            const frame = JSON.parse(event.data);
            if (frame.type === 'joined') {
                clearTimeout(timer);
                resolve();
            }
            if (frame.type === 'ping')
                socket.send(JSON.stringify({ type: 'pong' }));
        });
    });
    socket.send(JSON.stringify({ type: 'join', id: 'j', token: grant.jwt }));
    await joined;
    const answered = performance.now();
    const expected = round + 1;
    rosterSamples.push(await until(`${urlB}/v1/meetings/${meeting.id}`,
                                   (body) => body.live && body.live.participant_count >= expected,
                                   answered));
}
report('roster_join', rosterSamples);
for (const socket of sockets)
    socket.close(1000);
