// baydetail.js - one bay: status and addresses, the event timeline grouped by
// operation (live while the bay changes: polled every 2 s), and the
// Certificates panel: the expiry inventory, "Download CA", "Get config" (a key
// and CSR made here, the certificate signed by magnumd) and "Rotate CA".
import { get, post, request, session } from './api.js';
import {
	h, confirmDialog, announce, showError, fmtDate, dl, pageHeader, link, statusBadge, download, poll,
	stopPolling, sleep, nextId, POLL_MS,
} from './ui.js';
import { makeCsr } from './csr.js';
import { scaleBay, deleteBay } from './bays.js';

// CA rotation is Magnum's microversion 1.5 (PATCH /v1/certificates/{uuid}).
const ROTATE_VERSION = 'container-infra 1.5';
// How many times "Get config" and "Download CA" wait POLL_MS for a CA being made.
const CA_RETRIES = 15;

// The event that opens each operation, and its name.
const OPS = {
	accepted: 'Create', 'update-accepted': 'Update', 'rotate-ca-accepted': 'CA rotation',
	'delete-accepted': 'Delete', 'upgrade-accepted': 'Upgrade',
};
const KINDS = { ca: [0, 'CA'], conductor: [1, 'Conductor'], node: [2, 'Node'], client: [3, 'Client'] };

// DOCKER_HOST for an api_address that may already be a URL (tcp://ip:2376).
export function dockerHost(addr) {
	if (!addr)
		return '';
	return /^[a-z]+:\/\//i.test(addr) ? addr : `tcp://${addr}:2376`;
}

// CREATE_COMPLETE, UPDATE_COMPLETE, ...: a bay that accepts a new operation.
const stable = (status) => /_COMPLETE$/.test(status || '') && status !== 'DELETE_COMPLETE';

// The events (oldest first) split into operations, each opened by its
// "...accepted" event: [{name, events, progress (highest so far), end}].
export function operations(events) {
	const ops = [];
	for (const ev of events) {
		if (!ops.length || /(^|-)accepted$/.test(ev.step))
			ops.push({ name: OPS[ev.step] || 'Operation', events: [], progress: 0, end: null });
		const op = ops[ops.length - 1];
		op.events.push(ev);
		op.progress = Math.max(op.progress, Number(ev.progress) || 0);
		if (ev.step === 'complete' || ev.step === 'failed')
			op.end = ev.step;
	}
	return ops;
}

function seconds(from, to) {
	const d = (new Date(to) - new Date(from)) / 1000;
	return isNaN(d) ? '' : `${d.toFixed(1)} s`;
}

function opView(op, i, latest, bay, open) {
	const [state, kind] = op.end === 'complete' ? ['complete', 'good'] : op.end === 'failed' ?
		['failed', 'bad'] : latest && /_IN_PROGRESS$/.test(bay.status) ? ['in progress', 'busy'] :
			['ended', 'neutral'];
	const first = op.events[0], last = op.events[op.events.length - 1];
	const barId = nextId('op');
	return h('details.op', { open, 'data-op': String(i) },
		h('summary', {}, h('span.op-name', { text: op.name }), ' ', h(`span.badge.${kind}`, { text: state }),
			' ', h('time.op-when', { datetime: first.created_at, text: fmtDate(first.created_at) }),
			op.end ? h('span.op-took', { text: ` · took ${seconds(first.created_at, last.created_at)}` }) :
				null),
		h('div.op-progress', {},
			h('label', { for: barId, text: `${op.name} progress` }),
			h('progress', { id: barId, max: '100', value: String(op.progress), text: `${op.progress}%` }),
			h('span.tl-pct', { 'aria-hidden': 'true', text: `${op.progress}%` })),
		h('ol.timeline', {}, op.events.map((ev) => h('li', {},
			h('div.tl-head', {}, h('span.tl-step', { text: ev.step }), ' ',
				h('span.tl-pct', { text: `${ev.progress ?? 0}%` }), ' ',
				h('time', { datetime: ev.created_at, text: fmtDate(ev.created_at).slice(11) })),
			ev.message ? h('div.tl-msg', { text: ev.message }) : null))));
}

// The timeline into el, newest operation first; the newest is open, the
// others keep what the user chose, and a focused operation keeps the focus.
function showTimeline(el, events, bay) {
	const ops = operations(events);
	const was = {};
	for (const d of el.querySelectorAll('details.op'))
		was[d.dataset.op] = d.open;
	const focused = document.activeElement?.closest?.('#bay-events details.op')?.dataset.op;
	if (!ops.length) {
		el.replaceChildren(h('p', { text: 'No events yet.' }));
		return;
	}
	const last = ops.length - 1;
	el.replaceChildren(h('div.ops', {}, ops.map((op, i) =>
		opView(op, i, i === last, bay, i === last || !!was[i])).reverse()));
	if (focused !== undefined)
		el.querySelector(`details.op[data-op="${focused}"] summary`)?.focus();
}

// The CA, waiting (politely, POLL_MS at a time) while the conductor makes it.
async function caOf(bay, out) {
	for (let i = 1; ; i++) {
		try {
			return await get(`/v1/certificates/${bay.uuid}`);
		} catch (e) {
			if (e.status !== 409 || i > CA_RETRIES || !out.isConnected)
				throw e;
			out.replaceChildren(h('p.note.waiting', { text: `${e.detail} Checking again in ` +
				`${POLL_MS / 1000} s (${i} of ${CA_RETRIES}).` }));
			await sleep(POLL_MS);
		}
	}
}

async function downloadCa(bay, out) {
	try {
		const ca = await caOf(bay, out);
		download(`${bay.name}-ca.pem`, ca.pem);
		out.replaceChildren(h('p', { text: `The CA of bay ${bay.name} was downloaded as ${bay.name}-ca.pem.` }));
		announce('CA certificate downloaded.');
	} catch (e) {
		out.replaceChildren(h('p.form-error', { role: 'alert', text: `Cannot get the CA: ${e.detail}` }));
	}
}

// The bay-config bundle: key + CSR made here, the certificate signed by magnumd.
async function getConfig(bay, out) {
	out.replaceChildren(h('p', { text: 'Generating a key and a signing request…' }));
	try {
		const ca = await caOf(bay, out);
		const { csrPem, keyPem } = await makeCsr(session()?.user?.name || 'user');
		const signed = await post('/v1/certificates', { bay_uuid: bay.uuid, csr: csrPem });
		const env = [
			`# Docker client settings for bay ${bay.name} (run docker in this directory)`,
			`export DOCKER_HOST=${dockerHost(bay.api_address)}`,
			'export DOCKER_TLS_VERIFY=1',
			'export DOCKER_CERT_PATH=.', ''].join('\n');
		const files = [['ca.pem', ca.pem], ['cert.pem', signed.body.pem], ['key.pem', keyPem],
			['env.sh', env]];
		out.replaceChildren(
			h('p', { text: 'Your bay configuration is ready: download the four files into one directory, ' +
				'then run "chmod 600 key.pem; . ./env.sh" there and use docker as usual.' }),
			...(bay.api_address ? [] : [h('p.note', { text: `The bay has no API address yet (it is ` +
				`${bay.status}): DOCKER_HOST stays empty until it has one.` })]),
			h('ul.downloads', {}, files.map(([n, text]) => h('li', {}, h('button', {
				type: 'button', text: `Download ${n}`,
				onclick: () => download(n, text, n.endsWith('.sh') ? 'text/plain' : 'application/x-pem-file'),
			})))),
			h('pre.env', { 'aria-label': 'env.sh', text: env }));
		announce('Bay configuration ready for download.');
	} catch (e) {
		out.replaceChildren(h('p.form-error', { role: 'alert',
			text: `Cannot make the bay configuration: ${e.detail || e.message}` }));
	}
}

async function rotateCa(bay, out, after) {
	const body = h('div', {},
		h('p', { text: `magnumd makes a new CA for bay "${bay.name}" and gives its nodes new certificates; ` +
			'the bay is UPDATE_IN_PROGRESS meanwhile.' }),
		h('p.warning', {}, h('strong', { text: 'Every certificate issued so far stops working' }),
			', including the bay configurations already downloaded with "Get config" and the ' +
			'certificates signed on the Certificates page.'),
		h('p', { text: 'Get a new configuration once the bay is UPDATE_COMPLETE.' }));
	if (!await confirmDialog(`Rotate the CA of bay ${bay.name}`, body, 'Rotate CA'))
		return;
	try {
		await request('PATCH', `/v1/certificates/${bay.uuid}`,
			{ headers: { 'OpenStack-API-Version': ROTATE_VERSION } });
		out.replaceChildren(h('p.note', { tabindex: '-1', text: 'CA rotation accepted. Configurations ' +
			'made before it stop working: get a new one when the bay is UPDATE_COMPLETE.' }));
		// The Rotate button is about to be disabled: keep the focus somewhere useful.
		out.firstChild.focus();
		announce(`CA rotation of bay ${bay.name} accepted.`);
		await after();
	} catch (e) {
		showError(`Cannot rotate the CA of bay ${bay.name}: ${e.detail}`);
	}
}

function expiryCell(days) {
	const text = `${days} day${days === 1 ? '' : 's'}`;
	return days < 30 ? h('span.badge.bad', { text }) : days < 90 ? h('span.badge.busy', { text }) : text;
}

// The Certificates panel. getBay() is the bay as last read; after() reloads the page.
function certPanel(getBay, after) {
	const summary = h('p#ca-summary');
	const tbody = h('tbody');
	const cols = ['Kind', 'Name', 'Expires', 'Left'];
	const table = h('table.data.certs', {}, h('caption', { text: 'Certificates of this bay and their expiry' }),
		h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', text: c })))), tbody);
	const out = h('div.config-out', { 'aria-live': 'polite' });
	const rotateHelp = h('p.help#rotate-help');
	const busy = (btn, fn) => async () => {
		btn.disabled = true;
		try {
			await fn();
		} finally {
			btn.disabled = false;
		}
	};
	const btnCa = h('button', { type: 'button', text: 'Download CA' });
	btnCa.addEventListener('click', busy(btnCa, () => downloadCa(getBay(), out)));
	const btnCfg = h('button.primary', { type: 'button', text: 'Get config' });
	btnCfg.addEventListener('click', busy(btnCfg, async () => {
		await getConfig(getBay(), out);
		await refresh();
	}));
	const btnRotate = h('button.danger', { type: 'button', text: 'Rotate CA', 'aria-describedby': 'rotate-help',
		onclick: () => rotateCa(getBay(), out, after) });
	const el = h('section.card.cert-panel', { 'aria-labelledby': 'cert-title' },
		h('h2#cert-title', { text: 'Certificates' }), summary, h('div.table-scroll', {}, table),
		h('div.actions', {}, btnCa, btnCfg, btnRotate), rotateHelp, out);
	let hasCa = false, lastSig = '';

	function show(certs) {
		const bay = getBay();
		const canRotate = stable(bay.status);
		btnRotate.disabled = !canRotate;
		rotateHelp.textContent = canRotate ? 'Rotating the CA makes every certificate issued so far stop working.' :
			`The CA can be rotated once the bay is CREATE_COMPLETE or UPDATE_COMPLETE (it is ${bay.status}).`;
		const sig = JSON.stringify(certs);
		if (sig === lastSig)
			return;
		lastSig = sig;
		certs.sort((a, b) => (KINDS[a.kind]?.[0] ?? 9) - (KINDS[b.kind]?.[0] ?? 9) ||
			String(a.name).localeCompare(String(b.name)));
		const cas = certs.filter((c) => c.kind === 'ca');
		hasCa = cas.length > 0;
		if (!hasCa)
			summary.replaceChildren('The CA of this bay is not created yet: the conductor makes it as the ' +
				`first step of the create. This panel checks again every ${POLL_MS / 1000} seconds.`);
		else if (cas.length === 1)
			summary.replaceChildren('CA valid until ', h('strong', { text: fmtDate(cas[0].not_after) }),
				` (${cas[0].expires_in_days} days left).`);
		else
			summary.replaceChildren(`${cas.length} CAs are trusted while the CA is rotated; the last expires `,
				h('strong', { text: fmtDate(cas[cas.length - 1].not_after) }), '.');
		tbody.replaceChildren(...certs.map((c) => h('tr', {},
			h('td', { 'data-label': 'Kind', text: KINDS[c.kind]?.[1] || c.kind }),
			h('td', { 'data-label': 'Name', text: c.name || '' }),
			h('td', { 'data-label': 'Expires' }, h('time', { datetime: c.not_after,
				title: `${fmtDate(c.not_after)}, serial ${c.serial}`, text: fmtDate(c.not_after).slice(0, 10) })),
			h('td.left', { 'data-label': 'Left' }, expiryCell(c.expires_in_days)))));
		if (!certs.length)
			tbody.append(h('tr', {}, h('td.empty', { colspan: cols.length, text: 'No certificate yet.' })));
	}

	async function refresh() {
		try {
			const r = await get(`/v1/certificates?bay_uuid=${encodeURIComponent(getBay().uuid)}`);
			show(r.certificates || []);
		} catch (e) {
			summary.replaceChildren(h('span.form-error', { text: `Cannot list the certificates: ${e.detail}` }));
		}
	}
	return { el, refresh, hasCa: () => hasCa };
}

export async function renderDetail(main, id) {
	const head = h('div');
	const props = h('div');
	const events = h('div#bay-events');
	let bay = null, modelName = '', lastSig = '', prevStatus = '', lastEv = [], panel = null;
	const body = h('div.bay-grid');
	main.replaceChildren(head, body);

	function gone() {
		stopPolling();
		head.replaceChildren(pageHeader('Bay deleted'));
		body.replaceChildren(h('div', {},
			h('p#bay-gone', { text: `The bay ${bay ? bay.name : id} no longer exists.` }),
			h('p', {}, link('#/bays', 'Back to bays'))));
		announce('The bay is gone.');
	}

	function show(ev) {
		const list = (a) => (a && a.length ? a.join(', ') : null);
		props.replaceChildren(dl([
			['Status', h('span#bay-status', {}, statusBadge(bay.status))],
			['Status reason', bay.status_reason],
			['UUID', bay.uuid],
			['Baymodel', link(`#/baymodels/${bay.baymodel_id}`, modelName || bay.baymodel_id)],
			['Masters', bay.master_count], ['Nodes', h('span#bay-nodes', { text: String(bay.node_count) })],
			['API address', bay.api_address ? h('code#bay-api', { text: bay.api_address }) : null],
			['Master addresses', list(bay.master_addresses)],
			['Node addresses', list(bay.node_addresses)],
			['Discovery URL', bay.discovery_url],
			['Create timeout (min)', bay.bay_create_timeout],
			['Created', fmtDate(bay.created_at)], ['Updated', fmtDate(bay.updated_at)],
		]));
		showTimeline(events, ev, bay);
	}

	async function load() {
		try {
			bay = await get(`/v1/bays/${encodeURIComponent(id)}`);
		} catch (e) {
			if (e.status === 404)
				gone();
			else
				showError(`Cannot read the bay: ${e.detail}`);
			return;
		}
		const ev = (await get(`/v1/bays/${bay.uuid}/events`).catch(() => ({ events: [] }))).events || [];
		const sig = JSON.stringify([bay, ev]);
		const first = !lastSig;
		if (sig !== lastSig) {
			if (!first && prevStatus !== bay.status)
				announce(`Bay ${bay.name} is now ${bay.status}.`);
			prevStatus = bay.status;
			lastSig = sig;
			lastEv = ev;
			if (first) {
				modelName = (await get(`/v1/baymodels/${bay.baymodel_id}`).catch(() => ({}))).name || '';
				panel = certPanel(() => bay, load);
				head.replaceChildren(pageHeader(`Bay ${bay.name}`,
					h('button', { type: 'button', text: 'Scale', onclick: () => scaleBay(bay, load) }),
					h('button.danger', { type: 'button', text: 'Delete', onclick: () => deleteBay(bay, () => {
						bay = { ...bay, status: 'DELETE_IN_PROGRESS' };
						show(lastEv);
					}) })));
				body.replaceChildren(h('div.bay-main', {}, props, panel.el),
					h('section.bay-events', { 'aria-labelledby': 'events-title' },
						h('h2#events-title', { text: 'Events' }),
						h('p.note', { text: `Refreshed every ${POLL_MS / 1000} seconds; newest operation first.` }),
						events));
			}
			show(ev);
			await panel.refresh();
		} else if (!panel.hasCa()) {
			await panel.refresh();
		}
	}
	await load();
	poll(load);
}
