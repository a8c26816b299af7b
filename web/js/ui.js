// ui.js - DOM helpers shared by the pages: element builder, live-region
// announcements, modal dialogs (focus trap, Escape), sortable and filterable
// tables, form fields with their error slots, downloads, the page's poll timer.

let uid = 0;
export const nextId = (p = 'f') => `${p}-${++uid}`;

// h('tag.class#id', {attr: v, onclick: fn}, children...)
export function h(spec, attrs = {}, ...children) {
	const m = spec.match(/^([a-z0-9]+)((?:[.#][\w-]+)*)$/i);
	const el = document.createElement(m ? m[1] : spec);
	if (m && m[2])
		for (const part of m[2].match(/[.#][\w-]+/g)) {
			if (part[0] === '.')
				el.classList.add(part.slice(1));
			else
				el.id = part.slice(1);
		}
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false)
			continue;
		if (k.startsWith('on') && typeof v === 'function')
			el.addEventListener(k.slice(2), v);
		else if (k === 'text')
			el.textContent = v;
		else if (k === 'value')
			el.value = v;
		else if (k === 'checked')
			el.checked = !!v;
		else
			el.setAttribute(k, v === true ? '' : v);
	}
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false)
			continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

export const POLL_MS = 2000;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The page's poll timer: a new page (the router) stops the previous one.
let timer = null;
export function stopPolling() {
	clearTimeout(timer);
	timer = null;
}

// Call fn every POLL_MS until stopPolling() (the next call starts after fn ends).
export function poll(fn) {
	stopPolling();
	const tick = async () => {
		await fn();
		if (timer !== null)
			timer = setTimeout(tick, POLL_MS);
	};
	timer = setTimeout(tick, POLL_MS);
}

// Polite announcement in the status bar (aria-live=polite).
export function announce(msg) {
	const el = document.getElementById('status');
	el.textContent = '';
	el.classList.remove('error');
	// A fresh text node so that repeating a message is announced again.
	requestAnimationFrame(() => { el.textContent = msg; });
}

// An error in the alert region (role=alert, assertive).
export function showError(msg) {
	const el = document.getElementById('alert');
	el.textContent = msg;
	el.hidden = !msg;
}

export const clearError = () => showError('');

// Modal dialog on <dialog>: focus is trapped inside, Escape closes (resolves
// false). buttons: [{label, value, kind}]. Resolves the chosen value.
// opts.describe: the body is the dialog's description (aria-describedby).
export function dialog(title, body, buttons, opts = {}) {
	return new Promise((resolve) => {
		const opener = document.activeElement;
		const titleId = nextId('dlg');
		const bodyEl = typeof body === 'string' ? h('p', { text: body }) : body;
		const dlg = h('dialog.dialog', { 'aria-labelledby': titleId, 'aria-modal': 'true' });
		if (opts.describe) {
			bodyEl.id = bodyEl.id || nextId('dlgbody');
			dlg.setAttribute('aria-describedby', bodyEl.id);
		}
		const close = (v) => {
			dlg.close();
			dlg.remove();
			if (opener && opener.focus)
				opener.focus();
			resolve(v);
		};
		const btns = buttons.map((b) => h('button', {
			type: 'button', class: b.kind || '', onclick: () => close(b.value), text: b.label,
		}));
		dlg.append(h('h2', { id: titleId, text: title }), bodyEl, h('div.actions', {}, btns));
		dlg.addEventListener('cancel', (e) => { e.preventDefault(); close(false); });
		dlg.addEventListener('keydown', (e) => {
			if (e.key === 'Escape') {
				e.preventDefault();
				close(false);
			} else if (e.key === 'Tab') {
				const f = [...dlg.querySelectorAll('button, input, select, textarea, a[href]')]
					.filter((x) => !x.disabled);
				if (!f.length)
					return;
				const first = f[0], last = f[f.length - 1];
				if (e.shiftKey && document.activeElement === first) {
					e.preventDefault();
					last.focus();
				} else if (!e.shiftKey && document.activeElement === last) {
					e.preventDefault();
					first.focus();
				}
			}
		});
		document.body.append(dlg);
		dlg.showModal();
		// The safe choice gets the focus (Cancel first in confirmations).
		btns[0].focus();
	});
}

// A confirmation: Cancel (focused) or okLabel. body: text or an element.
export function confirmDialog(title, body, okLabel = 'Delete') {
	return dialog(title, body, [
		{ label: 'Cancel', value: false },
		{ label: okLabel, value: true, kind: 'danger' },
	], { describe: true });
}

// A sortable, filterable table. columns: [{key, label, render(row)?, sort(row)?}]
// Returns {el, update(rows)}. Sorting: click or Enter on the column header button.
export function dataTable(caption, columns, opts = {}) {
	const state = { key: opts.sortKey || columns[0].key, dir: 1, filter: '', rows: [] };
	const filterId = nextId('filter');
	const filter = h('input', {
		id: filterId, type: 'search', placeholder: 'Filter', autocomplete: 'off',
		oninput: (e) => { state.filter = e.target.value.toLowerCase(); draw(); },
	});
	const count = h('span.count', { 'aria-live': 'polite' });
	const tbody = h('tbody');
	const ths = columns.map((c) => {
		const th = h('th', { scope: 'col', 'aria-sort': 'none' });
		if (c.sortable === false)
			th.textContent = c.label;
		else
			th.append(h('button.sort', {
				type: 'button', text: c.label,
				onclick: () => {
					state.dir = state.key === c.key ? -state.dir : 1;
					state.key = c.key;
					draw();
				},
			}));
		return th;
	});
	const table = h('table.data', {}, h('caption', { text: caption }),
			h('thead', {}, h('tr', {}, ths)), tbody);
	const el = h('div.table-block', {},
		h('div.table-tools', {}, h('label', { for: filterId, text: 'Filter ' + caption.toLowerCase() }),
		  filter, count),
		h('div.table-scroll', {}, table));
	const sortVal = (c, r) => (c.sort ? c.sort(r) : r[c.key]) ?? '';
	function draw() {
		const col = columns.find((c) => c.key === state.key) || columns[0];
		const rows = state.rows.filter((r) => !state.filter || columns.some((c) =>
			String(sortVal(c, r)).toLowerCase().includes(state.filter)));
		rows.sort((a, b) => {
			const x = sortVal(col, a), y = sortVal(col, b);
			const n = typeof x === 'number' && typeof y === 'number' ? x - y :
				String(x).localeCompare(String(y));
			return n * state.dir;
		});
		ths.forEach((th, i) => th.setAttribute('aria-sort', columns[i].key !== state.key ?
			'none' : state.dir > 0 ? 'ascending' : 'descending'));
		tbody.replaceChildren(...rows.map((r) => h('tr', {}, columns.map((c) =>
			h('td', { 'data-label': c.label }, c.render ? c.render(r) : String(r[c.key] ?? ''))))));
		if (!rows.length)
			tbody.append(h('tr', {}, h('td.empty', {
				colspan: columns.length, text: state.rows.length ? 'No match.' : opts.empty || 'None yet.',
			})));
		count.textContent = `${rows.length} of ${state.rows.length}`;
	}
	draw();
	return { el, update(rows) { state.rows = rows; draw(); } };
}

// A labelled form field with an error slot. kind: input|select|textarea|checkbox.
// Returns {el, input, setError(msg)}.
export function field(name, label, kind = 'input', attrs = {}, help = '') {
	const id = `fld-${name}`;
	const errId = `${id}-err`, helpId = `${id}-help`;
	const describedby = [help ? helpId : null, errId].filter(Boolean).join(' ');
	let input;
	if (kind === 'select') {
		const { options = [], ...rest } = attrs;
		input = h('select', { id, name, 'aria-describedby': describedby, ...rest },
			  options.map((o) => h('option', { value: o.value, text: o.label ?? o.value })));
	} else if (kind === 'textarea') {
		input = h('textarea', { id, name, 'aria-describedby': describedby, ...attrs });
	} else {
		input = h('input', { id, name, type: kind === 'checkbox' ? 'checkbox' : 'text',
				    'aria-describedby': describedby, ...attrs });
	}
	const err = h('p.field-error', { id: errId, hidden: true });
	const el = h(`div.field${kind === 'checkbox' ? '.check' : ''}`, { 'data-field': name },
		kind === 'checkbox' ? [input, h('label', { for: id, text: label })] :
			[h('label', { for: id, text: label }), input],
		help ? h('p.help', { id: helpId, text: help }) : null, err);
	return {
		el, input,
		setError(msg) {
			err.textContent = msg || '';
			err.hidden = !msg;
			el.classList.toggle('invalid', !!msg);
			if (msg)
				input.setAttribute('aria-invalid', 'true');
			else
				input.removeAttribute('aria-invalid');
		},
	};
}

// Replace a select's options, keeping the current value when still offered.
export function setOptions(select, options, keep = true) {
	const cur = select.value;
	select.replaceChildren(...options.map((o) => h('option', { value: o.value, text: o.label ?? o.value })));
	if (keep && options.some((o) => o.value === cur))
		select.value = cur;
}

export function download(filename, text, type = 'application/x-pem-file') {
	const url = URL.createObjectURL(new Blob([text], { type }));
	const a = h('a', { href: url, download: filename });
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function fmtDate(s) {
	if (!s)
		return '';
	const d = new Date(s);
	return isNaN(d) ? s : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

// A status badge: colour class from the status word, text stays readable.
export function statusBadge(status) {
	const s = status || 'UNKNOWN';
	const kind = /FAILED/.test(s) ? 'bad' : /COMPLETE/.test(s) ? 'good' :
		/IN_PROGRESS/.test(s) ? 'busy' : 'neutral';
	return h(`span.badge.${kind}`, { text: s });
}

export function dl(pairs) {
	return h('dl.props', {}, pairs.map(([k, v]) => [h('dt', { text: k }),
		h('dd', {}, v instanceof Node ? v : v === null || v === undefined || v === '' ? '—' : String(v))]));
}

export function pageHeader(title, ...actions) {
	return h('div.page-head', {}, h('h1', { id: 'page-title', tabindex: '-1', text: title }),
		 h('div.actions', {}, actions));
}

export function link(href, text) {
	return h('a', { href, text });
}

// Which form field an API error names. The detail text names the attribute
// ("Invalid input for field/attribute dns_nameserver. ...") or the resource
// ("Unable to find keypair k9."); aliases map the latter to the field.
export function fieldOfError(detail, names, aliases = {}) {
	const text = String(detail || '');
	const byLength = [...names].sort((a, b) => b.length - a.length);
	for (const n of byLength)
		if (new RegExp(`(^|[^\\w/])/?${n}([^\\w]|$)`).test(text))
			return n;
	const lower = text.toLowerCase();
	for (const [phrase, n] of Object.entries(aliases))
		if (lower.includes(phrase))
			return n;
	return null;
}
