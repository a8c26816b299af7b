// auth.js - log in (Keystone v3 password auth against magnumd, or a pasted
// token), the project switcher (re-scoping with the token method), log out.
import { request, saveSession, session, ApiError } from './api.js';
import { h, field, announce, pageHeader } from './ui.js';

// The session from a Keystone token document and its id.
function sessionOf(id, doc) {
	const t = doc.token || {};
	return {
		token: id,
		user: { id: t.user?.id, name: t.user?.name, domain: t.user?.domain?.name || 'Default' },
		project: t.project ? { id: t.project.id, name: t.project.name } : null,
		roles: (t.roles || []).map((r) => r.name),
		expires: t.expires_at || null,
	};
}

async function issue(auth) {
	const r = await request('POST', '/v3/auth/tokens', { body: { auth }, token: null,
							      noAuthRedirect: true });
	const id = r.headers.get('X-Subject-Token');
	if (!id)
		throw new ApiError(500, '', 'The identity service returned no token.');
	return sessionOf(id, r.body);
}

export async function loginPassword(user, password, project, domain = 'Default') {
	const auth = {
		identity: { methods: ['password'], password: { user: {
			name: user, domain: { name: domain }, password } } },
	};
	if (project)
		auth.scope = { project: { name: project, domain: { name: domain } } };
	const s = await issue(auth);
	saveSession(s);
	return s;
}

// A pasted token: validate it (GET /v3/auth/tokens with itself as subject).
export async function loginToken(token) {
	const r = await request('GET', '/v3/auth/tokens', {
		token, headers: { 'X-Subject-Token': token }, noAuthRedirect: true });
	const s = sessionOf(token, r.body);
	saveSession(s);
	return s;
}

// Projects the user has a role on.
export async function myProjects() {
	const r = await request('GET', '/v3/auth/projects');
	return (r.body.projects || []).sort((a, b) => a.name.localeCompare(b.name));
}

// Re-scope the current token to another project (token method).
export async function switchProject(projectId) {
	const cur = session();
	const s = await issue({
		identity: { methods: ['token'], token: { id: cur.token } },
		scope: { project: { id: projectId } },
	});
	saveSession(s);
	return s;
}

export async function logout() {
	const s = session();
	saveSession(null);
	if (s)
		await request('DELETE', '/v3/auth/tokens', { token: s.token,
			headers: { 'X-Subject-Token': s.token }, noAuthRedirect: true }).catch(() => {});
}

export function renderLogin(main, onDone) {
	const user = field('username', 'User name', 'input', { autocomplete: 'username', required: true });
	const pass = field('password', 'Password', 'input', { type: 'password', autocomplete: 'current-password',
							      required: true });
	const proj = field('project', 'Project', 'input', { autocomplete: 'off' },
			   'Leave empty to use your default project.');
	const dom = field('domain', 'Domain', 'input', { value: 'Default' });
	const tok = field('token', 'Keystone token', 'textarea', { rows: 3, autocomplete: 'off', required: true });
	const err = h('p.form-error', { role: 'alert', hidden: true });
	const fail = (e) => {
		err.textContent = e.status === 401 ?
			'Login failed: wrong user name, password or project, or no role on that project.' :
			e.message;
		err.hidden = false;
	};
	const pwForm = h('form.card', {
		'aria-labelledby': 'login-pw-title',
		onsubmit: async (e) => {
			e.preventDefault();
			err.hidden = true;
			try {
				const s = await loginPassword(user.input.value.trim(), pass.input.value,
							      proj.input.value.trim(), dom.input.value.trim() || 'Default');
				announce(`Logged in as ${s.user.name}`);
				onDone();
			} catch (x) {
				fail(x);
			}
		},
	}, h('h2#login-pw-title', { text: 'Log in with a password' }), user.el, pass.el, proj.el, dom.el,
	h('button.primary', { type: 'submit', text: 'Log in' }));
	const tokForm = h('form.card', {
		'aria-labelledby': 'login-tok-title',
		onsubmit: async (e) => {
			e.preventDefault();
			err.hidden = true;
			try {
				const s = await loginToken(tok.input.value.trim());
				announce(`Logged in as ${s.user.name}`);
				onDone();
			} catch (x) {
				fail(x);
			}
		},
	}, h('h2#login-tok-title', { text: 'Or use a Keystone token' }), tok.el,
	h('button', { type: 'submit', text: 'Use token' }));
	tok.input.addEventListener('keydown', (e) => {
		if (e.key === 'Enter' && !e.shiftKey) {
			e.preventDefault();
			tokForm.requestSubmit();
		}
	});
	main.replaceChildren(pageHeader('Log in to magnumd'), err, h('div.login-grid', {}, pwForm, tokForm));
	user.input.focus();
}
