// dashboard.test.mjs - the dashboard in Debian's chromium (playwright-core,
// no downloaded browser) against a real magnumd on loopback.
//
// Flow: log in -> project switcher -> baymodel with a bad value (error next
// to the field) -> fixed and created -> bay created (CREATE_IN_PROGRESS) ->
// scale (refused while CREATE_IN_PROGRESS: the refusal is shown) -> baymodel
// delete refused while in use -> CA / bay config (only when the certificate
// routes answer 200) -> keyboard-only dialog -> delete (DELETE_IN_PROGRESS,
// then gone) -> narrow viewport.
// DASHBOARD_SCREENSHOTS=1 writes docs/screenshots/*.png.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { Magnumd } from './magnumd.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const SHOTS = process.env.DASHBOARD_SCREENSHOTS === '1' ? join(here, '..', '..', 'docs', 'screenshots') : null;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const T = 10000;	// per-expectation timeout (ms)

// Each step is bounded well under a minute.
const test = (name, fn) => nodeTest(name, { timeout: 45000 }, fn);
const mg = new Magnumd();
let ctx, page, profile, admin, token, bayUuid;
const pageErrors = [];

async function cleanup() {
	if (ctx)
		await ctx.close().catch(() => {});
	ctx = null;
	if (profile)
		rmSync(profile, { recursive: true, force: true });
	profile = null;
	const problem = await mg.stop();
	mg.cleanup();
	return problem;
}

for (const sig of ['SIGINT', 'SIGTERM'])
	process.once(sig, () => { cleanup().finally(() => process.exit(1)); });

// Click a link of the main navigation.
const nav = (name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
// The list row whose name link is exactly this name.
const bayRow = (name) => page.locator('table.data tbody tr')
	.filter({ has: page.getByRole('link', { name, exact: true }) });

async function shot(name) {
	if (!SHOTS)
		return;
	mkdirSync(SHOTS, { recursive: true });
	await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

before(async () => {
	await mg.start();
	admin = mg.openrc();
	token = await mg.token(admin.OS_USERNAME, admin.OS_PASSWORD, admin.OS_PROJECT_NAME);
	// The catalogue a baymodel needs, as in tests/api/fixtures.py.
	let r = await mg.api('POST', '/image/v2/images', { name: 'deb', os_distro: 'debian',
		disk_format: 'raw', container_format: 'bare' }, token);
	assert.equal(r.status, 201, JSON.stringify(r.json));
	r = await mg.api('POST', '/v2.1/os-keypairs', { keypair: { name: 'k1', public_key:
		'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJm8HlsJc4e2U2Q2r4tCq3nlMkqyq9Yl5S7o3CyrwxUE test@magnum' } },
	token);
	assert.equal(r.status, 200, JSON.stringify(r.json));
	// A second project for the admin user: the project switcher has a choice.
	r = await mg.api('POST', '/v3/projects', { project: { name: 'mgt-second', domain_id: 'default' } }, token);
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
	page.setDefaultTimeout(T);
	page.on('pageerror', (e) => pageErrors.push(String(e)));
	page.on('console', (m) => {
		// API refusals are part of the flow; the browser logs each as a failed load.
		if (m.type() === 'error' && !/Failed to load resource/.test(m.text()))
			pageErrors.push(m.text());
	});
	// Anything but loopback would be a bug (no CDN, no fonts).
	page.on('request', (req) => {
		const u = new URL(req.url());
		if (!['127.0.0.1', ''].includes(u.hostname) && !['blob:', 'data:'].includes(u.protocol))
			pageErrors.push(`request to ${req.url()}`);
	});
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

test('certificates: CA and bay config (when the routes are implemented)', async () => {
	const ca = await mg.api('GET', `/v1/certificates/${bayUuid}`, undefined, token);
	await nav('Certificates');
	await page.getByRole('heading', { name: 'Certificates' }).waitFor();
	await page.getByLabel('Bay', { exact: true }).selectOption(bayUuid);
	if (ca.status !== 200) {
		console.log(`# note: GET /v1/certificates answers ${ca.status}: CA and CSR steps skipped; ` +
			'checking that the refusal is shown');
		await page.locator('.ca-out', { hasText: /Cannot get the CA/ }).waitFor();
		await page.getByLabel('Certificate signing request (PEM)').fill('garbage');
		await page.getByRole('button', { name: 'Sign' }).click();
		await page.locator('#fld-csr-err:not([hidden])').waitFor();
		await shot('certificates');
		await page.goto(`${mg.url}/dashboard#/bays/${bayUuid}`);
		await page.getByRole('button', { name: 'Get config' }).click();
		await page.locator('.config-out', { hasText: /Cannot make the bay configuration/ }).waitFor();
		return;
	}
	await page.locator('#ca-pem').waitFor();
	assert.equal((await page.locator('#ca-pem').inputValue()).trim(), ca.json.pem.trim());
	await shot('certificates');
	await page.goto(`${mg.url}/dashboard#/bays/${bayUuid}`);
	await page.getByRole('button', { name: 'Get config' }).click();
	const names = ['ca.pem', 'cert.pem', 'key.pem', 'env.sh'];
	for (const n of names) {
		const [dl] = await Promise.all([page.waitForEvent('download'),
			page.getByRole('button', { name: `Download ${n}` }).click()]);
		assert.equal(dl.suggestedFilename(), n);
	}
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

test('log out, paste a token, and no script errors', async () => {
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
