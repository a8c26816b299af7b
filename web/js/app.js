// app.js - the shell: hash router (#/baymodels, #/bays/<uuid>, ...), the
// header (user, project switcher, log out) and page focus management.
import { session } from './api.js';
import { renderLogin, myProjects, switchProject, logout } from './auth.js';
import * as baymodels from './baymodels.js';
import * as bays from './bays.js';
import { renderDetail as bayDetail } from './baydetail.js';
import { renderCerts } from './certs.js';
import { h, announce, clearError, showError, stopPolling } from './ui.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');

const ROUTES = [
	[/^\/baymodels\/new$/, (m, p) => baymodels.renderCreate(main, p), 'baymodels'],
	[/^\/baymodels\/([^/]+)$/, (m) => baymodels.renderDetail(main, m[1]), 'baymodels'],
	[/^\/baymodels$/, () => baymodels.renderList(main), 'baymodels'],
	[/^\/bays\/new$/, (m, p) => bays.renderCreate(main, p), 'bays'],
	[/^\/bays\/([^/]+)$/, (m) => bayDetail(main, m[1]), 'bays'],
	[/^\/bays$/, () => bays.renderList(main), 'bays'],
	[/^\/certificates$/, (m, p) => renderCerts(main, p), 'certificates'],
];

async function renderHeader() {
	const s = session();
	nav.hidden = !s;
	if (!s) {
		who.replaceChildren();
		return;
	}
	const sel = h('select#project', { 'aria-describedby': 'project-help' },
		h('option', { value: s.project?.id || '', text: s.project?.name || '(unscoped)' }));
	who.replaceChildren(
		h('span.user', {}, 'Signed in as ', h('strong', { text: s.user.name }),
			s.roles.includes('admin') ? h('span.badge.neutral', { text: 'admin' }) : null),
		h('label', { for: 'project', text: 'Project' }), sel,
		h('span#project-help.sr-only', { text: 'Switching project re-scopes your token.' }),
		h('button', { type: 'button', text: 'Log out', onclick: async () => {
			await logout();
			announce('Logged out.');
			location.hash = '#/login';
			route();
		} }));
	try {
		const projects = await myProjects();
		sel.replaceChildren(...projects.map((p) => h('option', { value: p.id, text: p.name })));
		sel.value = s.project?.id || '';
		sel.disabled = projects.length < 2;
	} catch {
		sel.disabled = true;
	}
	sel.addEventListener('change', async () => {
		try {
			const ns = await switchProject(sel.value);
			announce(`Now working in project ${ns.project.name}.`);
			await renderHeader();
			route();
		} catch (e) {
			showError(`Cannot switch project: ${e.detail}`);
			sel.value = s.project?.id || '';
		}
	});
}

let pendingError = '';

async function route() {
	stopPolling();
	clearError();
	const [path, query] = (location.hash.slice(1) || '/').split('?');
	const params = new URLSearchParams(query || '');
	if (!session()) {
		nav.hidden = true;
		who.replaceChildren();
		document.title = 'Log in - magnumd';
		renderLogin(main, async () => {
			await renderHeader();
			if (location.hash === '#/baymodels')
				route();
			else
				location.hash = '#/baymodels';
		});
		if (pendingError)
			showError(pendingError);
		pendingError = '';
		return;
	}
	for (const [re, fn, section] of ROUTES) {
		const m = path.match(re);
		if (!m)
			continue;
		for (const a of nav.querySelectorAll('a'))
			if (a.dataset.section === section)
				a.setAttribute('aria-current', 'page');
			else
				a.removeAttribute('aria-current');
		main.setAttribute('aria-busy', 'true');
		try {
			await fn(m, params);
		} catch (e) {
			showError(e.detail || e.message);
		} finally {
			main.setAttribute('aria-busy', 'false');
		}
		const title = document.getElementById('page-title');
		document.title = `${title ? title.textContent : section} - magnumd`;
		// Move focus to the page title unless the page put it in a form field.
		if (title && (document.activeElement === document.body || nav.contains(document.activeElement)))
			title.focus();
		return;
	}
	location.replace('#/baymodels');
}

window.addEventListener('hashchange', route);
window.addEventListener('magnum-unauthorized', async () => {
	await logout();
	pendingError = 'Your session has expired: log in again.';
	location.hash = '#/login';
	route();
});
renderHeader();
route();
