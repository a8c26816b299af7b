// magnumd.mjs - start a real magnumd on loopback for the browser tests (the
// same shape as tests/api/mglib.py): a temporary state dir ("magnum-test-"),
// builtin auth, a free 127.0.0.1 port; stopped by PID and removed afterwards.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const MAGNUMD = process.env.MAGNUMD || join(here, '..', '..', 'build', 'magnumd');

function freePort() {
	return new Promise((resolve, reject) => {
		const s = createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Magnumd {
	async start() {
		this.dir = mkdtempSync(join(tmpdir(), 'magnum-test-'));
		this.port = await freePort();
		this.url = `http://127.0.0.1:${this.port}`;
		this.conf = join(this.dir, 'magnum.conf');
		writeFileSync(this.conf, [
			'[DEFAULT]', `state_path = ${this.dir}/state`, 'auth_strategy = builtin',
			'periodic_interval = 1', 'backend = none', '[x509]', 'key_type = ec', '[api]', 'host = 127.0.0.1', `port = ${this.port}`, ''].join('\n'));
		this.logPath = join(this.dir, 'magnumd.log');
		const fd = openSync(this.logPath, 'w');
		this.proc = spawn(MAGNUMD, ['--config', this.conf], { stdio: ['ignore', fd, fd] });
		closeSync(fd);
		this.exited = new Promise((r) => this.proc.once('exit', (code, sig) => r({ code, sig })));
		const deadline = Date.now() + 15000;
		while (Date.now() < deadline) {
			if (this.proc.exitCode !== null)
				throw new Error(`magnumd exited ${this.proc.exitCode}:\n${this.log()}`);
			try {
				const r = await fetch(`${this.url}/healthcheck`);
				if (r.status === 200)
					return this;
			} catch {
				// not listening yet
			}
			await sleep(50);
		}
		throw new Error(`magnumd did not start:\n${this.log()}`);
	}

	log() {
		try {
			return readFileSync(this.logPath, 'utf8').slice(-6000);
		} catch {
			return '';
		}
	}

	openrc() {
		const env = {};
		for (const line of readFileSync(join(this.dir, 'state', 'admin-openrc.sh'), 'utf8').split('\n')) {
			const m = line.trim().match(/^export (\w+)=(.*)$/);
			if (m)
				env[m[1]] = m[2].replace(/^['"]|['"]$/g, '');
		}
		return env;
	}

	async api(method, path, body, token) {
		const headers = { Accept: 'application/json' };
		if (body !== undefined)
			headers['Content-Type'] = 'application/json';
		if (token)
			headers['X-Auth-Token'] = token;
		const r = await fetch(this.url + path, { method, headers,
			body: body === undefined ? undefined : JSON.stringify(body) });
		const text = await r.text();
		let json = null;
		try {
			json = text ? JSON.parse(text) : null;
		} catch {
			json = null;
		}
		return { status: r.status, headers: r.headers, json };
	}

	async token(user, password, project) {
		const r = await this.api('POST', '/v3/auth/tokens', { auth: {
			identity: { methods: ['password'], password: { user: {
				name: user, domain: { name: 'Default' }, password } } },
			scope: { project: { name: project, domain: { name: 'Default' } } } } });
		if (r.status !== 201)
			throw new Error(`token for ${user}: ${r.status} ${JSON.stringify(r.json)}`);
		return r.headers.get('x-subject-token');
	}

	// SIGTERM by PID, SIGKILL after 20 s; returns the problem text or null.
	async stop() {
		let problem = null;
		if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
			this.proc.kill('SIGTERM');
			const t = setTimeout(() => this.proc.kill('SIGKILL'), 20000);
			const { code, sig } = await this.exited;
			clearTimeout(t);
			if (code !== 0)
				problem = `magnumd exited ${code ?? sig}`;
		}
		const text = this.log();
		if (/Sanitizer|runtime error:/.test(text))
			problem = `sanitizer report:\n${text}`;
		this.proc = null;
		return problem;
	}

	cleanup() {
		if (this.dir)
			rmSync(this.dir, { recursive: true, force: true });
		this.dir = null;
	}
}
