// csr.js - a PKCS#10 certificate signing request made in the browser:
// an ECDSA P-256 key from WebCrypto, a small DER writer, the request signed
// with ECDSA SHA-256 (WebCrypto's raw r||s turned into a DER Ecdsa-Sig-Value),
// and PEM armour. Also a small DER reader for a certificate's subject and
// validity (enough for the CA view).

// --- DER writer ---

function derLength(n) {
	if (n < 0x80)
		return [n];
	const out = [];
	for (; n > 0; n >>= 8)
		out.unshift(n & 0xff);
	return [0x80 | out.length, ...out];
}

export function tlv(tag, content) {
	const c = content instanceof Uint8Array ? content : Uint8Array.from(content);
	const len = derLength(c.length);
	const out = new Uint8Array(1 + len.length + c.length);
	out[0] = tag;
	out.set(len, 1);
	out.set(c, 1 + len.length);
	return out;
}

export function concat(...parts) {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let o = 0;
	for (const p of parts) {
		out.set(p, o);
		o += p.length;
	}
	return out;
}

export const seq = (...items) => tlv(0x30, concat(...items));
export const set = (...items) => tlv(0x31, concat(...items));

// INTEGER from big-endian unsigned bytes: minimal, with a 0x00 when the top bit is set.
export function uint(bytes) {
	let i = 0;
	while (i < bytes.length - 1 && bytes[i] === 0)
		i++;
	const b = bytes.slice(i);
	return tlv(0x02, b[0] & 0x80 ? concat(Uint8Array.of(0), b) : b);
}

export function oid(dotted) {
	const p = dotted.split('.').map(Number);
	const out = [40 * p[0] + p[1]];
	for (const v of p.slice(2)) {
		const b = [v & 0x7f];
		for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128))
			b.unshift(0x80 | (x & 0x7f));
		out.push(...b);
	}
	return tlv(0x06, out);
}

const utf8 = (s) => tlv(0x0c, new TextEncoder().encode(s));

export const OID = {
	commonName: '2.5.4.3',
	organizationName: '2.5.4.10',
	ecdsaWithSHA256: '1.2.840.10045.4.3.2',
};

// Name with one RDN per attribute: [[oid, value], ...]
export function name(attrs) {
	return seq(...attrs.map(([o, v]) => set(seq(oid(o), utf8(v)))));
}

// WebCrypto's raw ECDSA signature (r || s, 32 bytes each for P-256) as DER.
export function ecdsaRawToDer(raw) {
	const r = new Uint8Array(raw);
	const half = r.length / 2;
	return seq(uint(r.slice(0, half)), uint(r.slice(half)));
}

// --- PEM ---

export function pem(label, der) {
	const bytes = new Uint8Array(der);
	let bin = '';
	for (const b of bytes)
		bin += String.fromCharCode(b);
	const b64 = btoa(bin).replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
	return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export function unpem(text) {
	const m = String(text).match(/-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/);
	if (!m)
		throw new Error('not a PEM document');
	const bin = atob(m[1].replace(/\s+/g, ''));
	return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

// --- the request ---

// A fresh P-256 key and a CSR for it with subject CN=cn (and O=org if given).
// Resolves {csrPem, keyPem} (the key as PKCS#8 PEM).
export async function makeCsr(cn, org) {
	const subtle = crypto.subtle;
	if (!subtle)
		throw new Error('WebCrypto is not available (the page must be served from localhost or HTTPS).');
	const kp = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
	const spki = new Uint8Array(await subtle.exportKey('spki', kp.publicKey));
	const subject = [[OID.commonName, cn]];
	if (org)
		subject.push([OID.organizationName, org]);
	const info = seq(uint(Uint8Array.of(0)), name(subject), spki, tlv(0xa0, []));
	const sig = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, kp.privateKey, info);
	const algo = seq(oid(OID.ecdsaWithSHA256));
	const bitString = tlv(0x03, concat(Uint8Array.of(0), ecdsaRawToDer(sig)));
	const csr = seq(info, algo, bitString);
	const pkcs8 = await subtle.exportKey('pkcs8', kp.privateKey);
	return { csrPem: pem('CERTIFICATE REQUEST', csr), keyPem: pem('PRIVATE KEY', pkcs8) };
}

// --- DER reader (certificate subject, issuer, validity) ---

function read(buf, off) {
	const tag = buf[off];
	let len = buf[off + 1], hdr = 2;
	if (len & 0x80) {
		const n = len & 0x7f;
		len = 0;
		for (let i = 0; i < n; i++)
			len = len * 256 + buf[off + 2 + i];
		hdr += n;
	}
	return { tag, start: off + hdr, end: off + hdr + len };
}

function children(buf, node) {
	const out = [];
	for (let o = node.start; o < node.end;) {
		const c = read(buf, o);
		out.push(c);
		o = c.end;
	}
	return out;
}

function oidText(buf, n) {
	const b = buf.slice(n.start, n.end);
	const out = [Math.floor(b[0] / 40), b[0] % 40];
	let v = 0;
	for (const x of b.slice(1)) {
		v = v * 128 + (x & 0x7f);
		if (!(x & 0x80)) {
			out.push(v);
			v = 0;
		}
	}
	return out.join('.');
}

const SHORT = { '2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.6': 'C', '2.5.4.7': 'L',
	'2.5.4.8': 'ST' };

function nameText(buf, n) {
	return children(buf, n).map((rdn) => children(buf, rdn).map((atv) => {
		const [o, v] = children(buf, atv);
		const k = oidText(buf, o);
		return `${SHORT[k] || k}=${new TextDecoder().decode(buf.slice(v.start, v.end))}`;
	}).join('+')).join(', ');
}

function timeText(buf, n) {
	const s = new TextDecoder().decode(buf.slice(n.start, n.end));
	const full = n.tag === 0x17 ? (Number(s.slice(0, 2)) >= 50 ? '19' : '20') + s : s;
	return `${full.slice(0, 4)}-${full.slice(4, 6)}-${full.slice(6, 8)} ` +
		`${full.slice(8, 10)}:${full.slice(10, 12)}:${full.slice(12, 14)} UTC`;
}

// {subject, issuer, notBefore, notAfter} of a PEM certificate; throws on garbage.
export function certInfo(certPem) {
	const buf = unpem(certPem);
	const cert = read(buf, 0);
	const tbs = children(buf, children(buf, cert)[0]);
	const i = tbs[0].tag === 0xa0 ? 1 : 0;	// [0] version is optional
	const validity = children(buf, tbs[i + 3]);
	return {
		issuer: nameText(buf, tbs[i + 2]),
		notBefore: timeText(buf, validity[0]),
		notAfter: timeText(buf, validity[1]),
		subject: nameText(buf, tbs[i + 4]),
	};
}
