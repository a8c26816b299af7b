// magnumd.mjs - start a real magnumd on loopback for the browser tests (the
// same shape as tests/api/mglib.py): a temporary state dir ("magnum-test-"),
// builtin auth, a free 127.0.0.1 port; stopped by PID and removed afterwards.
// With backend "local" (real swarm bays on this host) it also finds and
// removes what the backend left: the checks of tests/e2e/lib.sh in node.
import { spawn, execFileSync } from 'node:child_process';
import {
	mkdtempSync, writeFileSync, readFileSync, rmSync, openSync, closeSync, existsSync, readdirSync,
	rmdirSync,
} from 'node:fs';
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

// Why real bays cannot run here (null: they can), as tests/e2e/lib.sh e2e_require.
export function localBackendMissing() {
	if (process.env.DASHBOARD_REAL_BAYS === '0')
		return 'DASHBOARD_REAL_BAYS=0';
	if (process.getuid?.() !== 0)
		return 'not root (namespaces, netlink, loop devices)';
	for (const f of ['/usr/sbin/dockerd', '/bin/busybox'])
		if (!existsSync(f))
			return `no ${f} (Debian packages docker.io, busybox-static)`;
	if (!existsSync('/sys/fs/cgroup/memory'))
		return 'no cgroup v1 controllers under /sys/fs/cgroup';
	try {
		execFileSync('docker', ['--version'], { stdio: 'ignore' });
	} catch {
		return 'no docker CLI';
	}
	return null;
}

function run(cmd, args) {
	try {
		return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10000 });
	} catch {
		return '';
	}
}

const under = (path, dir) => path === dir || path.startsWith(`${dir}/`);
const mountsUnder = (dir) => readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
	.map((l) => l.split(' ')[4]).filter((m) => m && under(m, dir));
const cgroupsOf = (prefix) => (existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup') : [])
	.map((c) => join('/sys/fs/cgroup', c, prefix)).filter((d) => existsSync(d));

// Processes whose command line names something under dir (but not exceptPid).
function processesUnder(dir, exceptPid) {
	const out = [];
	for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
		if (Number(p) === exceptPid || Number(p) === process.pid)
			continue;
		let cmd;
		try {
			cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
		} catch {
			continue;
		}
		if (cmd.includes(`${dir}/`))
			out.push([Number(p), cmd.slice(0, 80)]);
	}
	return out;
}

// Every object the prefix or the state dir names: links, nft tables, mounts,
// loop devices, cgroups, processes. Empty when clean.
export function leftovers(prefix, dir, exceptPid) {
	const out = [];
	for (const line of run('ip', ['-o', 'link', 'show']).split('\n')) {
		const name = (line.split(': ')[1] || '').split('@')[0];
		if (name.startsWith(prefix))
			out.push(`link ${name}`);
	}
	for (const line of run('nft', ['list', 'tables']).split('\n'))
		if (line.includes(` ${prefix}_`))
			out.push(`nft ${line}`);
	for (const m of mountsUnder(dir))
		out.push(`mount ${m}`);
	for (const line of run('losetup', ['-a']).split('\n'))
		if (line.includes(`${dir}/`))
			out.push(`loop ${line}`);
	for (const c of cgroupsOf(prefix))
		out.push(`cgroup ${c}`);
	for (const [pid, cmd] of processesUnder(dir, exceptPid))
		out.push(`process ${pid} ${cmd}`);
	return out;
}

const sleepSync = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

// Remove by force what the prefix or the state dir names (after a failure):
// processes by PID, mounts, loop devices, links, nft tables, cgroups.
export function forceClean(prefix, dir) {
	for (const [pid] of processesUnder(dir, -1)) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
	sleepSync(300);
	for (const m of mountsUnder(dir).sort((a, b) => b.length - a.length))
		run('umount', ['-l', m]);
	for (const line of run('losetup', ['-a']).split('\n'))
		if (line.includes(`${dir}/`))
			run('losetup', ['-d', line.split(':')[0]]);
	for (const line of run('ip', ['-o', 'link', 'show']).split('\n')) {
		const name = (line.split(': ')[1] || '').split('@')[0];
		if (name.startsWith(prefix))
			run('ip', ['link', 'del', name]);
	}
	for (const line of run('nft', ['list', 'tables']).split('\n')) {
		const [, fam, name] = line.trim().split(/\s+/);
		if (name && name.startsWith(`${prefix}_`))
			run('nft', ['delete', 'table', fam, name]);
	}
	const rmTree = (d) => {
		for (const e of readdirSync(d, { withFileTypes: true }))
			if (e.isDirectory())
				rmTree(join(d, e.name));
		try {
			rmdirSync(d);
		} catch {
			// still busy: reported by leftovers()
		}
	};
	for (let i = 0; i < 10 && cgroupsOf(prefix).length; i++) {
		cgroupsOf(prefix).forEach(rmTree);
		if (cgroupsOf(prefix).length)
			sleepSync(200);
	}
}

export class Magnumd {
	// backend: "none" (control plane) or "local" (then prefix and pool are needed).
	constructor({ backend = 'none', prefix = null, pool = null } = {}) {
		this.backend = backend;
		this.prefix = prefix;
		this.pool = pool;
	}

	async start() {
		this.dir = mkdtempSync(join(tmpdir(), 'magnum-test-'));
		this.port = await freePort();
		this.url = `http://127.0.0.1:${this.port}`;
		this.conf = join(this.dir, 'magnum.conf');
		writeFileSync(this.conf, [
			'[DEFAULT]', `state_path = ${this.dir}/state`, 'auth_strategy = builtin',
			'periodic_interval = 1', `backend = ${this.backend}`, '[x509]', 'key_type = ec', '[api]',
			'host = 127.0.0.1', `port = ${this.port}`,
			...(this.backend === 'local' ? ['[local]', `prefix = ${this.prefix}`, `network_pool = ${this.pool}`] : []),
			''].join('\n'));
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

	get pid() {
		return this.proc ? this.proc.pid : -1;
	}

	// What the local backend left (empty when clean); [] for backend none.
	leftovers() {
		return this.dir && this.prefix ? leftovers(this.prefix, this.dir, this.pid) : [];
	}

	// After stop(): force away what is left, then remove the state dir (never
	// while something is still mounted under it). Returns the problem or null.
	cleanup() {
		let problem = null;
		if (this.dir && this.prefix) {
			const left = leftovers(this.prefix, this.dir, -1);
			if (left.length) {
				problem = `left behind (removed by force): ${left.join('; ')}`;
				forceClean(this.prefix, this.dir);
			}
			if (mountsUnder(this.dir).length) {
				console.log(`# warning: still mounted under ${this.dir}, not removed`);
				this.dir = null;
				return problem;
			}
		}
		if (this.dir)
			rmSync(this.dir, { recursive: true, force: true });
		this.dir = null;
		return problem;
	}
}
