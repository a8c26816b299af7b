#!/usr/bin/env bash
# Start or stop a throw-away Keystone for the API tests: Debian's python3-keystone
# (Zed) served by uwsgi (one process, no master) on a free 127.0.0.1 port, with
# its SQLite database, fernet and credential keys, config and logs all in DIR.
# Nothing in /etc is read or written, and nothing listens beyond loopback.
#
#   keystone_fixture.sh start DIR   DIR: absent or empty, named magnum-test-*
#                                   (under /tmp or a build directory). Writes
#                                   DIR/keystone.env (KS_URL, KS_ADMIN_USER,
#                                   KS_ADMIN_PASSWORD, KS_ADMIN_PROJECT, KS_PID,
#                                   KS_START_SECONDS) and DIR/keystone.pid.
#   keystone_fixture.sh stop DIR    stops that Keystone (by its PID, checked
#                                   against DIR) and removes DIR.
#
# With KEYSTONE_FIXTURE_OWNER=PID, a watchdog runs `stop DIR` once PID has
# ended: a test killed by a timeout leaves no Keystone behind.
# Exit status of start: 0, 1 on failure (the logs' tails are printed), 77 when
# the packages are not installed (scripts/deps.sh installs them).
set -euo pipefail
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

self=$(readlink -f "$0")
cmd=${1:-} dir=${2:-}

usage() {
	echo "usage: $0 start|stop DIR (DIR named magnum-test-*)" >&2
	exit 2
}

[ -n "$dir" ] || usage
case ${dir##*/} in magnum-test-*) ;; *) usage ;; esac
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac

t0=$(date +%s%N)
elapsed() {
	local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}
say() { echo "keystone_fixture: +$(elapsed)s $*"; }

# alive PID: the process exists and is not a zombie.
alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[ "${st:0:1}" != Z ]
}

# ours PID: the process is one this fixture started for DIR (guards against a
# recycled PID).
ours() {
	tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -e "$dir/" -e "$dir "
}

# stop_pid PID: TERM, up to 10 s, then KILL; only a process of ours.
stop_pid() {
	local pid=$1
	[ -n "$pid" ] && alive "$pid" && ours "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 100); do alive "$pid" || return 0; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	for _ in $(seq 50); do alive "$pid" || return 0; sleep 0.1; done
	echo "keystone_fixture: pid $pid does not end" >&2
	return 1
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# http_code URL: the status of a GET (000 when nothing answers).
http_code() {
	curl -s --noproxy '*' -o /dev/null -w '%{http_code}' -m 3 "$1" || true
}

show_logs() {
	local f
	for f in manage.log keystone.log uwsgi.log; do
		[ -s "$dir/$f" ] || continue
		echo "---- $f (tail) ----" >&2
		tail -n 25 "$dir/$f" >&2
	done
}

start() {
	local port pw url pid="" km attempt code=000 deadline owner=${KEYSTONE_FIXTURE_OWNER:-}

	for x in keystone-manage uwsgi curl; do
		command -v "$x" >/dev/null || {
			echo "keystone_fixture: $x not installed (scripts/deps.sh installs" \
			     "python3-keystone, uwsgi-core, uwsgi-plugin-python3)" >&2
			exit 77
		}
	done
	[ -e /usr/lib/uwsgi/plugins/python3_plugin.so ] && [ -x /usr/bin/keystone-wsgi-public ] || {
		echo "keystone_fixture: uwsgi-plugin-python3 or keystone-wsgi-public missing" >&2
		exit 77
	}
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd -P)
	[ -z "$(ls -A "$dir")" ] || { echo "keystone_fixture: $dir is not empty" >&2; exit 1; }
	chmod 700 "$dir"
	trap 'rc=$?; if [ $rc -ne 0 ]; then show_logs; stop_pid "$pid" || true; fi' EXIT

	pw=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
	port=$(free_port)
	url=http://127.0.0.1:$port
	cat >"$dir/keystone.conf" <<-EOF
	[DEFAULT]
	log_file = $dir/keystone.log
	use_stderr = false
	[database]
	connection = sqlite:///$dir/keystone.db
	[token]
	provider = fernet
	[fernet_tokens]
	key_repository = $dir/fernet-keys
	[fernet_receipts]
	key_repository = $dir/fernet-keys
	[credential]
	key_repository = $dir/credential-keys
	[cache]
	enabled = false
	[oslo_messaging_notifications]
	driver = noop
	[identity]
	# Test users only: cheap password hashes keep each login fast.
	password_hash_rounds = 4
	EOF
	km=(timeout 120 keystone-manage --config-file "$dir/keystone.conf")
	"${km[@]}" db_sync >"$dir/manage.log" 2>&1
	say "db_sync done"
	"${km[@]}" fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" \
		>>"$dir/manage.log" 2>&1
	"${km[@]}" credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" \
		>>"$dir/manage.log" 2>&1
	say "fernet and credential keys made"

	for attempt in 1 2 3; do
		# bootstrap: the admin user, project and roles (admin > member > reader),
		# RegionOne and the identity endpoints, all on this port.
		"${km[@]}" bootstrap --bootstrap-password "$pw" \
			--bootstrap-username admin --bootstrap-project-name admin \
			--bootstrap-role-name admin --bootstrap-region-id RegionOne \
			--bootstrap-admin-url "$url/v3/" --bootstrap-internal-url "$url/v3/" \
			--bootstrap-public-url "$url/v3/" >>"$dir/manage.log" 2>&1
		say "bootstrap done ($url)"
		# No core file: at exit a library Keystone loads aborts ("Accessing
		# state after destruction"), after the last request.
		(ulimit -c 0; exec uwsgi --plugin python3 --http-socket "127.0.0.1:$port" \
			--wsgi-file /usr/bin/keystone-wsgi-public --need-app \
			--processes 1 --threads 1 --die-on-term --buffer-size 65535 \
			--add-header "Connection: close" \
			--env "OS_KEYSTONE_CONFIG_FILES=$dir/keystone.conf") \
			</dev/null >>"$dir/uwsgi.log" 2>&1 &
		pid=$!
		echo "$pid" >"$dir/keystone.pid"
		deadline=$((SECONDS + 120))	# loading Keystone takes 2 s idle, more under load
		while [ $SECONDS -lt $deadline ]; do
			code=$(http_code "$url/v3")
			[ "$code" = 200 ] && break
			alive "$pid" || break
			sleep 0.1
		done
		[ "$code" = 200 ] && alive "$pid" && break
		if ! alive "$pid" && grep -q "Address already in use" "$dir/uwsgi.log"; then
			say "port $port taken meanwhile; another one"
			port=$(free_port)
			url=http://127.0.0.1:$port
			continue
		fi
		echo "keystone_fixture: Keystone did not answer on $url/v3 (last status $code)" >&2
		exit 1
	done
	[ "$code" = 200 ] || { echo "keystone_fixture: no free port" >&2; exit 1; }

	cat >"$dir/keystone.env" <<-EOF
	KS_URL=$url/v3
	KS_ADMIN_USER=admin
	KS_ADMIN_PASSWORD=$pw
	KS_ADMIN_PROJECT=admin
	KS_PID=$pid
	KS_START_SECONDS=$(elapsed)
	EOF
	if [ -n "$owner" ]; then
		(
			# read -t on a pipe nobody writes: a one-second wait without a
			# sleep child to leave behind when stop ends this watchdog.
			exec {tick}<> <(:)
			while kill -0 "$owner" 2>/dev/null && [ -e "$dir/keystone.pid" ]; do
				read -r -t 1 -u "$tick" _ || true
			done
			[ -e "$dir/keystone.pid" ] && exec "$self" stop "$dir"
		) </dev/null >/dev/null 2>&1 &
		echo $! >"$dir/watchdog.pid"
	fi
	say "Keystone (pid $pid) answering on $url/v3"
}

stop() {
	local pid
	[ -d "$dir" ] || exit 0
	dir=$(cd "$dir" && pwd -P)
	# Only a directory this fixture made.
	[ -e "$dir/keystone.conf" ] || [ -z "$(ls -A "$dir")" ] || {
		echo "keystone_fixture: $dir is not a fixture directory; left alone" >&2
		exit 1
	}
	pid=$(cat "$dir/keystone.pid" 2>/dev/null || true)
	stop_pid "$pid"
	pid=$(cat "$dir/watchdog.pid" 2>/dev/null || true)
	# The watchdog runs stop itself (exec): it does not end itself.
	[ "$pid" = "$$" ] || stop_pid "$pid"
	rm -rf "$dir"
	say "stopped"
}

case $cmd in
start) start ;;
stop) stop ;;
*) usage ;;
esac
