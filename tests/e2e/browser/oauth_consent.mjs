// Drives headless chromium through Quorum's sign-in and OAuth consent pages, the way a person
// connecting a third-party app would, with this script standing in for the app.
//
// The app is a loopback HTTP listener of ours (the redirect target). The script registers it
// as a public app with the quorumd binary, installs it in the workspace, then: opens
// /oauth/authorize in the browser, is sent to /signin, signs in once with a wrong password and
// once with the right one, approves on the consent page, and the listener exchanges the code
// with its PKCE verifier and calls the API with the token. Then a second authorization is
// denied: the listener gets error=access_denied and no token can be had. Screenshots of the
// pages go to QUORUM_SCREENSHOTS. Every wait has a timeout and the whole run ends within 60 s;
// any failure prints what went wrong and exits 1.
//
// Environment (set by ../run_browser.sh): QUORUM_URL, QUORUMD_BINARY, QUORUM_DATA_DIR,
// QUORUM_WORKSPACE, QUORUM_USER, QUORUM_PASSWORD, QUORUM_CHROMIUM, QUORUM_SCREENSHOTS.

import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const APP_NAME = 'Acme Calendar Sync';
const SCOPES = ['meeting.read', 'meeting.write'];
// What the consent page must say for each scope asked: plain words, not scope names.
const SCOPE_WORDS = [
    'See your meetings and who takes part in them',
    'Schedule, change and cancel meetings, and manage their participants',
];
const STEP_TIMEOUT_MS = 10_000;
const RUN_TIMEOUT_MS = 60_000;

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

// The whole run has one deadline, whatever step hangs.
const watchdog = setTimeout(() => {
    console.error(`oauth_consent: FAIL: the run took longer than ${RUN_TIMEOUT_MS / 1000} s`);
    process.exit(1);
}, RUN_TIMEOUT_MS);
watchdog.unref();

function withTimeout(promise, what) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Failure(`timed out waiting for ${what}`)),
                           STEP_TIMEOUT_MS);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function base64url(bytes) {
    return Buffer.from(bytes).toString('base64url');
}

// RFC 7636: a random verifier and its S256 challenge.
function pkce() {
    const verifier = base64url(randomBytes(32));
    const challenge = base64url(createHash('sha256').update(verifier).digest());
    return { verifier, challenge };
}

async function call(method, path, { token, json, form } = {}) {
    const init = { method, headers: {}, signal: AbortSignal.timeout(STEP_TIMEOUT_MS) };
    if (token)
        init.headers.Authorization = `Bearer ${token}`;
    if (json !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(json);
    }
    if (form !== undefined) {
        init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
        init.body = new URLSearchParams(form).toString();
    }
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    let body = null;
    try {
        body = JSON.parse(text);
    } catch {
        // Not JSON; the checks below report the text.
    }
    return { status: response.status, text, body };
}

function expectStatus(reply, status, what) {
    expect(reply.status === status,
           `${what}: expected ${status}, got ${reply.status}: ${reply.text.slice(0, 300)}`);
}

function quorumdCommand(args) {
    return execFileSync(quorumd, ['--data-dir', dataDir, ...args],
                        { encoding: 'utf8', timeout: STEP_TIMEOUT_MS,
                          stdio: ['ignore', 'pipe', 'pipe'] });
}

// ---- the app: its redirect listener ----

// What the app expects next: the state it sent and the verifier behind its challenge. The
// listener settles `outcome` with what it received and what it did with it.
let expected = null;

function expectCallback(clientId, state, verifier) {
    let settle;
    const outcome = new Promise((resolve) => { settle = resolve; });
    expected = { clientId, state, verifier, settle };
    return outcome;
}

// What a real app does on its redirect: check the state, exchange the code with the
// verifier, use the token.
async function useCode(query, redirectUri, sent) {
    const code = query.get('code');
    expect(code, `the redirect carries a code: ${query}`);
    const granted = await call('POST', '/oauth/token', { form: {
        grant_type: 'authorization_code', code, redirect_uri: redirectUri,
        client_id: sent.clientId, code_verifier: sent.verifier } });
    expectStatus(granted, 200, 'POST /oauth/token (authorization_code)');
    const token = granted.body;
    expect(token.token_type === 'Bearer', `token_type is ${token.token_type}`);
    expect(token.access_token && token.refresh_token, 'an access and a refresh token');
    expect(token.scope.split(' ').sort().join(' ') === SCOPES.join(' '),
           `the token's scope is ${token.scope}`);

    const me = await call('GET', '/v1/me', { token: token.access_token });
    expectStatus(me, 200, 'GET /v1/me with the app token');
    expect(me.body.user.name === userName, `the token acts for ${me.body.user.name}`);
    expect(me.body.workspace.name === workspace, `in workspace ${me.body.workspace.name}`);
    expect(me.body.credential.first_party === false, 'an app token is not first-party');

    const start = new Date(Date.now() + 7 * 24 * 3600 * 1000);
    start.setUTCMilliseconds(0);
    const created = await call('POST', '/v1/meetings', { token: token.access_token, json: {
        topic: 'Planning, booked by Acme', start_time: start.toISOString().replace('.000Z', 'Z'),
        timezone: 'Europe/Berlin', duration_minutes: 30 } });
    expectStatus(created, 201, 'POST /v1/meetings with the app token');
    const read = await call('GET', `/v1/meetings/${created.body.id}`,
                            { token: token.access_token });
    expectStatus(read, 200, 'GET /v1/meetings/{id} with the app token');
    expect(read.body.topic === 'Planning, booked by Acme', `topic is ${read.body.topic}`);

    // Tokens are first-party only: an app's token may not mint personal ones.
    const tokens = await call('GET', '/v1/tokens', { token: token.access_token });
    expectStatus(tokens, 403, 'GET /v1/tokens with a third-party app token');
    return `code exchanged; /v1/me is ${userName}@${workspace}; meeting ${created.body.id} made`;
}

function startApp() {
    const server = createServer((request, response) => {
        const url = new URL(request.url, 'http://127.0.0.1');
        if (url.pathname !== '/callback' || !expected) {
            response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not here\n');
            return;
        }
        const current = expected;
        expected = null;
        const redirectUri = `http://127.0.0.1:${server.address().port}/callback`;
        const answer = (async () => {
            const state = url.searchParams.get('state');
            expect(state === current.state,
                   `the redirect's state is ${state}, the app sent ${current.state}`);
            if (url.searchParams.has('error'))
                return { error: url.searchParams.get('error'), query: url.searchParams };
            return { done: await useCode(url.searchParams, redirectUri, current) };
        })();
        answer.then((result) => {
            const text = result.error ? `The app was not connected (${result.error}).`
                                      : 'Acme Calendar Sync is connected to Quorum.';
            response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
                .end(`<!DOCTYPE html><title>Acme</title><h1>${text}</h1>`);
            current.settle(result);
        }, (error) => {
            response.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${error.message}\n`);
            current.settle({ failure: error });
        });
    });
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
    });
}

// ---- the browser ----

function authorizeUrl(clientId, redirectUri, state, challenge) {
    const query = new URLSearchParams({
        response_type: 'code', client_id: clientId, redirect_uri: redirectUri,
        scope: SCOPES.join(' '), state, code_challenge: challenge,
        code_challenge_method: 'S256' });
    return `${base}/oauth/authorize?${query}`;
}

async function shoot(page, name) {
    await page.screenshot({ path: join(screenshots, name), fullPage: true });
    console.log(`oauth_consent: screenshot ${join(screenshots, name)}`);
}

// Clicks a button that submits a form and waits for the page the browser lands on.
async function submit(page, buttonName) {
    await Promise.all([
        page.waitForEvent('framenavigated', { timeout: STEP_TIMEOUT_MS }),
        page.getByRole('button', { name: buttonName, exact: true }).click(),
    ]);
    await page.waitForLoadState('load');
}

async function signInPageChecks(page) {
    expect(new URL(page.url()).pathname === '/signin', `on the sign-in page, not ${page.url()}`);
    expect((await page.title()).includes('Sign in'), `the title is ${await page.title()}`);
    expect(await page.locator('h1').innerText() === 'Sign in', 'the heading is Sign in');
    for (const label of ['Workspace', 'User name', 'Password'])
        expect(await page.getByLabel(label, { exact: true }).count() === 1,
               `the sign-in form has a field labelled ${label}`);
}

async function fillSignIn(page, secret) {
    await page.getByLabel('Workspace', { exact: true }).fill(workspace);
    await page.getByLabel('User name', { exact: true }).fill(userName);
    await page.getByLabel('Password', { exact: true }).fill(secret);
}

async function consentPageChecks(page) {
    expect(new URL(page.url()).pathname === '/oauth/authorize',
           `on the consent page, not ${page.url()}`);
    const heading = await page.locator('h1').innerText();
    expect(heading.includes(APP_NAME), `the consent heading names the app: ${heading}`);
    const text = await page.locator('main').innerText();
    for (const words of SCOPE_WORDS)
        expect(text.includes(words), `the consent page says "${words}"`);
    for (const scope of SCOPES)
        expect(!text.includes(scope), `the consent page shows words, not the scope ${scope}`);
    const workspaceShown = await page.locator('dt:text-is("Workspace") + dd').innerText();
    expect(workspaceShown === workspace, `the consent page names the workspace: ${workspaceShown}`);
    const userShown = await page.locator('dt:text-is("Signed in as") + dd').innerText();
    expect(userShown === userName, `the consent page names the user: ${userShown}`);
}

async function main() {
    const app = await startApp();
    const redirectUri = `http://127.0.0.1:${app.address().port}/callback`;
    let browser = null;
    try {
        const registered = quorumdCommand(['app', 'register', '--workspace', workspace,
            '--name', APP_NAME, '--type', 'public', '--redirect-uri', redirectUri,
            '--scopes', SCOPES.join(',')]).trim().split('\n');
        const clientId = registered[0];
        expect(registered.length === 1 && clientId, `a public app gets no secret: ${registered}`);
        const installed = quorumdCommand(['app', 'install', clientId, '--workspace', workspace]);
        expect(installed.trim() === SCOPES.join(','), `installed with ${installed.trim()}`);
        console.log(`oauth_consent: app ${clientId} redirects to ${redirectUri}`);

        browser = await chromium.launch({
            executablePath: process.env.QUORUM_CHROMIUM ?? '/usr/bin/chromium',
            headless: true, timeout: STEP_TIMEOUT_MS,
            // No name resolves, so nothing in chromium can reach past loopback.
            args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'] });
        const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
        // The pages load nothing from elsewhere; a request off loopback fails the run.
        const offLoopback = [];
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

        // Approve: authorize, get sent to sign in, fail once, sign in, consent, approve.
        const approveState = base64url(randomBytes(16));
        const approvePkce = pkce();
        await page.goto(authorizeUrl(clientId, redirectUri, approveState, approvePkce.challenge));
        await signInPageChecks(page);
        await shoot(page, 'signin.png');

        await fillSignIn(page, `${password} not`);
        await submit(page, 'Sign in');
        await signInPageChecks(page);
        const error = await page.getByRole('alert').innerText();
        expect(error.includes('not right'), `the sign-in page shows its error: ${error}`);
        expect(await page.getByLabel('User name', { exact: true }).inputValue() === userName,
               'the user name is kept after a failed sign-in');
        await shoot(page, 'signin-error.png');

        await fillSignIn(page, password);
        await submit(page, 'Sign in');
        await consentPageChecks(page);
        await shoot(page, 'consent.png');

        const approved = expectCallback(clientId, approveState, approvePkce.verifier);
        await submit(page, 'Approve');
        const approval = await withTimeout(approved, 'the redirect after Approve');
        if (approval.failure)
            throw approval.failure;
        expect(!approval.error, `Approve ended in error=${approval.error}`);
        expect(new URL(page.url()).pathname === '/callback', `the browser is at ${page.url()}`);
        console.log(`oauth_consent: approve: ${approval.done}`);

        // Deny: still signed in, so straight to the consent page.
        const denyState = base64url(randomBytes(16));
        const denyPkce = pkce();
        await page.goto(authorizeUrl(clientId, redirectUri, denyState, denyPkce.challenge));
        await consentPageChecks(page);
        const denied = expectCallback(clientId, denyState, denyPkce.verifier);
        await submit(page, 'Deny');
        const denial = await withTimeout(denied, 'the redirect after Deny');
        if (denial.failure)
            throw denial.failure;
        expect(denial.error === 'access_denied', `Deny ends in error=${denial.error}`);
        expect(!denial.query.has('code'), 'a denial carries no code');
        const noToken = await call('POST', '/oauth/token', { form: {
            grant_type: 'authorization_code', code: `qoc_${base64url(randomBytes(24))}`,
            redirect_uri: redirectUri, client_id: clientId, code_verifier: denyPkce.verifier } });
        expectStatus(noToken, 400, 'POST /oauth/token after a denial');
        expect(noToken.body?.error === 'invalid_grant', `the error is ${noToken.body?.error}`);
        console.log('oauth_consent: deny: error=access_denied with the state; no token');

        expect(offLoopback.length === 0, `requests left loopback: ${offLoopback.join(', ')}`);
    } finally {
        if (browser)
            await browser.close();
        app.close();
    }
}

try {
    await main();
    console.log('oauth_consent: PASS');
    clearTimeout(watchdog);
} catch (error) {
    console.error(`oauth_consent: FAIL: ${error instanceof Failure ? error.message : error.stack}`);
    process.exit(1);
}
