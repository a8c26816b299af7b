// certs.js - the Certificates page: pick a bay, view its CA (PEM, subject,
// issuer, validity; while the conductor is still making it, say so and look
// again every 2 s), sign a pasted CSR with the bay's CA, and the expiry
// inventory of every bay's certificates.
import { get, post } from './api.js';
import { h, field, announce, pageHeader, download, dl, fmtDate, poll, stopPolling, POLL_MS } from './ui.js';
import { certInfo } from './csr.js';

function caView(bayName, pem) {
	let info = null;
	try {
		info = certInfo(pem);
	} catch {
		info = null;
	}
	return h('div', {},
		info ? dl([['Subject', info.subject], ['Issuer', info.issuer], ['Valid from', info.notBefore],
			['Valid until', info.notAfter]]) : h('p', { text: 'The certificate could not be parsed.' }),
		h('label', { for: 'ca-pem', text: 'CA certificate (PEM)' }),
		h('textarea#ca-pem.pem', { readonly: true, rows: 8, value: pem }),
		h('div.actions', {}, h('button', { type: 'button', text: 'Download CA',
			onclick: () => download(`${bayName}-ca.pem`, pem) })));
}

export async function renderCerts(main, params) {
	const bays = (await get('/v1/bays').catch(() => ({ bays: [] }))).bays || [];
	const bay = field('cert-bay', 'Bay', 'select', { options: bays.length ?
		bays.map((b) => ({ value: b.uuid, label: `${b.name} (${b.status})` })) :
		[{ value: '', label: '(no bay)' }] });
	if (params.get('bay'))
		bay.input.value = params.get('bay');
	const caOut = h('div.ca-out', { 'aria-live': 'polite' });
	const csr = field('csr', 'Certificate signing request (PEM)', 'textarea', { rows: 8, class: 'pem',
		placeholder: '-----BEGIN CERTIFICATE REQUEST-----', spellcheck: 'false' },
	'For example from: openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes ' +
		'-keyout key.pem -subj "/CN=$USER"');
	const signOut = h('div.sign-out', { 'aria-live': 'polite' });
	const name = () => bays.find((b) => b.uuid === bay.input.value)?.name || 'bay';

	async function showCa(retry = false) {
		if (!retry)
			stopPolling();
		if (!bay.input.value) {
			caOut.replaceChildren(h('p', { text: 'Create a bay first.' }));
			return;
		}
		if (!retry)
			caOut.replaceChildren(h('p', { text: 'Loading the CA…' }));
		const uuid = bay.input.value;
		try {
			const r = await get(`/v1/certificates/${uuid}`);
			if (uuid !== bay.input.value)
				return;
			stopPolling();
			caOut.replaceChildren(caView(name(), r.pem));
			announce(`CA of bay ${name()} shown.`);
		} catch (e) {
			if (uuid !== bay.input.value)
				return;
			if (e.status === 409) {
				// The conductor makes the CA first thing: not an error, look again.
				caOut.replaceChildren(h('p.note.waiting', { text: `${e.detail} This page checks again ` +
					`every ${POLL_MS / 1000} seconds.` }));
				if (!retry)
					poll(() => showCa(true));
				return;
			}
			stopPolling();
			caOut.replaceChildren(h('p.form-error', { role: 'alert', text: `Cannot get the CA: ${e.detail}` }));
		}
	}
	const signForm = h('form.card', { 'aria-labelledby': 'sign-title', novalidate: true,
		onsubmit: async (e) => {
			e.preventDefault();
			csr.setError('');
			if (!csr.input.value.trim()) {
				csr.setError('Paste a CSR in PEM form.');
				csr.input.focus();
				return;
			}
			try {
				const r = await post('/v1/certificates', { bay_uuid: bay.input.value, csr: csr.input.value });
				const pem = r.body.pem;
				signOut.replaceChildren(h('label', { for: 'signed-pem', text: 'Signed certificate (PEM)' }),
					h('textarea#signed-pem.pem', { readonly: true, rows: 8, value: pem }),
					h('div.actions', {}, h('button', { type: 'button', text: 'Download cert.pem',
						onclick: () => download('cert.pem', pem) })));
				announce('Certificate signed.');
			} catch (x) {
				csr.setError(x.detail);
				signOut.replaceChildren();
			}
		},
	}, h('h2#sign-title', { text: 'Sign a certificate request' }), csr.el,
	h('div.actions', {}, h('button.primary', { type: 'submit', text: 'Sign' })));
	csr.input.addEventListener('keydown', (e) => {
		if (e.key === 'Enter' && (e.ctrlKey || e.metaKey))
			signForm.requestSubmit();
	});
	bay.input.addEventListener('change', () => showCa());
	main.replaceChildren(pageHeader('Certificates'),
		h('section.card', { 'aria-labelledby': 'ca-title' }, h('h2#ca-title', { text: 'Bay CA' }), bay.el, caOut),
		signForm, inventory(bays));
	await showCa();
}

const KINDS = { ca: 'CA', conductor: 'Conductor', node: 'Node', client: 'Client' };

// Every certificate of the visible bays that expires within the chosen time, soonest first.
function inventory(bays) {
	const within = field('expires-within', 'Expiring within', 'select', { options: [
		{ value: '30', label: '30 days' }, { value: '90', label: '90 days' },
		{ value: '365', label: 'a year' }, { value: '', label: 'any time (all certificates)' }] });
	within.input.value = '365';
	const out = h('div.inv-out', { 'aria-live': 'polite' });
	const bayName = (u) => bays.find((b) => b.uuid === u)?.name || u;
	async function load() {
		const q = within.input.value ? `?expires_within=${within.input.value}` : '';
		try {
			const r = await get(`/v1/certificates${q}`);
			const certs = r.certificates || [];
			out.replaceChildren(certs.length ? h('div.table-scroll', {}, h('table.data.certs', {},
				h('caption', { text: 'Certificates by expiry' }),
				h('thead', {}, h('tr', {}, ['Bay', 'Kind', 'Name', 'Expires', 'Days left'].map((c) =>
					h('th', { scope: 'col', text: c })))),
				h('tbody', {}, certs.map((c) => h('tr', {},
					h('td', { 'data-label': 'Bay', text: bayName(c.cluster_uuid) }),
					h('td', { 'data-label': 'Kind', text: KINDS[c.kind] || c.kind }),
					h('td', { 'data-label': 'Name', text: c.name || '' }),
					h('td', { 'data-label': 'Expires' }, h('time', { datetime: c.not_after,
						title: fmtDate(c.not_after), text: fmtDate(c.not_after).slice(0, 10) })),
					h('td', { 'data-label': 'Days left', text: String(c.expires_in_days) }))))))
				: h('p', { text: 'No certificate expires in that time.' }));
		} catch (e) {
			out.replaceChildren(h('p.form-error', { text: `Cannot list the certificates: ${e.detail}` }));
		}
	}
	within.input.addEventListener('change', load);
	load();
	within.el.classList.add('inv-field');
	return h('section.card', { 'aria-labelledby': 'inv-title' },
		h('h2#inv-title', { text: 'Expiry' }), within.el, out);
}
