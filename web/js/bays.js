// bays.js - the Bays pages: list with live status (polled every 2 s),
// create from a baymodel, scale (JSON-Patch on node_count) and delete. The
// detail page is baydetail.js.
import { get, post, patch, del, isAdmin } from './api.js';
import {
	h, field, dataTable, dialog, confirmDialog, announce, showError, clearError, pageHeader, link,
	statusBadge, fieldOfError, poll, POLL_MS,
} from './ui.js';

export async function deleteBay(bay, after) {
	const ok = await confirmDialog('Delete bay',
		`Delete bay "${bay.name}" (${bay.uuid})? Its nodes and volumes are removed. This cannot be undone.`);
	if (!ok)
		return false;
	try {
		await del(`/v1/bays/${bay.uuid}`);
		announce(`Deletion of bay ${bay.name} accepted.`);
		after && after();
		return true;
	} catch (e) {
		showError(`Cannot delete bay ${bay.name}: ${e.detail}`);
		return false;
	}
}

export async function scaleBay(bay, after) {
	const id = 'scale-count';
	const err = h('p.field-error', { id: `${id}-err`, role: 'alert', hidden: true });
	const input = h('input', { id, type: 'number', min: '1', value: String(bay.node_count ?? 1),
		inputmode: 'numeric', 'aria-describedby': `${id}-err` });
	const form = h('form', {}, h('div.field', {}, h('label', { for: id, text: 'Number of nodes' }), input), err);
	// Enter in the field submits: the dialog's primary button.
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		form.closest('dialog').querySelector('button.primary').click();
	});
	const ok = await dialog(`Scale bay ${bay.name}`, form, [
		{ label: 'Cancel', value: false },
		{ label: 'Scale', value: true, kind: 'primary' },
	]);
	if (!ok)
		return;
	const n = Number(input.value);
	try {
		const r = await patch(`/v1/bays/${bay.uuid}`,
			[{ op: 'replace', path: '/node_count', value: n }]);
		announce(`Bay ${bay.name} scaled to ${r.body?.node_count ?? n} nodes.`);
		after && after();
	} catch (e) {
		showError(`Cannot scale bay ${bay.name}: ${e.detail}`);
	}
}

export async function renderList(main) {
	const table = dataTable('Bays', [
		{ key: 'name', label: 'Name', render: (r) => link(`#/bays/${r.uuid}`, r.name) },
		{ key: 'status', label: 'Status', render: (r) => statusBadge(r.status) },
		{ key: 'baymodel_id', label: 'Baymodel', render: (r) => link(`#/baymodels/${r.baymodel_id}`,
			names[r.baymodel_id] || r.baymodel_id) },
		{ key: 'master_count', label: 'Masters' },
		{ key: 'node_count', label: 'Nodes' },
		{ key: 'actions', label: 'Actions', sortable: false, render: (r) => h('span.row-actions', {},
			h('button.small', { type: 'button', text: 'Scale', 'aria-label': `Scale bay ${r.name}`,
				onclick: () => scaleBay(r, load) }),
			h('button.danger.small', { type: 'button', text: 'Delete', 'aria-label': `Delete bay ${r.name}`,
				onclick: () => deleteBay(r, () => markDeleting(r)) })) },
	], { empty: 'No bays yet: create one.' });
	const names = {};
	main.replaceChildren(pageHeader('Bays', h('a.button.primary', { href: '#/bays/new', text: 'Create bay' })),
		isAdmin() ? h('p.note', { text: 'You are an administrator: bays of every project are listed.' }) : null,
		h('p.note', { text: `Status is refreshed every ${POLL_MS / 1000} seconds.` }),
		table.el);
	let last = '', rows = [];
	// The API answered 204: the bay is DELETE_IN_PROGRESS until the conductor
	// removes it; show that now (also over a list read before the delete).
	const deleting = new Set();
	const withDeleting = (list) => list.map((x) => (deleting.has(x.uuid) && !/^DELETE_/.test(x.status) ?
		{ ...x, status: 'DELETE_IN_PROGRESS' } : x));
	function markDeleting(r) {
		deleting.add(r.uuid);
		rows = withDeleting(rows);
		last = JSON.stringify(rows);
		table.update(rows);
	}
	async function load() {
		try {
			const [bays, models] = await Promise.all([get('/v1/bays'),
				get('/v1/baymodels').catch(() => ({ baymodels: [] }))]);
			for (const m of models.baymodels || [])
				names[m.uuid] = m.name;
			rows = withDeleting(bays.bays || []);
			const sig = JSON.stringify(rows);
			if (sig !== last) {
				last = sig;
				table.update(rows);
			}
		} catch (e) {
			showError(`Cannot list bays: ${e.detail}`);
		}
	}
	await load();
	poll(load);
}

export async function renderCreate(main, params) {
	const models = (await get('/v1/baymodels').catch(() => ({ baymodels: [] }))).baymodels || [];
	const f = {
		name: field('name', 'Name', 'input', { autocomplete: 'off' },
			'Optional. Starts with a letter; letters, digits, _ . - only.'),
		baymodel_id: field('baymodel_id', 'Baymodel', 'select', { required: true, options: models.length ?
			models.map((m) => ({ value: m.uuid, label: `${m.name} (${m.coe})` })) :
			[{ value: '', label: '(no baymodel: create one first)' }] }),
		master_count: field('master_count', 'Masters', 'input', { type: 'number', min: '1', value: '1' }),
		node_count: field('node_count', 'Nodes', 'input', { type: 'number', min: '1', value: '1' }),
		bay_create_timeout: field('bay_create_timeout', 'Create timeout (minutes)', 'input',
			{ type: 'number', min: '0', value: '60' }, '0 uses the service default.'),
		discovery_url: field('discovery_url', 'Discovery URL', 'input', { autocomplete: 'off' },
			'Optional (swarm and kubernetes fill it in).'),
	};
	if (params.get('baymodel'))
		f.baymodel_id.input.value = params.get('baymodel');
	const summary = h('div.error-summary', { role: 'alert', tabindex: '-1', hidden: true });
	const form = h('form.card', { novalidate: true, 'aria-labelledby': 'page-title' }, summary,
		Object.values(f).map((x) => x.el),
		h('div.actions', {}, h('button.primary', { type: 'submit', text: 'Create bay' }),
			h('a.button', { href: '#/bays', text: 'Cancel' })));
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearError();
		summary.hidden = true;
		Object.values(f).forEach((x) => x.setError(''));
		const b = { baymodel_id: f.baymodel_id.input.value };
		for (const k of ['name', 'discovery_url'])
			if (f[k].input.value.trim())
				b[k] = f[k].input.value.trim();
		for (const k of ['master_count', 'node_count', 'bay_create_timeout'])
			if (f[k].input.value !== '')
				b[k] = Number(f[k].input.value);
		try {
			const r = await post('/v1/bays', b);
			const uuid = r.body?.uuid;
			announce(`Bay ${r.body?.name || ''} accepted: ${r.body?.status || 'creating'}.`);
			location.hash = uuid ? `#/bays/${uuid}` : '#/bays';
		} catch (x) {
			const name = fieldOfError(x.detail, Object.keys(f), { baymodel: 'baymodel_id',
				master: 'master_count', node: 'node_count', timeout: 'bay_create_timeout' });
			if (name)
				f[name].setError(x.detail);
			summary.replaceChildren(h('h2', { text: 'The bay was not created' }), h('p', { text: x.detail }));
			summary.hidden = false;
			summary.focus();
		}
	});
	main.replaceChildren(pageHeader('Create bay'), form);
	f.name.input.focus();
}
