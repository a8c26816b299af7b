// api.js - talks to magnumd (same origin): the session token, JSON requests,
// Magnum/Keystone error bodies turned into ApiError.

// Bay-era routes at microversion 1.1: create answers 201 with the bay,
// PATCH 200 with the bay (the synchronous API the bay-era clients used).
export const API_VERSION = 'container-infra 1.1';

const KEY = 'magnumd.session';

export class ApiError extends Error {
	constructor(status, title, detail, body) {
		super(detail || title || `HTTP ${status}`);
		this.status = status;
		this.title = title || '';
		this.detail = detail || title || `HTTP ${status}`;
		this.body = body;
	}
}

// The session: {token, user: {id, name}, project: {id, name}, roles: [..], expires}
export function session() {
	try {
		return JSON.parse(sessionStorage.getItem(KEY) || 'null');
	} catch {
		return null;
	}
}

export function saveSession(s) {
	if (s)
		sessionStorage.setItem(KEY, JSON.stringify(s));
	else
		sessionStorage.removeItem(KEY);
}

export function isAdmin() {
	const s = session();
	return !!s && (s.roles || []).includes('admin');
}

// The error text of a Magnum ({"errors":[..]}), Keystone ({"error":{..}}) or
// Nova/Glance ({"itemNotFound":{"message"}}) body.
function errorOf(status, body) {
	if (body && Array.isArray(body.errors) && body.errors.length) {
		const e = body.errors[0];
		return new ApiError(status, e.title, e.detail || e.description, body);
	}
	if (body && body.error && typeof body.error === 'object')
		return new ApiError(status, body.error.title, body.error.message, body);
	if (body && typeof body === 'object') {
		const v = Object.values(body)[0];
		if (v && typeof v === 'object' && v.message)
			return new ApiError(status, '', v.message, body);
	}
	const generic = {
		401: 'Your session has expired or the token is not valid: log in again.',
		403: 'You are not allowed to do this.',
		404: 'Not found.',
		501: 'Not implemented by this magnumd yet.',
	};
	return new ApiError(status, '', generic[status] || `Request failed (HTTP ${status})`, body);
}

// One request. opts: {body, token (override), headers (may set another
// OpenStack-API-Version)}. Returns
// {status, body, headers}; throws ApiError for a status >= 400 or a network error.
export async function request(method, path, opts = {}) {
	const s = session();
	const headers = { Accept: 'application/json', ...(opts.headers || {}) };
	const token = opts.token !== undefined ? opts.token : s && s.token;
	if (token)
		headers['X-Auth-Token'] = token;
	if (path.startsWith('/v1') && !headers['OpenStack-API-Version'])
		headers['OpenStack-API-Version'] = API_VERSION;
	let body;
	if (opts.body !== undefined) {
		headers['Content-Type'] = opts.contentType || 'application/json';
		body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
	}
	let resp;
	try {
		resp = await fetch(path, { method, headers, body, cache: 'no-store' });
	} catch (e) {
		throw new ApiError(0, 'Network error', `Cannot reach magnumd: ${e.message}`);
	}
	const text = await resp.text();
	let json = null;
	if (text) {
		try {
			json = JSON.parse(text);
		} catch {
			json = null;
		}
	}
	if (resp.status >= 400) {
		const err = errorOf(resp.status, json);
		if (resp.status === 401 && !opts.noAuthRedirect && token)
			window.dispatchEvent(new CustomEvent('magnum-unauthorized'));
		throw err;
	}
	return { status: resp.status, body: json, headers: resp.headers };
}

export const get = (path, opts) => request('GET', path, opts).then((r) => r.body);
export const post = (path, body, opts = {}) => request('POST', path, { ...opts, body });
export const patch = (path, ops) => request('PATCH', path, { body: ops });
export const del = (path) => request('DELETE', path);
