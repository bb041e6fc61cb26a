// Quorum signalling from Node's own WebSocket (Node 20.10+ with --experimental-websocket, the
// WHATWG client browsers have too; no packages).
//
// Schedules a meeting on the quorumd at QUORUM_URL with the bearer QUORUM_TOKEN, asks for the
// host's join token, opens /v1/signal with the quorum.v1 subprotocol, joins, checks the
// `joined` answer, leaves and expects the documented close code 4007. Exits 1 on the first
// mismatch.

const TIMEOUT_MS = 5000;

class Mismatch extends Error {}

function expect(condition, what) {
    if (!condition)
        throw new Mismatch(what);
}

async function call(method, url, token, body) {
    const init = { method, headers: { Authorization: `Bearer ${token}` } };
    if (body !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) };
}

// Resolves with the first event of `type` on the socket, or rejects after the timeout.
function next(socket, type) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Mismatch(`no ${type} within ${TIMEOUT_MS} ms`)),
                                 TIMEOUT_MS);
        socket.addEventListener(type, (event) => {
            clearTimeout(timer);
            resolve(event);
        }, { once: true });
    });
}

async function main() {
    const base = process.env.QUORUM_URL;
    const token = process.env.QUORUM_TOKEN;
    expect(base && token, 'QUORUM_URL and QUORUM_TOKEN must be set');
    expect(typeof WebSocket === 'function',
           'no global WebSocket: run node with --experimental-websocket (Node 20.10 or later)');

    const created = await call('POST', `${base}/v1/meetings`, token, {
        topic: 'Node signalling', start_time: '2030-05-04T09:00:00Z', duration_minutes: 30,
    });
    expect(created.status === 201, `create: ${created.status} ${created.text.slice(0, 200)}`);
    const meetingId = created.json().id;
    const issued = await call('POST', `${base}/v1/meetings/${meetingId}/joinToken`, token, {});
    expect(issued.status === 200, `joinToken: ${issued.status} ${issued.text.slice(0, 200)}`);
    const jwt = issued.json().jwt;

    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/signal`, ['quorum.v1']);
    const opened = next(socket, 'open');
    const failed = next(socket, 'error').then(() => { throw new Mismatch('the upgrade failed'); });
    await Promise.race([opened, failed]);
    failed.catch(() => {});
    expect(socket.protocol === 'quorum.v1', `negotiated subprotocol '${socket.protocol}'`);

    const answered = next(socket, 'message');
    socket.send(JSON.stringify({ type: 'join', id: 'n1', token: jwt, meeting_id: meetingId }));
    const joined = JSON.parse((await answered).data);
    expect(joined.type === 'joined', `answer ${JSON.stringify(joined).slice(0, 300)}`);
    expect(joined.id === 'n1', 'the answer echoes the request id');
    expect(joined.meeting_id === meetingId, 'joined names the meeting');
    expect(joined.role === 'host', `role ${joined.role}`);
    expect(/^[A-Za-z0-9_-]+$/.test(joined.participant_id), 'a URL-safe participant id');
    expect(typeof joined.resume_token === 'string' && joined.resume_token.length > 0,
           'a resume token');
    expect(Array.isArray(joined.participants) && joined.participants.length === 1,
           'the roster holds the host');

    const meeting = await call('GET', `${base}/v1/meetings/${meetingId}`, token);
    expect(meeting.json().state === 'LIVE', `state after the join: ${meeting.json().state}`);

    const closed = next(socket, 'close');
    socket.send(JSON.stringify({ type: 'leave' }));
    const close = await closed;
    expect(close.code === 4007, `close code after leave: ${close.code}`);

    console.log(`node signalling: joined ${meetingId} as ${joined.participant_id} over quorum.v1, `
                + 'left with 4007');
}

main().catch((error) => {
    console.error(`node signalling: ${error instanceof Mismatch ? 'MISMATCH' : 'ERROR'}: `
                  + `${error.message}`);
    process.exit(1);
});
