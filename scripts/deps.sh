#!/usr/bin/env bash
# Install the Debian packages magnum-c needs to build, test and run.
#   scripts/deps.sh          build + run + test dependencies
# Idempotent: installs only what is missing.
set -euo pipefail

pkgs=(
	# build
	gcc cmake ninja-build pkg-config python3
	libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev libsqlite3-dev libpq-dev
	uuid-dev libssl-dev libcrypt-dev libcmocka-dev
	# run and test
	sqlite3 postgresql openssl curl procps iproute2
	# local backend: dockerd per node, busybox image, per-bay nftables, ext4 volumes on
	# loop devices, haproxy for multi-master bays, sshd in nodes
	docker.io busybox-static nftables iptables e2fsprogs haproxy openssh-server
	python3-magnumclient python3-openstackclient
	# cert_manager_type = barbican: tests/api/test_barbican.py runs Barbican's
	# modules itself (no barbican-api daemon); about 22 s to install
	python3-barbican
	# auth_strategy = keystone: tests/keystone_fixture.sh runs Debian's Keystone (Zed)
	# under uwsgi for tests/api/test_keystone.py (not the keystone service package)
	python3-keystone uwsgi-core uwsgi-plugin-python3
	# dashboard browser test (tests/browser: playwright-core from npm, Debian's browser)
	chromium nodejs
)
# npm: Debian's package, unless the installed nodejs (NodeSource's) already
# ships it; the two conflict.
command -v npm >/dev/null 2>&1 || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi
