"""clusterdb - read and nudge a test magnumd's store directly (SQLite file or
the PostgreSQL test database), for the cluster and bay tests.

Nothing in magnumd completes a create yet (the conductor issue will), so the
tests that need a stable cluster put it there themselves: settle() plays the
conductor's part and marks the cluster, its groups and its jobs finished.
"""
import json
import os
import sqlite3
import subprocess


def _pg(mg):
    return mg.db_url and mg.db_url.startswith("postgres")


def _quote(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def query(mg, sql, params=()):
    """Run sql with '?' placeholders; returns the rows as lists of strings/ints."""
    if _pg(mg):
        parts = sql.split("?")
        assert len(parts) == len(params) + 1, sql
        text = parts[0] + "".join(_quote(p) + rest for p, rest in zip(params, parts[1:]))
        p = subprocess.run(["psql", "-qAt", "-v", "ON_ERROR_STOP=1", mg.db_url, "-c", text],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("psql: " + p.stderr)
        return [line.split("|") for line in p.stdout.splitlines() if line]
    con = sqlite3.connect(os.path.join(mg.dir, "state", "magnum.sqlite"), timeout=30)
    try:
        rows = [list(r) for r in con.execute(sql, params).fetchall()]
        con.commit()
        return rows
    finally:
        con.close()


def count(mg, sql, params=()):
    return int(query(mg, sql, params)[0][0])


def settle(mg, uuid, status="CREATE_COMPLETE", api_address=None):
    """Play the conductor: the cluster, its groups and its jobs are done."""
    query(mg, "UPDATE clusters SET status = ?, api_address = ? WHERE uuid = ?",
          (status, api_address, uuid))
    query(mg, "UPDATE nodegroups SET status = ? WHERE cluster_id = ?", (status, uuid))
    query(mg, "UPDATE jobs SET state = 'done' WHERE cluster_uuid = ? AND "
              "state IN ('pending', 'running', 'held')", (uuid,))


def block(mg, uuid):
    """A running job with a far lease: later jobs of the cluster wait behind it."""
    query(mg, "INSERT INTO jobs (cluster_uuid, kind, state, attempts, lease_owner, "
              "lease_expires, created_at) VALUES (?, 'update', 'running', 1, 'test', "
              "9999999999, '2020-01-01T00:00:00+00:00')", (uuid,))


def unblock(mg, uuid):
    query(mg, "UPDATE jobs SET state = 'done' WHERE cluster_uuid = ? AND lease_owner = 'test'",
          (uuid,))


def jobs(mg, uuid):
    """[(kind, state, payload)] of the cluster, oldest first."""
    rows = query(mg, "SELECT kind, state, payload FROM jobs WHERE cluster_uuid = ? AND "
                     "(lease_owner IS NULL OR lease_owner <> 'test') ORDER BY id", (uuid,))
    return [(r[0], r[1], json.loads(r[2]) if r[2] else None) for r in rows]


def rows(mg, table):
    return count(mg, "SELECT COUNT(*) FROM %s" % table)
