// dashboard.test.mjs - the dashboard in Debian's chromium (playwright-core,
// no downloaded browser) against a real magnumd on loopback.
//
// Control plane (a magnumd with backend none; its bays stay
// CREATE_IN_PROGRESS): log in -> project switcher -> baymodel with a bad value
// (error next to the field) -> fixed and created -> bay created -> scale
// (refused while CREATE_IN_PROGRESS: the refusal is shown) -> baymodel delete
// refused while in use -> CA and bay config (a CA not made yet is waited for)
// -> keyboard-only dialog -> delete (DELETE_IN_PROGRESS, then gone) -> narrow
// viewport.
// Real bays (a second magnumd with backend local, prefix "mgw"; only as root
// with dockerd and busybox, skipped with a note otherwise): swarm baymodel
// and a 1+1 bay through the forms -> CREATE_COMPLETE with its timeline ->
// Get config, checked with openssl verify and the docker CLI ->
// Rotate CA (the old config is refused, a new one works) -> scale to 2 nodes
// -> delete -> nothing left behind (removed by force otherwise).
// DASHBOARD_SCREENSHOTS=1 writes docs/screenshots/*.png.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { Magnumd, localBackendMissing } from './magnumd.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SHOTS = process.env.DASHBOARD_SCREENSHOTS === '1' ? join(here, '..', '..', 'docs', 'screenshots') : null;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const T = 10000;	// per-expectation timeout (ms)

// Each step is bounded well under a minute.
const test = (name, fn) => nodeTest(name, { timeout: 45000 }, fn);
const mg = new Magnumd();
let ctx, page, profile, admin, token, bayUuid;
const pageErrors = [];

// Real bays: the second magnumd, its page, its admin token. The pool is
// 10.230-238.x: the e2e tests use 10.240-249, the demo 10.239.
const REAL_MISSING = localBackendMissing();
const mg2 = REAL_MISSING ? null : new Magnumd({ backend: 'local', prefix: 'mgw',
	pool: `10.${230 + Math.floor(Math.random() * 9)}.0.0/16` });
// After a failed real-bay step the next ones are skipped (they build on it).
let realBroken = false;
const realTest = (name, fn) => nodeTest(name, { timeout: 150000,
	skip: REAL_MISSING ? `real bays need ${REAL_MISSING}` : false }, async (t) => {
	if (realBroken) {
		t.skip('an earlier real-bay step failed');
		return;
	}
	try {
		await fn();
	} catch (e) {
		realBroken = true;
		await realDiagnostics();
		throw e;
	}
});
let rp, rtoken, rbay, cfgDir;

// After a failed real-bay step: the bay's events and the end of the second
// magnumd's log, as TAP comments, so a CI failure says what the bay did.
async function realDiagnostics() {
	try {
		if (rtoken) {
			for (const b of (await mg2.api('GET', '/v1/bays', undefined, rtoken)).json?.bays || []) {
				console.log(`# bay ${b.name} ${b.uuid} ${b.status}`);
				const e = await mg2.api('GET', `/v1/bays/${b.uuid}/events`, undefined, rtoken);
				console.log(`# events: ${JSON.stringify(e.json).slice(0, 4000)}`);
			}
		}
		for (const line of mg2.log().split('\n').slice(-40))
			console.log(`# magnumd: ${line}`);
	} catch (e) {
		console.log(`# diagnostics failed: ${e}`);
	}
}
if (REAL_MISSING)
	console.log(`# note: real-bay steps skipped: ${REAL_MISSING}`);

async function cleanup() {
	if (ctx)
		await ctx.close().catch(() => {});
	ctx = null;
	if (profile)
		rmSync(profile, { recursive: true, force: true });
	profile = null;
	let problem = await mg.stop();
	mg.cleanup();
	if (mg2) {
		const p2 = await mg2.stop();
		const left = mg2.cleanup();
		problem = problem || p2 || left;
	}
	return problem;
}

for (const sig of ['SIGINT', 'SIGTERM'])
	process.once(sig, () => { cleanup().finally(() => process.exit(1)); });

// Click a link of the main navigation.
const nav = (name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
// The list row whose name link is exactly this name.
const bayRow = (name) => page.locator('table.data tbody tr')
	.filter({ has: page.getByRole('link', { name, exact: true }) });

async function shot(name, p = page, fullPage = true) {
	if (!SHOTS)
		return;
	mkdirSync(SHOTS, { recursive: true });
	await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

// Script errors and requests leaving loopback are bugs, on every page.
function watch(p) {
	p.setDefaultTimeout(T);
	p.on('pageerror', (e) => pageErrors.push(String(e)));
	p.on('console', (m) => {
		// API refusals are part of the flow; the browser logs each as a failed load.
		if (m.type() === 'error' && !/Failed to load resource/.test(m.text()))
			pageErrors.push(m.text());
	});
	// Anything but loopback would be a bug (no CDN, no fonts).
	p.on('request', (req) => {
		const u = new URL(req.url());
		if (!['127.0.0.1', ''].includes(u.hostname) && !['blob:', 'data:'].includes(u.protocol))
			pageErrors.push(`request to ${req.url()}`);
	});
}

// The catalogue a baymodel needs, as in tests/api/fixtures.py.
async function catalogue(m, tok) {
	let r = await m.api('POST', '/image/v2/images', { name: 'deb', os_distro: 'debian',
		disk_format: 'raw', container_format: 'bare' }, tok);
	assert.equal(r.status, 201, JSON.stringify(r.json));
	r = await m.api('POST', '/v2.1/os-keypairs', { keypair: { name: 'k1', public_key:
		'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJm8HlsJc4e2U2Q2r4tCq3nlMkqyq9Yl5S7o3CyrwxUE test@magnum' } },
	tok);
	assert.equal(r.status, 200, JSON.stringify(r.json));
}

before(async () => {
	const started = await Promise.allSettled([mg.start(), mg2 ? mg2.start() : null]);
	for (const s of started)
		if (s.status === 'rejected')
			throw s.reason;
	admin = mg.openrc();
	token = await mg.token(admin.OS_USERNAME, admin.OS_PASSWORD, admin.OS_PROJECT_NAME);
	await catalogue(mg, token);
	// A second project for the admin user: the project switcher has a choice.
	let r = await mg.api('POST', '/v3/projects', { project: { name: 'mgt-second', domain_id: 'default' } }, token);
	assert.equal(r.status, 201, JSON.stringify(r.json));
	const pid = r.json.project.id;
	const uid = (await mg.api('GET', '/v3/auth/tokens', undefined, token)).json?.token?.user?.id ??
		(await mg.api('GET', '/v3/users?name=admin', undefined, token)).json.users[0].id;
	r = await mg.api('PUT', `/v3/projects/${pid}/users/${uid}/roles/member`, undefined, token);
	assert.ok(r.status === 204 || r.status === 201, `role grant: ${r.status}`);

	profile = mkdtempSync(join(tmpdir(), 'magnum-test-chromium-'));
	ctx = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 800 },
		acceptDownloads: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	page = ctx.pages()[0] || await ctx.newPage();
	watch(page);
	if (mg2) {
		const a2 = mg2.openrc();
		rtoken = await mg2.token(a2.OS_USERNAME, a2.OS_PASSWORD, a2.OS_PROJECT_NAME);
		await catalogue(mg2, rtoken);
		cfgDir = join(mg2.dir, 'cfg');
		mkdirSync(cfgDir);
	}
}, { timeout: 45000 });

after(async () => {
	const problem = await cleanup();
	assert.equal(problem, null, problem || '');
});

test('static files: index, CSP, ETag, 404, no auth needed', async () => {
	const r = await fetch(`${mg.url}/dashboard/`);
	assert.equal(r.status, 200);
	assert.match(r.headers.get('content-type'), /^text\/html/);
	assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
	const etag = r.headers.get('etag');
	assert.ok(etag);
	const r2 = await fetch(`${mg.url}/dashboard/`, { headers: { 'If-None-Match': etag } });
	assert.equal(r2.status, 304);
	assert.equal((await fetch(`${mg.url}/dashboard/js/nope.js`)).status, 404);
	assert.equal((await fetch(`${mg.url}/favicon.ico`)).status, 200);
	const js = await fetch(`${mg.url}/dashboard/js/app.js`);
	assert.match(js.headers.get('content-type'), /javascript/);
});

test('log in with a password (Enter submits)', async () => {
	const resp = await page.goto(`${mg.url}/dashboard`);
	assert.match(resp.headers()['content-security-policy'], /default-src 'self'/);
	await page.getByRole('heading', { name: 'Log in to magnumd' }).waitFor();
	await shot('login');
	await page.getByLabel('User name', { exact: true }).fill(admin.OS_USERNAME);
	await page.getByLabel('Password', { exact: true }).fill('wrong');
	await page.getByLabel('Password', { exact: true }).press('Enter');
	await page.getByText(/Login failed/).waitFor();
	await page.getByLabel('Password', { exact: true }).fill(admin.OS_PASSWORD);
	await page.getByLabel('Project', { exact: true }).fill(admin.OS_PROJECT_NAME);
	await page.getByLabel('Password', { exact: true }).press('Enter');
	await page.getByRole('heading', { name: 'Baymodels' }).waitFor();
	assert.match(await page.locator('#who').innerText(), /Signed in as\s+admin/);
});

test('project switcher re-scopes the token', async () => {
	const sel = page.locator('#project');
	await assert.doesNotReject(sel.waitFor());
	await page.waitForFunction(() => document.querySelectorAll('#project option').length === 2);
	assert.equal(await sel.isDisabled(), false);
	const second = await sel.locator('option', { hasText: 'mgt-second' }).getAttribute('value');
	await sel.selectOption(second);
	await page.getByRole('status').filter({ hasText: 'mgt-second' }).waitFor();
	const s = await page.evaluate(() => JSON.parse(sessionStorage.getItem('magnumd.session')));
	assert.equal(s.project.name, 'mgt-second');
	// The new token is scoped to the second project (the server says so).
	const check = await fetch(`${mg.url}/v3/auth/tokens`, { headers: { 'X-Auth-Token': token,
		'X-Subject-Token': s.token, Accept: 'application/json' } });
	assert.equal(check.status, 200);
	assert.equal((await check.json()).token.project.name, 'mgt-second');
	const back = await sel.locator('option', { hasText: admin.OS_PROJECT_NAME }).getAttribute('value');
	await sel.selectOption(back);
	await page.getByRole('status').filter({ hasText: `project ${admin.OS_PROJECT_NAME}` }).waitFor();
});

test('baymodel: COE-dependent drivers, error next to the field, then created', async () => {
	await page.getByRole('link', { name: 'Create baymodel' }).click();
	await page.getByRole('heading', { name: 'Create baymodel' }).waitFor();
	const opts = (id) => page.locator(`#${id} option`).evaluateAll((o) => o.map((x) => x.value));
	// Every control is labelled.
	const unlabelled = await page.locator('main input, main select, main textarea').evaluateAll((els) =>
		els.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.id));
	assert.deepEqual(unlabelled, []);
	await page.getByLabel('Container orchestration engine (COE)').selectOption('kubernetes');
	assert.deepEqual(await opts('fld-network_driver'), ['flannel', 'calico']);
	assert.deepEqual(await opts('fld-volume_driver'), ['', 'cinder']);
	await page.getByLabel('Container orchestration engine (COE)').selectOption('mesos');
	assert.deepEqual(await opts('fld-network_driver'), ['docker']);
	await page.getByLabel('Container orchestration engine (COE)').selectOption('swarm');
	assert.deepEqual(await opts('fld-network_driver'), ['docker', 'flannel']);
	assert.deepEqual(await opts('fld-volume_driver'), ['', 'rexray']);
	// The catalogue fills the choices.
	assert.ok((await opts('fld-image_id')).includes('deb'));
	assert.ok((await opts('fld-keypair_id')).includes('k1'));
	assert.ok((await opts('fld-flavor_id')).includes('m1.small'));
	assert.equal(await page.locator('#fld-external_network_id').inputValue(), 'public');

	await page.getByLabel('Name', { exact: true }).fill('mgt-model');
	await page.getByLabel('Network driver').selectOption('flannel');
	await page.getByLabel('Volume driver').selectOption('rexray');
	await page.getByLabel('Node flavor').selectOption('m1.small');
	await page.getByLabel('Docker volume size (GB)').fill('5');
	await page.getByLabel('HTTP proxy').fill('http://proxy.example:3128');
	await page.getByLabel('No proxy').fill('localhost,127.0.0.1');
	await page.getByRole('button', { name: 'Add label' }).click();
	await page.getByLabel('Label 1 key').fill('mgt_label');
	await page.getByLabel('Label 1 value').fill('v1');
	await page.getByLabel('DNS nameserver').fill('not-an-ip');
	await page.getByRole('button', { name: 'Create baymodel' }).click();
	const err = page.locator('#fld-dns_nameserver-err');
	await err.waitFor();
	assert.match(await err.innerText(), /dns_nameserver/);
	assert.equal(await page.getByLabel('DNS nameserver').getAttribute('aria-invalid'), 'true');
	assert.match(await page.locator('.error-summary').innerText(), /not created[\s\S]*dns_nameserver/);
	// Only the offending field is marked.
	assert.equal(await page.locator('.field.invalid').count(), 1);
	await shot('baymodel-create-error');

	await page.getByLabel('DNS nameserver').fill('192.0.2.53');
	await page.getByLabel('DNS nameserver').press('Enter');
	await page.getByRole('heading', { name: 'Baymodel mgt-model' }).waitFor();
	const list = (await mg.api('GET', '/v1/baymodels/detail', undefined, token)).json.baymodels;
	const bm = list.find((b) => b.name === 'mgt-model');
	assert.ok(bm, 'baymodel created');
	assert.equal(bm.dns_nameserver, '192.0.2.53');
	assert.equal(bm.network_driver, 'flannel');
	assert.equal(bm.volume_driver, 'rexray');
	assert.equal(bm.docker_volume_size, 5);
	assert.equal(bm.http_proxy, 'http://proxy.example:3128');
	assert.deepEqual(bm.labels, { mgt_label: 'v1' });
});

test('baymodels list: filter and sort', async () => {
	// A second one (API) so that sorting and filtering have something to do.
	const r = await mg.api('POST', '/v1/baymodels', { name: 'aaa-k8s', coe: 'kubernetes', image_id: 'deb',
		keypair_id: 'k1', external_network_id: 'public' }, token);
	assert.equal(r.status, 201);
	await nav('Baymodels');
	await page.getByRole('link', { name: 'aaa-k8s', exact: true }).waitFor();
	const names = () => page.locator('table.data tbody tr td:first-child').allInnerTexts();
	assert.deepEqual(await names(), ['aaa-k8s', 'mgt-model']);
	await page.getByText('You are an administrator').waitFor();
	await page.getByRole('button', { name: 'Name' }).click();
	assert.deepEqual(await names(), ['mgt-model', 'aaa-k8s']);
	assert.equal(await page.locator('th').first().getAttribute('aria-sort'), 'descending');
	await page.getByLabel('Filter baymodels').fill('kubern');
	assert.deepEqual(await names(), ['aaa-k8s']);
	await page.getByLabel('Filter baymodels').fill('');
	await shot('baymodels');
});

test('bay: create, live status and events', async () => {
	await nav('Bays');
	await page.getByRole('link', { name: 'Create bay' }).click();
	await page.getByLabel('Name', { exact: true }).fill('mgtbay');
	await page.getByLabel('Baymodel').selectOption({ label: 'mgt-model (swarm)' });
	await page.getByLabel('Nodes').fill('2');
	await page.getByLabel('Nodes').press('Enter');
	await page.getByRole('heading', { name: 'Bay mgtbay' }).waitFor();
	await page.locator('#bay-status', { hasText: 'CREATE_IN_PROGRESS' }).waitFor();
	await page.locator('ol.timeline li', { hasText: 'accepted' }).first().waitFor();
	bayUuid = (await mg.api('GET', '/v1/bays', undefined, token)).json.bays.find((b) => b.name === 'mgtbay').uuid;
	assert.ok(page.url().endsWith(bayUuid));
	assert.equal(await page.locator('#bay-nodes').innerText(), '2');
	// The operation in progress: its badge and progress bar.
	const op = page.locator('details.op[open]').first();
	await op.locator('.badge', { hasText: 'in progress' }).waitFor();
	assert.ok(Number(await op.getByLabel('Create progress').getAttribute('value')) < 100);
	if (!mg2)
		await shot('bay-detail');
	// The list polls: a status change made behind its back shows up.
	await nav('Bays');
	const row = bayRow('mgtbay');
	await row.locator('.badge', { hasText: 'CREATE_IN_PROGRESS' }).waitFor();
	const other = await mg.api('POST', '/v1/bays', { name: 'mgtbay2', baymodel_id: 'mgt-model' }, token);
	assert.equal(other.status, 201);
	await bayRow('mgtbay2').waitFor({ timeout: 5000 });
	assert.equal((await mg.api('DELETE', `/v1/bays/${other.json.uuid}`, undefined, token)).status, 204);
	await bayRow('mgtbay2').waitFor({ state: 'detached', timeout: 8000 });
	await shot('bays');
});

test('bay: scale (refused while CREATE_IN_PROGRESS, shown)', async () => {
	const row = bayRow('mgtbay');
	await row.getByRole('button', { name: 'Scale bay mgtbay' }).click();
	const dlg = page.getByRole('dialog', { name: 'Scale bay mgtbay' });
	await dlg.waitFor();
	await dlg.getByLabel('Number of nodes').fill('3');
	await dlg.getByLabel('Number of nodes').press('Enter');
	await dlg.waitFor({ state: 'detached' });
	const status = (await mg.api('GET', `/v1/bays/${bayUuid}`, undefined, token)).json;
	if (/_COMPLETE$/.test(status.status)) {
		await row.getByRole('cell', { name: '3', exact: true }).waitFor();
		assert.equal(status.node_count, 3);
	} else {
		const alert = page.locator('#alert');
		await alert.getByText(/Cannot scale bay mgtbay/).waitFor();
		const patch = await mg.api('PATCH', `/v1/bays/${bayUuid}`,
			[{ op: 'replace', path: '/node_count', value: 3 }], token);
		assert.equal(patch.status, 400);
		assert.ok((await alert.innerText()).includes(patch.json.errors[0].detail));
		assert.equal(status.node_count, 2);
	}
});

test('baymodel delete refused while a bay uses it, explained', async () => {
	await nav('Baymodels');
	await page.getByRole('button', { name: 'Delete baymodel mgt-model' }).click();
	const dlg = page.getByRole('dialog', { name: 'Delete baymodel' });
	await dlg.getByRole('button', { name: 'Delete' }).click();
	const alert = page.locator('#alert');
	await alert.getByText(/referenced by/).waitFor();
	assert.match(await alert.innerText(), /Delete those bays first/);
	assert.equal((await mg.api('GET', '/v1/baymodels/mgt-model', undefined, token)).status, 200);
});

// A CA the conductor has not made yet: magnumd answers 409, and the pages
// say so politely and look again. The conductor makes the CA within
// milliseconds here, so the 409 is played by Playwright, once, with
// magnumd's own text (src/api/v1_certificates.c reply_no_ca).
async function caNotYet(p, uuid) {
	let left = 1;
	await p.route(`**/v1/certificates/${uuid}`, (route) => {
		if (route.request().method() !== 'GET' || left-- <= 0)
			return route.fallback();
		return route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ errors: [{
			status: 409, code: 'client', title: `The CA of bay ${uuid} is not created yet`,
			detail: `The CA of bay ${uuid} is not created yet: the conductor makes it as the first step ` +
				'of the create. Try again shortly.' }] }) });
	});
	return () => p.unroute(`**/v1/certificates/${uuid}`);
}

test('certificates: CA (waited for while not made), expiry, CSR, bay config', async () => {
	const ca = await mg.api('GET', `/v1/certificates/${bayUuid}`, undefined, token);
	assert.equal(ca.status, 200, JSON.stringify(ca.json));
	await nav('Certificates');
	await page.getByRole('heading', { name: 'Certificates' }).waitFor();
	let unroute = await caNotYet(page, bayUuid);
	await page.getByLabel('Bay', { exact: true }).selectOption(bayUuid);
	const waiting = page.locator('.ca-out .waiting', { hasText: 'is not created yet' });
	await waiting.waitFor();
	assert.equal(await page.locator('.ca-out [role=alert]').count(), 0, 'a CA not made yet is no error');
	await page.locator('#ca-pem').waitFor();
	assert.equal((await page.locator('#ca-pem').inputValue()).trim(), ca.json.pem.trim());
	await unroute();
	// The expiry inventory: nothing within a year; "any time" lists the bay's CA.
	await page.getByText('No certificate expires in that time.').waitFor();
	await page.getByLabel('Expiring within').selectOption({ label: 'any time (all certificates)' });
	const inv = page.locator('.inv-out tbody tr');
	await inv.filter({ has: page.locator('td[data-label=Bay]', { hasText: /^mgtbay$/ }) })
		.filter({ has: page.locator('td[data-label=Kind]', { hasText: /^CA$/ }) }).first().waitFor();
	// A bad CSR: magnumd's refusal next to the field.
	await page.getByLabel('Certificate signing request (PEM)').fill('garbage');
	await page.getByRole('button', { name: 'Sign' }).click();
	await page.locator('#fld-csr-err:not([hidden])', { hasText: /invalid csr/i }).waitFor();
	await shot('certificates');

	// The bay's Certificates panel: the inventory, rotation refused while creating.
	await page.goto(`${mg.url}/dashboard#/bays/${bayUuid}`);
	await page.locator('#ca-summary', { hasText: 'CA valid until' }).waitFor();
	const kinds = await page.locator('table.certs tbody td[data-label=Kind]').allInnerTexts();
	assert.ok(kinds.includes('CA') && kinds.includes('Conductor'), kinds.join());
	assert.equal(await page.getByRole('button', { name: 'Rotate CA' }).isDisabled(), true);
	assert.match(await page.locator('#rotate-help').innerText(), /CREATE_COMPLETE or UPDATE_COMPLETE/);
	unroute = await caNotYet(page, bayUuid);
	await page.getByRole('button', { name: 'Get config' }).click();
	await page.locator('.config-out .waiting', { hasText: 'is not created yet' }).waitFor();
	const names = ['ca.pem', 'cert.pem', 'key.pem', 'env.sh'];
	for (const n of names) {
		const [dl] = await Promise.all([page.waitForEvent('download'),
			page.getByRole('button', { name: `Download ${n}` }).click()]);
		assert.equal(dl.suggestedFilename(), n);
	}
	await unroute();
	assert.match(await page.locator('.config-out').innerText(), /no API address yet/);
	// The signed client certificate joins the inventory.
	await page.locator('table.certs td[data-label=Kind]', { hasText: 'Client' }).waitFor();
});

test('keyboard only: dialog traps focus, Escape closes and returns focus', async () => {
	await page.goto(`${mg.url}/dashboard#/bays`);
	await bayRow('mgtbay').waitFor();
	await page.locator('body').focus();
	let found = false;
	for (let i = 0; i < 40 && !found; i++) {
		await page.keyboard.press('Tab');
		found = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Delete bay mgtbay');
	}
	assert.ok(found, 'Delete button reachable with Tab');
	// The focus is visible.
	const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
	assert.notEqual(outline, 'none');
	await page.keyboard.press('Enter');
	const dlg = page.getByRole('dialog', { name: 'Delete bay' });
	await dlg.waitFor();
	assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Cancel');
	for (let i = 0; i < 5; i++) {
		await page.keyboard.press('Tab');
		assert.ok(await page.evaluate(() => !!document.activeElement.closest('dialog')), 'focus stays in the dialog');
	}
	await page.keyboard.press('Escape');
	await dlg.waitFor({ state: 'detached' });
	assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Delete bay mgtbay');
	assert.equal((await mg.api('GET', `/v1/bays/${bayUuid}`, undefined, token)).status, 200);
	// Sorting by keyboard.
	await page.getByRole('button', { name: 'Status' }).focus();
	await page.keyboard.press('Enter');
	assert.equal(await page.locator('th').nth(1).getAttribute('aria-sort'), 'ascending');
});

test('bay delete: DELETE_IN_PROGRESS, then gone', async () => {
	const row = bayRow('mgtbay');
	await row.getByRole('button', { name: 'Delete bay mgtbay' }).click();
	await page.getByRole('dialog', { name: 'Delete bay' }).getByRole('button', { name: 'Delete' }).click();
	await row.locator('.badge', { hasText: 'DELETE_IN_PROGRESS' }).waitFor();
	await row.waitFor({ state: 'detached', timeout: 8000 });
	assert.equal((await mg.api('GET', `/v1/bays/${bayUuid}`, undefined, token)).status, 404);
	await page.goto(`${mg.url}/dashboard#/bays/${bayUuid}`);
	await page.locator('#bay-gone').waitFor();
});

test('narrow viewport (400 px): no horizontal scroll, rows stacked', async () => {
	await page.setViewportSize({ width: 400, height: 800 });
	for (const hash of ['#/baymodels', '#/baymodels/new', '#/bays', '#/certificates']) {
		await page.goto(`${mg.url}/dashboard${hash}`);
		await page.locator('#page-title').waitFor();
		await page.waitForLoadState('networkidle');
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth -
			document.documentElement.clientWidth);
		assert.ok(overflow <= 0, `${hash}: page is ${overflow}px wider than the window`);
	}
	await page.goto(`${mg.url}/dashboard#/baymodels`);
	await page.getByRole('link', { name: 'mgt-model', exact: true }).waitFor();
	const display = await page.locator('table.data tbody td').first().evaluate((e) => getComputedStyle(e).display);
	assert.equal(display, 'grid');
	await shot('baymodels-narrow');
	await page.setViewportSize({ width: 1280, height: 800 });
});

// ---- Real bays: the second magnumd (backend local) ----

const secs = (t0) => ((Date.now() - t0) / 1000).toFixed(1);
const rstatus = () => rp.locator('#bay-status');
// What the operation's timeline says it took ("took 5.1 s").
const took = async (op) => (await op.locator('.op-took').innerText()).replace(/^\W+/, '');

// The docker CLI with the bundle in dir against the bay; returns its output or throws.
function docker(dir, ...args) {
	return execFileSync('docker', ['--tlsverify', '--tlscacert', join(dir, 'ca.pem'), '--tlscert',
		join(dir, 'cert.pem'), '--tlskey', join(dir, 'key.pem'), '-H', rbay.api_address, ...args], {
		encoding: 'utf8', timeout: 20000, stdio: ['ignore', 'pipe', 'pipe'],
		env: { PATH: process.env.PATH, DOCKER_CONFIG: join(mg2.dir, 'docker-config') } });
}
const readyNodes = (dir) => docker(dir, 'node', 'ls', '--format', '{{.Status}}').split('\n')
	.filter((l) => l.trim() === 'Ready').length;

// "Get config" on the detail page; the four files saved into dir.
async function getConfig(dir) {
	mkdirSync(dir, { recursive: true });
	await rp.getByRole('button', { name: 'Get config' }).click();
	for (const n of ['ca.pem', 'cert.pem', 'key.pem', 'env.sh']) {
		const [dl] = await Promise.all([rp.waitForEvent('download'),
			rp.getByRole('button', { name: `Download ${n}` }).click()]);
		assert.equal(dl.suggestedFilename(), n);
		await dl.saveAs(join(dir, n));
	}
}

async function rbayApi() {
	const r = await mg2.api('GET', '/v1/bays/mgwbay', undefined, rtoken);
	assert.equal(r.status, 200, JSON.stringify(r.json));
	return r.json;
}

realTest('real bays: log in, swarm baymodel through the form', async () => {
	// Another origin (port): its own session storage. A tab of its own, made
	// now: Chromium throttles timers and downloads in background tabs.
	rp = await ctx.newPage();
	watch(rp);
	const a2 = mg2.openrc();
	await rp.goto(`${mg2.url}/dashboard`);
	await rp.getByLabel('User name', { exact: true }).fill(a2.OS_USERNAME);
	await rp.getByLabel('Password', { exact: true }).fill(a2.OS_PASSWORD);
	await rp.getByLabel('Project', { exact: true }).fill(a2.OS_PROJECT_NAME);
	await rp.getByLabel('Password', { exact: true }).press('Enter');
	await rp.getByRole('heading', { name: 'Baymodels' }).waitFor();
	await rp.getByRole('link', { name: 'Create baymodel' }).click();
	await rp.getByLabel('Name', { exact: true }).fill('mgw-swarm');
	await rp.getByLabel('Container orchestration engine (COE)').selectOption('swarm');
	await rp.getByLabel('Image', { exact: true }).selectOption('deb');
	await rp.getByLabel('Keypair').selectOption('k1');
	await rp.getByLabel('Node flavor').selectOption('m1.small');
	await rp.getByLabel('Docker storage driver').selectOption('overlay2');
	await rp.getByLabel('Network driver').selectOption('docker');
	await rp.getByRole('button', { name: 'Create baymodel' }).click();
	await rp.getByRole('heading', { name: 'Baymodel mgw-swarm' }).waitFor();
});

realTest('real bays: create 1 master + 1 node, live timeline until CREATE_COMPLETE', async () => {
	await rp.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bays', exact: true }).click();
	await rp.getByRole('link', { name: 'Create bay' }).click();
	await rp.getByLabel('Name', { exact: true }).fill('mgwbay');
	await rp.getByLabel('Baymodel').selectOption({ label: 'mgw-swarm (swarm)' });
	await rp.getByLabel('Masters').fill('1');
	await rp.getByLabel('Nodes').fill('1');
	// A local 1+1 bay can be complete in under two seconds, faster than the page's
	// 2 s refresh: the page records every status and badge it shows, and the test
	// checks that record afterwards rather than racing the refresh.
	await rp.evaluate(() => {
		window.mgSeen = new Set();
		const note = () => {
			for (const el of document.querySelectorAll('#bay-status, details.op .badge'))
				window.mgSeen.add(el.textContent.trim());
		};
		new MutationObserver(note).observe(document.body,
			{ subtree: true, childList: true, characterData: true });
	});
	const t0 = Date.now();
	await rp.getByLabel('Nodes').press('Enter');
	await rp.getByRole('heading', { name: 'Bay mgwbay' }).waitFor();
	const op = rp.locator('details.op[open]').first();
	await rstatus().filter({ hasText: 'CREATE_COMPLETE' }).waitFor({ timeout: 90000 });
	await op.locator('.badge', { hasText: 'complete' }).waitFor();
	console.log(`# real bay CREATE_COMPLETE shown after ${secs(t0)} s (${await took(op)})`);
	// The page showed the bay while it was being made, then complete.
	const seen = await rp.evaluate(() => [...window.mgSeen]);
	for (const want of ['CREATE_IN_PROGRESS', 'in progress', 'CREATE_COMPLETE', 'complete'])
		assert.ok(seen.some((x) => x.includes(want)), `the page showed ${want}: ${seen.join(', ')}`);
	// The timeline moved through the steps: percentages strictly between 0 and 100.
	const pcts = (await op.locator('.tl-head .tl-pct').allInnerTexts()).map((x) => parseInt(x, 10));
	assert.ok(pcts.filter((x) => x > 0 && x < 100).length >= 3, `intermediate steps: ${pcts.join()}`);
	assert.equal(await op.getByLabel('Create progress').getAttribute('value'), '100');
	const steps = await op.locator('.tl-step').allInnerTexts();
	for (const st of ['accepted', 'certificates', 'network', 'servers', 'swarm', 'complete'])
		assert.ok(steps.includes(st), `step ${st} in ${steps.join()}`);
	rbay = await rbayApi();
	assert.equal(rbay.status, 'CREATE_COMPLETE');
	assert.match(rbay.api_address, /^tcp:\/\/10\.23\d\.\d+\.\d+:2376$/);
	assert.equal(await rp.locator('#bay-api').innerText(), rbay.api_address);
	const props = await rp.locator('dl.props').innerText();
	assert.ok(props.includes(rbay.master_addresses[0]) && props.includes(rbay.node_addresses[0]), props);
	// The Certificates panel: CA expiry and every certificate's.
	await rp.locator('#ca-summary', { hasText: 'CA valid until' }).waitFor();
	const kinds = await rp.locator('table.certs td[data-label=Kind]').allInnerTexts();
	assert.deepEqual(kinds, ['CA', 'Conductor', 'Node', 'Node']);
	assert.equal(await rp.getByRole('button', { name: 'Rotate CA' }).isDisabled(), false);
});

realTest('real bays: Get config -> openssl verify, docker node ls sees 2 Ready nodes', async () => {
	const dir = join(cfgDir, 'a');
	await getConfig(dir);
	const env = readFileSync(join(dir, 'env.sh'), 'utf8');
	assert.match(env, new RegExp(`^export DOCKER_HOST=${rbay.api_address}$`, 'm'));
	assert.match(env, /^export DOCKER_TLS_VERIFY=1$/m);
	assert.match(env, /^export DOCKER_CERT_PATH=\.$/m);
	const v = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'cert.pem')],
		{ encoding: 'utf8' });
	assert.match(v, /cert\.pem: OK/);
	assert.equal(readyNodes(dir), 2);
	await rp.locator('table.certs td[data-label=Kind]', { hasText: 'Client' }).waitFor();
	await shot('bay-detail', rp);
	// The narrow window: no horizontal scroll on the bay page either.
	await rp.setViewportSize({ width: 400, height: 800 });
	const overflow = await rp.evaluate(() => document.documentElement.scrollWidth -
		document.documentElement.clientWidth);
	assert.ok(overflow <= 0, `bay page is ${overflow}px wider than the window`);
	await shot('bay-detail-narrow', rp);
	await rp.setViewportSize({ width: 1280, height: 800 });
});

realTest('real bays: Rotate CA (confirmed) -> the old config is refused, a new one works', async () => {
	const btn = rp.getByRole('button', { name: 'Rotate CA' });
	await btn.click();
	const dlg = rp.getByRole('dialog', { name: 'Rotate the CA of bay mgwbay' });
	await dlg.waitFor();
	assert.match(await dlg.innerText(), /Every certificate issued so far stops working[\s\S]*Get config/);
	assert.equal(await rp.evaluate(() => document.activeElement.textContent), 'Cancel');
	// The window only: a modal's backdrop covers the window, not the whole page.
	await shot('bay-rotate-ca', rp, false);
	// Escape: nothing happens, the focus is back on the button.
	await rp.keyboard.press('Escape');
	await dlg.waitFor({ state: 'detached' });
	assert.equal(await rp.evaluate(() => document.activeElement.textContent), 'Rotate CA');
	assert.equal((await rbayApi()).status, 'CREATE_COMPLETE');
	await btn.click();
	const t0 = Date.now();
	await dlg.getByRole('button', { name: 'Rotate CA' }).click();
	await rp.locator('.config-out', { hasText: 'CA rotation accepted' }).waitFor();
	await rstatus().filter({ hasText: 'UPDATE_COMPLETE' }).waitFor({ timeout: 90000 });
	const op = rp.locator('details.op[open]').first();
	assert.equal(await op.locator('.op-name').innerText(), 'CA rotation');
	await op.locator('.badge', { hasText: 'complete' }).waitFor();
	console.log(`# CA rotated, UPDATE_COMPLETE shown after ${secs(t0)} s (${await took(op)})`);
	assert.throws(() => readyNodes(join(cfgDir, 'a')), 'the old client certificate still works');
	const dir = join(cfgDir, 'b');
	await getConfig(dir);
	assert.equal(readyNodes(dir), 2);
});

realTest('real bays: scale to 2 nodes -> UPDATE_COMPLETE, 3 Ready', async () => {
	await rp.getByRole('button', { name: 'Scale', exact: true }).click();
	const dlg = rp.getByRole('dialog', { name: 'Scale bay mgwbay' });
	await dlg.getByLabel('Number of nodes').fill('2');
	await rp.evaluate(() => window.mgSeen.clear());
	const t0 = Date.now();
	await dlg.getByLabel('Number of nodes').press('Enter');
	await dlg.waitFor({ state: 'detached' });
	// The new operation heads the timeline (it may already be complete: see mgSeen).
	await rp.locator('details.op[open] .op-name', { hasText: 'Update' }).first().waitFor();
	// A keyboard user on the running operation keeps the focus through the updates.
	await rp.locator('details.op[open] summary').first().focus();
	await rstatus().filter({ hasText: 'UPDATE_COMPLETE' }).waitFor({ timeout: 90000 });
	assert.equal(await rp.evaluate(() => document.activeElement.closest('details.op')
		?.querySelector('.op-name')?.textContent), 'Update');
	assert.equal(await rp.locator('#bay-nodes').innerText(), '2');
	const seen = await rp.evaluate(() => [...window.mgSeen]);
	assert.ok(seen.includes('UPDATE_IN_PROGRESS'), `the page showed UPDATE_IN_PROGRESS: ${seen.join(', ')}`);
	const op = rp.locator('details.op[open]').first();
	assert.equal(await op.locator('.op-name').innerText(), 'Update');
	await op.locator('.badge', { hasText: 'complete' }).waitFor();
	console.log(`# scaled to 2 nodes, UPDATE_COMPLETE shown after ${secs(t0)} s (${await took(op)})`);
	rbay = await rbayApi();
	assert.equal(rbay.node_addresses.length, 2);
	assert.equal(readyNodes(join(cfgDir, 'b')), 3);
});

realTest('real bays: delete (confirmed) -> gone, nothing left behind', async () => {
	await rp.getByRole('button', { name: 'Delete', exact: true }).click();
	const t0 = Date.now();
	await rp.getByRole('dialog', { name: 'Delete bay' }).getByRole('button', { name: 'Delete' }).click();
	await rp.locator('#bay-gone').waitFor({ timeout: 60000 });
	console.log(`# bay gone after ${secs(t0)} s`);
	assert.equal((await mg2.api('GET', '/v1/bays/mgwbay', undefined, rtoken)).status, 404);
	// The backend removes its objects before the bay row goes.
	assert.deepEqual(mg2.leftovers(), []);
});

test('log out, paste a token, and no script errors', async () => {
	await page.bringToFront();
	const loggedOutToken = await page.evaluate(() => JSON.parse(sessionStorage.getItem('magnumd.session')).token);
	await page.getByRole('button', { name: 'Log out' }).click();
	await page.getByRole('heading', { name: 'Log in to magnumd' }).waitFor();
	assert.equal(await page.evaluate(() => sessionStorage.getItem('magnumd.session')), null);
	// The old token was revoked on log out.
	const s = await fetch(`${mg.url}/v1/bays`, { headers: { 'X-Auth-Token': loggedOutToken } });
	assert.equal(s.status, 401);
	// A pasted Keystone token logs in too (Enter submits).
	await page.getByLabel('Keystone token', { exact: true }).fill(token);
	await page.getByLabel('Keystone token', { exact: true }).press('Enter');
	await page.getByRole('heading', { name: 'Baymodels' }).waitFor();
	assert.match(await page.locator('#who').innerText(), /Signed in as\s+admin/);
	assert.deepEqual(pageErrors, []);
});
