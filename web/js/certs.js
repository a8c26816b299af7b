// certs.js - the Certificates page: pick a bay, view its CA (PEM, subject,
// issuer, validity), sign a pasted CSR with the bay's CA.
import { get, post } from './api.js';
import { h, field, announce, pageHeader, download, dl } from './ui.js';
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

	async function showCa() {
		if (!bay.input.value) {
			caOut.replaceChildren(h('p', { text: 'Create a bay first.' }));
			return;
		}
		caOut.replaceChildren(h('p', { text: 'Loading the CA…' }));
		try {
			const r = await get(`/v1/certificates/${bay.input.value}`);
			caOut.replaceChildren(caView(name(), r.pem));
			announce(`CA of bay ${name()} shown.`);
		} catch (e) {
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
	bay.input.addEventListener('change', showCa);
	main.replaceChildren(pageHeader('Certificates'),
		h('section.card', { 'aria-labelledby': 'ca-title' }, h('h2#ca-title', { text: 'Bay CA' }), bay.el, caOut),
		signForm);
	await showCa();
}
