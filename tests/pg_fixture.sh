#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL (Debian's package) on a free loopback
# port for the API tests. The server runs as the "postgres" system user from a
# data directory under /tmp with the prefix magnum-test-pg-.
#   pg_fixture.sh start STATEFILE   writes "DSN DIR PID" to STATEFILE
#   pg_fixture.sh stop STATEFILE    stops that server (by PID) and removes DIR
set -euo pipefail
cmd=$1 state=$2
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

case $cmd in
start)
	[ -x "$bindir/initdb" ] || { echo "pg_fixture: PostgreSQL server not installed"; exit 1; }
	dir=$(mktemp -d /tmp/magnum-test-pg-XXXXXX)
	chmod 755 "$dir"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	asuser=()
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres "$dir"
		asuser=(runuser -u postgres --)
	fi
	"${asuser[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
	"${asuser[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
		start >/dev/null
	pid=$(head -1 "$dir/data/postmaster.pid")
	echo "postgresql://postgres@127.0.0.1:$port/postgres $dir $pid" >"$state"
	echo "pg_fixture: PostgreSQL on 127.0.0.1:$port (pid $pid)"
	;;
stop)
	[ -f "$state" ] || exit 0
	read -r dsn dir pid <"$state"
	if [ -n "${pid:-}" ] && kill -0 "$pid" 2>/dev/null; then
		kill -INT "$pid"	# fast shutdown
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
	case $dir in /tmp/magnum-test-pg-*) rm -rf "$dir" ;; esac
	rm -f "$state"
	echo "pg_fixture: stopped"
	;;
esac
