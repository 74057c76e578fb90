#!/usr/bin/env bash
# Fuzz /api/v1 with schemathesis: the app from this checkout under gunicorn on PostgreSQL, with the demo wards,
# their ten weeks of history plus one more upload and an administrator's API token. Fails on any 5xx, on any response the
# OpenAPI document does not describe (status code, content type, headers, body), and unless the two key writes (upload,
# decision) each succeeded at least once: scripts/fuzz_hooks.py makes some of their requests valid with live data, and
# scripts/fuzz_exercised.py reads schemathesis' HAR report.
#
#   bash scripts/fuzz-api.sh DATABASE [EXAMPLES]
#
# DATABASE is emptied (dropped and created again) on the PostgreSQL server at $PGHOST:$PGPORT (default
# 127.0.0.1:5432, user $PGUSER or postgres). EXAMPLES bounds the test cases per operation (default 100).
set -euo pipefail
db="${1:?usage: scripts/fuzz-api.sh DATABASE [EXAMPLES]}"
examples="${2:-100}"
cd "$(dirname "$0")/.."
repo=$(pwd)
host="${PGHOST:-127.0.0.1}" port="${PGPORT:-5432}" user="${PGUSER:-postgres}"

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

dropdb --if-exists -h "$host" -p "$port" -U "$user" "$db"
createdb -h "$host" -p "$port" -U "$user" "$db"
export DATABASE_URL="postgresql+psycopg://$user@$host:$port/$db"
export MINHCHUNG_DATA_DIR="$work/data"
export SECRET_KEY="fuzzing-only-$(python3 -c 'import secrets; print(secrets.token_hex(24))')"

# `python -c` puts this checkout first on sys.path, so its code runs even where another copy is installed.
minhchung() { python -c 'from evidence_app.cli import main; main()' "$@"; }

echo "== demo ward on $db"
minhchung demo --no-serve >/dev/null
python - "$work/ke-hoach.pdf" <<'EOF'
import sys
from pypdf import PdfWriter
writer = PdfWriter()
writer.add_blank_page(width=595, height=842)
with open(sys.argv[1], "wb") as f:
    writer.write(f)
EOF
minhchung upload "$work/ke-hoach.pdf" --item CCHC-1.1-a --user cb-vp-tk --number 01/BC-UBND --sent-date 10/03/2024 >/dev/null
token=$(minhchung tokens create --user admin --name fuzzing)
staff_token=$(minhchung tokens create --user cb-vp-tk --name fuzzing)

free_port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python -m gunicorn --workers 2 --bind "127.0.0.1:$free_port" --log-level warning "evidence_app:create_app()" \
  >"$work/gunicorn.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$free_port/api/v1"
for _ in $(seq 60); do
  python -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$base/openapi.json" \
    2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/gunicorn.log"; exit 1; }
  sleep 1
done

echo "== schemathesis against $base ($examples examples per operation)"
status=0
# from the temporary folder, where schemathesis leaves its cache
(cd "$work" && PYTHONPATH="$repo/scripts" SCHEMATHESIS_HOOKS=fuzz_hooks \
  FUZZ_BASE_URL="$base" FUZZ_TOKEN="$token" FUZZ_STAFF_TOKEN="$staff_token" \
  schemathesis run "$base/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "$examples" --seed 1 --workers 1 --request-timeout 30 \
  --report har --report-har-path "$work/fuzz.har") || status=$?
echo "== the two key writes, by status code"
python scripts/fuzz_exercised.py "$work/fuzz.har" || status=1
if [ "$status" -ne 0 ] && [ -s "$work/gunicorn.log" ]; then
  echo "== gunicorn's log"; tail -n 200 "$work/gunicorn.log"
fi
exit "$status"
