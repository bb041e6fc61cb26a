// Quorum end-to-end client in JavaScript (Node 18 or later, global fetch, no packages).
//
// Schedules a meeting on the quorumd at QUORUM_URL with the bearer QUORUM_TOKEN, reads it back,
// finds it in the list, changes it with If-Match, asks for a host and a guest join token, and
// checks that a bad request is refused with a problem+json naming the field. Prints a summary;
// exits 1 on the first mismatch.

const TOPIC = "Réunion d'équipe · 東京 ✓";
const PASSCODE = 's3cret*9';
const GUEST_NAME = 'Zoë Gäst';
const JWT_PART = /^[A-Za-z0-9_-]+$/;

class Mismatch extends Error {}

function expect(condition, what) {
    if (!condition)
        throw new Mismatch(what);
}

async function call(method, url, { token, body, contentType, headers = {} } = {}) {
    const init = { method, headers: { ...headers } };
    if (token)
        init.headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) {
        init.headers['Content-Type'] = contentType ?? 'application/json';
        init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, text,
             json: () => JSON.parse(text) };
}

function expectStatus(reply, status, what) {
    expect(reply.status === status,
           `${what}: expected ${status}, got ${reply.status}: ${reply.text.slice(0, 300)}`);
}

// Checks the compact form (three base64url parts) and returns the decoded payload.
function jwtPayload(jwt) {
    const parts = jwt.split('.');
    expect(parts.length === 3, `a JWT has three parts, got ${parts.length}`);
    for (const part of parts)
        expect(JWT_PART.test(part), `JWT part is not base64url: ${part.slice(0, 20)}`);
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
}

async function main() {
    const base = process.env.QUORUM_URL.replace(/\/$/, '');
    const token = process.env.QUORUM_TOKEN;
    const summary = [];

    // A start a week ahead keeps the run valid whatever day it is.
    const start = new Date(Date.now() + 7 * 24 * 3600 * 1000);
    start.setUTCMilliseconds(0);
    const startText = start.toISOString().replace('.000Z', 'Z');
    const created = await call('POST', `${base}/v1/meetings`, { token, body: {
        topic: TOPIC, start_time: startText, timezone: 'Europe/Berlin', duration_minutes: 45,
        passcode: PASSCODE } });
    expectStatus(created, 201, 'POST /v1/meetings');
    const meeting = created.json();
    const id = meeting.id;
    expect(id.startsWith('mtg_'), `meeting id ${id} has the mtg_ prefix`);
    expect(meeting.topic === TOPIC, `created topic round-trips: ${meeting.topic}`);
    expect(meeting.start_time === startText, `start_time is ${meeting.start_time}`);
    expect(meeting.state === 'SCHEDULED', `state is ${meeting.state}`);
    expect(created.headers.get('location') === `/v1/meetings/${id}`, 'Location header');
    summary.push(`created ${id}`);

    const read = await call('GET', `${base}/v1/meetings/${id}`, { token });
    expectStatus(read, 200, 'GET /v1/meetings/{id}');
    expect(read.json().topic === TOPIC, `read topic round-trips: ${read.json().topic}`);
    const etag = read.headers.get('etag');
    expect(!!etag, 'GET answers an ETag');
    summary.push(`read back, ETag ${etag}`);

    let found = false;
    let cursor = null;
    let pages = 0;
    do {
        const query = new URLSearchParams({ page_size: '50' });
        if (cursor)
            query.set('cursor', cursor);
        const listed = await call('GET', `${base}/v1/meetings?${query}`, { token });
        expectStatus(listed, 200, 'GET /v1/meetings');
        const page = listed.json();
        pages += 1;
        found = page.meetings.some((item) => item.id === id);
        cursor = page.next_cursor;
    } while (!found && cursor);
    expect(found, 'the new meeting is in the list');
    summary.push(`listed (${pages} page(s))`);

    const patched = await call('PATCH', `${base}/v1/meetings/${id}`, {
        token, body: { duration_minutes: 60 }, contentType: 'application/merge-patch+json',
        headers: { 'If-Match': etag } });
    expectStatus(patched, 200, 'PATCH with a fresh If-Match');
    expect(patched.json().duration_minutes === 60, 'PATCH changed duration_minutes');
    const newEtag = patched.headers.get('etag');
    expect(newEtag && newEtag !== etag, 'PATCH answers a new ETag');
    const stale = await call('PATCH', `${base}/v1/meetings/${id}`, {
        token, body: { duration_minutes: 90 }, headers: { 'If-Match': etag } });
    expectStatus(stale, 412, 'PATCH with a stale If-Match');
    summary.push(`patched, new ETag ${newEtag}, stale If-Match 412`);

    const host = await call('POST', `${base}/v1/meetings/${id}/joinToken`, { token, body: {} });
    expectStatus(host, 200, 'joinToken as the bearer');
    expect(host.json().participant_role === 'host',
           `the creator joins as host, not ${host.json().participant_role}`);
    let claims = jwtPayload(host.json().jwt);
    expect(claims.mid === id, `host JWT mid is ${claims.mid}`);
    expect(claims.role === 'host', `host JWT role is ${claims.role}`);
    expect(host.json().expires_in > 0, 'expires_in is positive');
    summary.push(`host token for ${claims.sub}, sfu ${host.json().sfu_url}`);

    // The guest comes from the join page: no Authorization header at all.
    const guest = await call('POST', `${base}/v1/meetings/${id}/joinToken`, {
        body: { guest: true, display_name: GUEST_NAME, passcode: PASSCODE } });
    expectStatus(guest, 200, 'joinToken as a guest with the passcode');
    expect(guest.json().participant_role === 'attendee',
           `the guest joins as attendee, not ${guest.json().participant_role}`);
    claims = jwtPayload(guest.json().jwt);
    expect(claims.mid === id, `guest JWT mid is ${claims.mid}`);
    expect(claims.name === GUEST_NAME, `guest JWT name is ${claims.name}`);
    summary.push(`guest token for ${claims.sub}`);

    const bad = await call('POST', `${base}/v1/meetings`, { token, body: {
        topic: '', start_time: startText, duration_minutes: 0 } });
    expectStatus(bad, 400, 'POST /v1/meetings with an empty topic');
    const contentType = bad.headers.get('content-type') ?? '';
    expect(contentType.startsWith('application/problem+json'),
           `a problem+json answers, not ${contentType}`);
    const problem = bad.json();
    expect(problem.code === 'validation_failed', `problem code ${problem.code}`);
    expect(problem.type === 'urn:quorum:problem:validation_failed', `problem type ${problem.type}`);
    expect(problem.status === 400, `problem status ${problem.status}`);
    const fields = (problem.errors ?? []).map((error) => error.field).sort();
    expect(fields.includes('topic') && fields.includes('duration_minutes'),
           `errors[].field are ${fields.join(', ')}`);
    summary.push(`bad request: 400 ${problem.code} on ${fields.join(', ')}`);

    console.log('node client: OK');
    for (const line of summary)
        console.log(`  ${line}`);
}

try {
    await main();
} catch (error) {
    const kind = error instanceof Mismatch ? 'MISMATCH' : `ERROR: ${error.name}`;
    console.error(`node client: ${kind}: ${error.message}`);
    process.exit(1);
}
