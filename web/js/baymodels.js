// baymodels.js - the Baymodels pages: list, detail, create form (every
// attribute, COE-dependent driver choices, labels editor, catalogue choices),
// delete with confirmation.
import { get, post, del, isAdmin } from './api.js';
import {
	h, field, setOptions, dataTable, confirmDialog, announce, showError, clearError,
	fmtDate, dl, pageHeader, link, fieldOfError, nextId,
} from './ui.js';

// Drivers each COE supports (the first is the COE's default network driver).
export const COE_DRIVERS = {
	swarm: { network: ['docker', 'flannel'], volume: ['rexray'] },
	kubernetes: { network: ['flannel', 'calico'], volume: ['cinder'] },
	mesos: { network: ['docker'], volume: ['rexray'] },
};

const FIELDS = ['name', 'coe', 'server_type', 'cluster_distro', 'public', 'image_id', 'keypair_id',
	'flavor_id', 'master_flavor_id', 'docker_volume_size', 'docker_storage_driver',
	'external_network_id', 'fixed_network', 'fixed_subnet', 'dns_nameserver', 'network_driver',
	'apiserver_port', 'master_lb_enabled', 'floating_ip_enabled', 'volume_driver',
	'registry_enabled', 'insecure_registry', 'tls_disabled', 'http_proxy', 'https_proxy',
	'no_proxy', 'labels'];

// Resource words in error texts -> the field (most specific first).
const ALIASES = {
	'master flavor': 'master_flavor_id', flavor: 'flavor_id', keypair: 'keypair_id',
	'external network': 'external_network_id', 'network driver': 'network_driver',
	'volume driver': 'volume_driver', 'docker volume size': 'docker_volume_size',
	'storage driver': 'docker_storage_driver', image: 'image_id', label: 'labels',
	'public flag': 'public', coe: 'coe', network: 'fixed_network',
};

const IN_USE = 'It is still used by one or more bays. Delete those bays first (Bays page); ' +
	'a baymodel can be deleted only when no bay refers to it.';

export async function deleteBaymodel(bm, after) {
	const ok = await confirmDialog('Delete baymodel',
		`Delete baymodel "${bm.name}" (${bm.uuid})? This cannot be undone.`);
	if (!ok)
		return false;
	try {
		await del(`/v1/baymodels/${bm.uuid}`);
		announce(`Baymodel ${bm.name} deleted.`);
		after && after();
		return true;
	} catch (e) {
		const inUse = e.status === 400 && /referenced by/i.test(e.detail);
		showError(inUse ? `Cannot delete baymodel ${bm.name}: ${e.detail} ${IN_USE}` :
			`Cannot delete baymodel ${bm.name}: ${e.detail}`);
		return false;
	}
}

export async function renderList(main) {
	const table = dataTable('Baymodels', [
		{ key: 'name', label: 'Name', render: (r) => link(`#/baymodels/${r.uuid}`, r.name) },
		{ key: 'coe', label: 'COE' },
		{ key: 'image_id', label: 'Image' },
		{ key: 'keypair_id', label: 'Keypair' },
		{ key: 'network_driver', label: 'Network driver' },
		{ key: 'public', label: 'Public', render: (r) => (r.public ? 'yes' : 'no') },
		{ key: 'created_at', label: 'Created', render: (r) => fmtDate(r.created_at) },
		{ key: 'actions', label: 'Actions', sortable: false, render: (r) => h('button.danger.small', {
			type: 'button', text: 'Delete', 'aria-label': `Delete baymodel ${r.name}`,
			onclick: () => deleteBaymodel(r, load),
		}) },
	], { empty: 'No baymodels yet: create one.' });
	main.replaceChildren(pageHeader('Baymodels',
		h('a.button.primary', { href: '#/baymodels/new', text: 'Create baymodel' })),
	isAdmin() ? h('p.note', { text: 'You are an administrator: baymodels of every project are listed.' }) : null,
	table.el);
	async function load() {
		try {
			table.update((await get('/v1/baymodels/detail')).baymodels || []);
		} catch (e) {
			showError(`Cannot list baymodels: ${e.detail}`);
		}
	}
	await load();
}

export async function renderDetail(main, id) {
	let bm;
	try {
		bm = await get(`/v1/baymodels/${encodeURIComponent(id)}`);
	} catch (e) {
		main.replaceChildren(pageHeader('Baymodel'), h('p', { text: e.detail }));
		return;
	}
	const labels = Object.entries(bm.labels || {});
	main.replaceChildren(
		pageHeader(`Baymodel ${bm.name}`,
			h('a.button.primary', { href: `#/bays/new?baymodel=${bm.uuid}`, text: 'Create bay from it' }),
			h('button.danger', { type: 'button', text: 'Delete',
				onclick: () => deleteBaymodel(bm, () => { location.hash = '#/baymodels'; }) })),
		dl(FIELDS.filter((f) => f !== 'labels').map((f) => [f, typeof bm[f] === 'boolean' ?
			(bm[f] ? 'true' : 'false') : bm[f]]).concat([
			['uuid', bm.uuid], ['created_at', fmtDate(bm.created_at)],
			['updated_at', fmtDate(bm.updated_at)]])),
		h('h2', { text: 'Labels' }),
		labels.length ? dl(labels) : h('p', { text: 'No labels.' }),
		h('p', {}, link('#/baymodels', 'Back to baymodels')));
}

// The key=value labels editor. Returns {el, value(), setError}.
function labelsEditor() {
	const rows = h('div.label-rows');
	const err = h('p.field-error', { id: 'fld-labels-err', hidden: true });
	let n = 0;
	const add = (k = '', v = '') => {
		const i = ++n;
		const kid = nextId('lk'), vid = nextId('lv');
		const row = h('div.label-row', {},
			h('label.sr-only', { for: kid, text: `Label ${i} key` }),
			h('input.lkey', { id: kid, value: k, placeholder: 'key', autocomplete: 'off' }),
			h('span', { 'aria-hidden': 'true', text: '=' }),
			h('label.sr-only', { for: vid, text: `Label ${i} value` }),
			h('input.lval', { id: vid, value: v, placeholder: 'value', autocomplete: 'off' }),
			h('button.small', { type: 'button', text: 'Remove', 'aria-label': `Remove label ${i}`,
				onclick: () => { row.remove(); addBtn.focus(); } }));
		rows.append(row);
		return row;
	};
	const addBtn = h('button.small', { type: 'button', text: 'Add label',
		onclick: () => add().querySelector('input').focus() });
	const el = h('fieldset.field', { 'data-field': 'labels', 'aria-describedby': 'fld-labels-err' },
		h('legend', { text: 'Labels (key = value)' }), rows, addBtn, err);
	return {
		el,
		value() {
			const out = {};
			for (const r of rows.children) {
				const k = r.querySelector('.lkey').value.trim();
				if (k)
					out[k] = r.querySelector('.lval').value;
			}
			return out;
		},
		setError(msg) {
			err.textContent = msg || '';
			err.hidden = !msg;
			el.classList.toggle('invalid', !!msg);
		},
		input: null,
	};
}

const opt = (list, none) => (none ? [{ value: '', label: none }] : []).concat(list);

async function catalogue() {
	const q = (p, k) => get(p).then((b) => b[k] || []).catch(() => []);
	const [images, keypairs, flavors, networks] = await Promise.all([
		q('/image/v2/images', 'images'), q('/v2.1/os-keypairs', 'keypairs'),
		q('/v2.1/flavors', 'flavors'), q('/network/v2.0/networks', 'networks')]);
	return {
		images: images.map((i) => ({ value: i.name || i.id,
			label: `${i.name || i.id}${i.os_distro ? ` (${i.os_distro})` : ''}` })),
		keypairs: keypairs.map((k) => k.keypair || k).map((k) => ({ value: k.name })),
		flavors: flavors.map((f) => ({ value: f.name || f.id })),
		networks: networks.map((n) => ({ value: n.name || n.id,
			label: `${n.name || n.id}${n['router:external'] ? ' (external)' : ''}`, ext: n['router:external'] })),
	};
}

export async function renderCreate(main) {
	const cat = await catalogue();
	const f = {};
	const add = (name, label, kind, attrs, help) => (f[name] = field(name, label, kind, attrs, help)).el;
	const yesno = (name, label, checked, help) => add(name, label, 'checkbox', { checked }, help);
	const summary = h('div.error-summary', { role: 'alert', tabindex: '-1', hidden: true });
	const labels = labelsEditor();
	f.labels = labels;
	const form = h('form.card.wide', { novalidate: true, 'aria-labelledby': 'page-title' },
		summary,
		h('fieldset', {}, h('legend', { text: 'General' }),
			add('name', 'Name', 'input', { autocomplete: 'off' }, 'Optional: a random name is made otherwise.'),
			add('coe', 'Container orchestration engine (COE)', 'select', { options: [
				{ value: 'swarm', label: 'Docker Swarm' }, { value: 'kubernetes', label: 'Kubernetes' },
				{ value: 'mesos', label: 'Mesos' }] }),
			add('server_type', 'Server type', 'select', { options: [{ value: 'vm' }, { value: 'bm' }] }),
			add('cluster_distro', 'Cluster distro', 'input', { autocomplete: 'off' },
				'Normally taken from the image\'s os_distro.'),
			yesno('public', 'Public (visible to every project; administrators only)', false)),
		h('fieldset', {}, h('legend', { text: 'Image and nodes' }),
			add('image_id', 'Image', 'select', { options: opt(cat.images, cat.images.length ? null :
				'(no image in the catalogue)'), required: true }),
			add('keypair_id', 'Keypair', 'select', { options: opt(cat.keypairs, cat.keypairs.length ? null :
				'(no keypair in the catalogue)'), required: true }),
			add('flavor_id', 'Node flavor', 'select', { options: opt(cat.flavors, '(default)') }),
			add('master_flavor_id', 'Master flavor', 'select', { options: opt(cat.flavors, '(default)') }),
			add('docker_volume_size', 'Docker volume size (GB)', 'input',
				{ inputmode: 'numeric', autocomplete: 'off' }, 'At least 3 with devicemapper.'),
			add('docker_storage_driver', 'Docker storage driver', 'select', { options: opt(
				[{ value: 'devicemapper' }, { value: 'overlay' }, { value: 'overlay2' }], '(default)') })),
		h('fieldset', {}, h('legend', { text: 'Network' }),
			add('external_network_id', 'External network', 'select', { options: opt(
				[...cat.networks].sort((a, b) => !!b.ext - !!a.ext), '(none)') }),
			add('fixed_network', 'Fixed network', 'select', { options: opt(cat.networks, '(none)') }),
			add('fixed_subnet', 'Fixed subnet', 'input', { autocomplete: 'off' }),
			add('dns_nameserver', 'DNS nameserver', 'input', { autocomplete: 'off' }, 'An IP address.'),
			add('network_driver', 'Network driver', 'select', { options: [] }),
			add('apiserver_port', 'API server port', 'input', { inputmode: 'numeric', autocomplete: 'off' },
				'1024 to 65535; empty for the default.'),
			yesno('master_lb_enabled', 'Master load balancer (needed for more than one master)', false),
			yesno('floating_ip_enabled', 'Floating IPs', true)),
		h('fieldset', {}, h('legend', { text: 'Storage and registry' }),
			add('volume_driver', 'Volume driver', 'select', { options: [] }),
			yesno('registry_enabled', 'Docker registry enabled', false),
			add('insecure_registry', 'Insecure registry', 'input', { autocomplete: 'off' }, 'host:port'),
			yesno('tls_disabled', 'Disable TLS', false)),
		h('fieldset', {}, h('legend', { text: 'Proxies' }),
			add('http_proxy', 'HTTP proxy', 'input', { autocomplete: 'off', placeholder: 'http://proxy:3128' }),
			add('https_proxy', 'HTTPS proxy', 'input', { autocomplete: 'off' }),
			add('no_proxy', 'No proxy', 'input', { autocomplete: 'off', placeholder: 'localhost,127.0.0.1' })),
		labels.el,
		h('div.actions', {}, h('button.primary', { type: 'submit', text: 'Create baymodel' }),
			h('a.button', { href: '#/baymodels', text: 'Cancel' })));
	const coeChanged = () => {
		const d = COE_DRIVERS[f.coe.input.value];
		setOptions(f.network_driver.input, d.network.map((v, i) => ({ value: v,
			label: i === 0 ? `${v} (default)` : v })));
		setOptions(f.volume_driver.input, opt(d.volume.map((v) => ({ value: v })), '(none)'));
	};
	f.coe.input.addEventListener('change', coeChanged);
	coeChanged();
	const ext = cat.networks.find((n) => n.ext);
	if (ext)
		f.external_network_id.input.value = ext.value;

	const body = () => {
		const b = {};
		for (const name of FIELDS) {
			if (name === 'labels') {
				b.labels = labels.value();
				continue;
			}
			const inp = f[name].input;
			if (inp.type === 'checkbox')
				b[name] = inp.checked;
			else if (inp.value.trim() !== '')
				b[name] = ['docker_volume_size', 'apiserver_port'].includes(name) &&
					/^-?\d+$/.test(inp.value.trim()) ? Number(inp.value.trim()) : inp.value.trim();
		}
		return b;
	};
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearError();
		summary.hidden = true;
		Object.values(f).forEach((x) => x.setError(''));
		const btn = form.querySelector('button[type=submit]');
		btn.disabled = true;
		try {
			const r = await post('/v1/baymodels', body());
			announce(`Baymodel ${r.body.name} created.`);
			location.hash = `#/baymodels/${r.body.uuid}`;
		} catch (x) {
			const name = fieldOfError(x.detail, FIELDS, ALIASES);
			if (name && f[name])
				f[name].setError(x.detail);
			summary.replaceChildren(h('h2', { text: 'The baymodel was not created' }),
				h('p', {}, x.detail, name ? [' ', h('a', { href: `#fld-${name}`, text: `(go to ${name})`,
					onclick: (ev) => { ev.preventDefault(); (f[name].input ||
						f[name].el.querySelector('input, button')).focus(); } })] : ''));
			summary.hidden = false;
			summary.focus();
		} finally {
			btn.disabled = false;
		}
	});
	main.replaceChildren(pageHeader('Create baymodel'), form);
	f.name.input.focus();
}
