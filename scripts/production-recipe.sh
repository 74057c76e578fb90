#!/usr/bin/env bash
# CI: docs/production.md's recipe run word for word on this machine (issue 16): its install block, then two app
# servers and a reading worker, then checks through HTTP (readiness, a sign-in, an upload on one server, its
# download from the other, its reading by the worker), then its backup-and-restore block into a new database and bucket, whose restore runs `storage verify`
# and `audit verify`.
#
#   eval "$(bash scripts/s3-swift.sh start DIR)"; bash scripts/production-recipe.sh
#
# The lines are read from the page, not copied here; only what is the operator's own is replaced, each replacement
# listed below and required to match (a page that drifts fails this script). Needs root (the page's `apt-get`),
# PostgreSQL on 127.0.0.1:5432 with trust authentication for `postgres`, and S3_TEST_* from scripts/s3-swift.sh.
# It creates the roles minhchung_owner and minhchung_app and the databases minhchung and minhchung_new, refuses to
# run if one exists, and drops them at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${S3_TEST_ENDPOINT_URL:?start the S3 server first: eval \"\$(bash scripts/s3-swift.sh start DIR)\"}"

PG=(-h 127.0.0.1 -U postgres)
work=$(mktemp -d)
port_a=$((20000 + RANDOM % 5000)); port_b=$((port_a + 1))
admin_password="Recipe-$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')"

exists() { psql "${PG[@]}" -Atqc "$1" | grep -q 1; }
if exists "SELECT 1 FROM pg_database WHERE datname IN ('minhchung', 'minhchung_new')" \
  || exists "SELECT 1 FROM pg_roles WHERE rolname IN ('minhchung_owner', 'minhchung_app')"; then
  echo "production-recipe: the database or roles 'minhchung…' exist here; this script creates and drops them" >&2
  exit 1
fi
cleanup() {
  for pid in "$work"/*.pid; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true; done
  sleep 1
  dropdb "${PG[@]}" --if-exists minhchung 2>/dev/null || true
  dropdb "${PG[@]}" --if-exists minhchung_new 2>/dev/null || true
  psql "${PG[@]}" -qc "DROP ROLE IF EXISTS minhchung_app" -c "DROP ROLE IF EXISTS minhchung_owner" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# block WORDS: the ```sh block of docs/production.md that contains WORDS, with the operator's values replaced
block() {
  python3 - "$1" "$work" "$port_a" "$port_b" "$admin_password" <<'PYTHON'
import os, re, sys
words, work, port_a, port_b, password = sys.argv[1:]
blocks = [b for b in re.findall(r"```sh\n(.*?)```", open("docs/production.md", encoding="utf-8").read(), re.S) if words in b]
assert len(blocks) == 1, f"docs/production.md has {len(blocks)} sh blocks with {words!r}"
text = blocks[0]
server = 'gunicorn -c deploy/gunicorn.conf.py "evidence_app:create_app()"'
replacements = {
    "/opt/minhchung/venv": f"{work}/venv",                       # the venv, in this run's folder
    "sudo -u postgres psql": "psql -h 127.0.0.1 -U postgres",    # the superuser over TCP (trust) instead of peer
    "sudo -u postgres createdb": "createdb -h 127.0.0.1 -U postgres",
    "https://s3.example.vn": os.environ["S3_TEST_ENDPOINT_URL"],  # the Swift server of scripts/s3-swift.sh
    "YOUR_ACCESS_KEY": os.environ["S3_TEST_ACCESS_KEY"],
    "YOUR_SECRET_KEY": os.environ["S3_TEST_SECRET_KEY"],
    "/var/lib/minhchung": f"{work}/data",
    "/var/backups/minhchung": f"{work}/backups",
    "minhchung users create --username admin --role admin --unit gieng-day":  # the password it asks for
        f"minhchung users create --username admin --role admin --unit gieng-day --password '{password}'",
    server: "\n".join(  # two app servers, in the background
        f"gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:{port} --workers 2 --daemon --pid {work}/{name}.pid"
        f" --error-logfile {work}/{name}.log --access-logfile {work}/{name}-access.log \"evidence_app:create_app()\""
        for name, port in (("a", port_a), ("b", port_b))
    ),
    "minhchung reading worker": f"nohup minhchung reading worker > {work}/worker.log 2>&1 & echo $! > {work}/worker.pid",
}
required = {  # what each block must still say, or this script no longer follows the page
    "apt-get install": ["/opt/minhchung/venv", "sudo -u postgres psql", "https://s3.example.vn", "YOUR_ACCESS_KEY",
                        "YOUR_SECRET_KEY", "/var/lib/minhchung", "minhchung users create --username admin --role admin --unit gieng-day", server,
                        "minhchung reading worker"],
    "minhchung backup": ["sudo -u postgres createdb", "https://s3.example.vn", "/var/backups/minhchung"],
}[words]
missing = [old for old in required if old not in text]
if missing:
    sys.exit(f"production-recipe: docs/production.md's block no longer has {missing}; update this script")
for old, new in replacements.items():
    text = text.replace(old, new)
print("set -euxo pipefail\n" + text)
PYTHON
}

echo "== docs/production.md's install block; two app servers; checks through HTTP; its backup-and-restore block"
{
  block "apt-get install"
  cat <<CHECKS
for _ in \$(seq 60); do curl -fs http://127.0.0.1:$port_a/readyz >/dev/null && curl -fs http://127.0.0.1:$port_b/readyz >/dev/null && break; sleep 1; done
python scripts/production_checks.py http://127.0.0.1:$port_a http://127.0.0.1:$port_b admin '$admin_password' postgresql://minhchung_owner@127.0.0.1/minhchung
CHECKS
  block "minhchung backup"
} > "$work/recipe.sh"
bash "$work/recipe.sh"
count() { psql "${PG[@]}" -d "$1" -Atqc "SELECT count(*) FROM documents"; }
test "$(count minhchung_new)" = "$(count minhchung)"
echo "production-recipe: ok (install, two servers, sign-in, upload, download from the other, backup, restore, verifies)"
