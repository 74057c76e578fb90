#!/usr/bin/env bash
# A real S3 server on one machine, for tests: OpenStack Swift with its s3api middleware.
#
#   bash scripts/s3-swift.sh install        # as root, Debian 12; quick when already installed
#   eval "$(bash scripts/s3-swift.sh start DIR)"   # configs, rings, data and logs in DIR
#   bash scripts/s3-swift.sh stop DIR
#
# `start` prints only `export S3_TEST_...=...` lines on stdout (everything else goes to stderr).
# Swift runs on Debian's /usr/bin/python3, not the project's virtualenv.  Swift reads the hash
# prefix/suffix from the fixed path /etc/swift/swift.conf (Debian's package ships one); it is the
# only file ever written outside DIR, and only when it is missing.  No memcached runs, so the proxy
# log fills with harmless "memcached ... ECONNREFUSED/error-limited" lines (tempauth needs the
# cache middleware in the pipeline, not a running memcached).  See /work/shared/notes/s3-swift.md.
set -euo pipefail

PKGS=(swift swift-proxy swift-account swift-container swift-object)
SERVERS=(account container object proxy)
ACCESS_KEY="test:tester"
SECRET_KEY="testing"
REGION="us-east-1"
PY=/usr/bin/python3
RUN_USER=$(id -un)  # the servers drop privileges to this user

say() { printf 's3-swift: %s\n' "$*" >&2; }
die() { printf 's3-swift: error: %s\n' "$*" >&2; exit 1; }

usage() {
    cat >&2 <<'EOF'
usage: s3-swift.sh install | start DIR | stop DIR
  install    apt-get install the Swift servers (root, Debian 12)
  start DIR  write configs, rings and data into DIR, start the servers on free ports,
             wait for /healthcheck, print `export S3_TEST_*` lines for eval
  stop DIR   stop the servers started by `start DIR`
EOF
    exit 2
}

all_installed() {
    local p
    for p in "${PKGS[@]}"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || return 1
    done
}

cmd_install() {
    if all_installed; then
        say "Swift is already installed ($(dpkg-query -W -f='${Version}' swift-proxy))"
        return 0
    fi
    [ "$(id -u)" = 0 ] || die "install must run as root (apt-get install ${PKGS[*]})"
    export DEBIAN_FRONTEND=noninteractive
    # Without systemd, the packages' maintainer scripts may try to start the services through
    # invoke-rc.d before any configuration exists.  A policy-rc.d answering 101 forbids that;
    # install one for the duration of the install if the machine has none.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    if ! apt-cache show swift-proxy >/dev/null 2>&1; then
        say "package lists are missing or stale: apt-get update"
        apt-get update >&2
    fi
    if ! apt-get install -y --no-install-recommends "${PKGS[@]}" >&2; then
        say "install failed; retrying after apt-get update"
        apt-get update >&2
        apt-get install -y --no-install-recommends "${PKGS[@]}" >&2
    fi
    all_installed || die "apt-get finished but ${PKGS[*]} are not all installed"
    say "installed Swift $(dpkg-query -W -f='${Version}' swift-proxy)"
}

# pid of a server that `start DIR` started, if it still runs (checked by its command line, so a
# recycled pid is never taken for ours)
running_pid() {  # dir server
    local pidfile="$1/run/$2.pid" pid
    [ -f "$pidfile" ] || return 1
    pid=$(cat "$pidfile")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "swift-$2-server $1/etc/$2-server.conf" || return 1
    echo "$pid"
}

all_running() {  # dir
    local s
    for s in "${SERVERS[@]}"; do running_pid "$1" "$s" >/dev/null || return 1; done
}

free_ports() {  # print N distinct free TCP ports on 127.0.0.1
    "$PY" - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

healthy() {  # proxy_port [backend_port...]: GET /healthcheck on the proxy answers 200, backends accept
    "$PY" - "$@" <<'EOF' 2>/dev/null
import socket, sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthcheck", timeout=2) as r:
    if r.status != 200:
        sys.exit(1)
for port in sys.argv[2:]:
    socket.create_connection(("127.0.0.1", int(port)), timeout=2).close()
EOF
}

write_swift_conf() {
    local conf=/etc/swift/swift.conf
    if [ -f "$conf" ] && grep -q '^swift_hash_path_suffix' "$conf"; then
        return 0  # keep an existing hash prefix/suffix: changing them would orphan stored objects
    fi
    [ -w /etc ] || [ -d /etc/swift ] || die "cannot create /etc/swift (Swift reads /etc/swift/swift.conf); run as root"
    mkdir -p /etc/swift
    local prefix suffix
    prefix=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    suffix=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    cat >"$conf" <<EOF
[swift-hash]
swift_hash_path_prefix = $prefix
swift_hash_path_suffix = $suffix

[storage-policy:0]
name = gold
default = yes
EOF
    say "wrote $conf"
}

write_backend_conf() {  # name port dir
    local name=$1 port=$2 dir=$3
    cat >"$dir/etc/$name-server.conf" <<EOF
[DEFAULT]
devices = $dir/srv
mount_check = false
bind_ip = 127.0.0.1
bind_port = $port
workers = 0
user = $RUN_USER
swift_dir = $dir/etc
log_level = WARNING

[pipeline:main]
pipeline = $name-server

[app:$name-server]
use = egg:swift#$name
EOF
}

write_proxy_conf() {  # port dir
    local port=$1 dir=$2
    cat >"$dir/etc/proxy-server.conf" <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $port
workers = 0
user = $RUN_USER
swift_dir = $dir/etc
log_level = WARNING

[pipeline:main]
# slo and dlo are required by s3api for multipart uploads (NotImplemented without them)
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:s3api]
use = egg:swift#s3api
location = $REGION

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = $SECRET_KEY .admin

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:cache]
use = egg:swift#memcache

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo
EOF
}

build_rings() {  # dir account_port container_port object_port
    # One Python process instead of nine swift-ring-builder runs (about 1 s each); the same as
    # `swift-ring-builder X.builder create 6 1 1; ... add r1z1-127.0.0.1:PORT/d1 100; ... rebalance`.
    env -u PYTHONPATH -u PYTHONHOME "$PY" - "$@" <<'EOF' >&2 || die "building the Swift rings in $1/etc failed"
import os, sys
from swift.common.ring import RingBuilder
etc = os.path.join(sys.argv[1], "etc")
for kind, port in zip(("account", "container", "object"), sys.argv[2:5]):
    builder = RingBuilder(6, 1, 1)
    builder.add_dev({"region": 1, "zone": 1, "ip": "127.0.0.1", "port": int(port),
                     "device": "d1", "weight": 100})
    builder.rebalance()
    builder.save(os.path.join(etc, kind + ".builder"))
    builder.get_ring().save(os.path.join(etc, kind + ".ring.gz"))
EOF
}

print_exports() {  # port
    printf 'export S3_TEST_ENDPOINT_URL=http://127.0.0.1:%s\n' "$1"
    printf 'export S3_TEST_ACCESS_KEY=%s\n' "$ACCESS_KEY"
    printf 'export S3_TEST_SECRET_KEY=%s\n' "$SECRET_KEY"
    printf 'export S3_TEST_REGION=%s\n' "$REGION"
}

show_logs() {
    local dir=$1 s
    for s in "${SERVERS[@]}"; do
        if [ -s "$dir/log/$s.log" ]; then
            printf '\n--- tail of %s (memcached noise left out) ---\n' "$dir/log/$s.log" >&2
            grep -v memcached "$dir/log/$s.log" | tail -n 25 >&2 || true
        fi
    done
}

cmd_start() {
    [ $# -eq 1 ] || usage
    # stdout is meant for `eval "$(... start DIR)"`: on failure give eval a failing command, so the
    # caller does not carry on silently without S3_TEST_ENDPOINT_URL.
    trap 'rc=$?; [ $rc -eq 0 ] || echo "false  # s3-swift.sh start failed (exit $rc), see its messages"' EXIT
    local dir
    dir=$(realpath -m "$1")
    command -v swift-proxy-server >/dev/null && [ -x "$PY" ] \
        || die "Swift is not installed: run 'bash $0 install' first (as root)"
    mkdir -p "$dir/etc" "$dir/srv/d1" "$dir/log" "$dir/run"

    # Already running from an earlier `start DIR`?  Print the same exports again.
    if [ -f "$dir/run/proxy.port" ] && all_running "$dir" && healthy "$(cat "$dir/run/proxy.port")"; then
        say "already running (proxy on port $(cat "$dir/run/proxy.port")); 'stop $dir' to restart"
        print_exports "$(cat "$dir/run/proxy.port")"
        return 0
    fi
    cmd_stop "$dir" 2>/dev/null || true   # leftovers from a half-started run

    # The object server keeps metadata in extended attributes: fail early and clearly.
    "$PY" - "$dir/srv/d1" <<'EOF' || die "the filesystem of $dir does not support user extended attributes (xattr), which Swift's object server needs; choose a DIR on ext4/xfs/btrfs"
import os, sys, tempfile
with tempfile.NamedTemporaryFile(dir=sys.argv[1]) as f:
    os.setxattr(f.name, "user.swift.test", b"1")
EOF

    write_swift_conf
    local account_port container_port object_port proxy_port
    read -r account_port container_port object_port proxy_port < <(free_ports 4)

    write_backend_conf account "$account_port" "$dir"
    write_backend_conf container "$container_port" "$dir"
    write_backend_conf object "$object_port" "$dir"
    write_proxy_conf "$proxy_port" "$dir"
    build_rings "$dir" "$account_port" "$container_port" "$object_port"

    local s
    for s in "${SERVERS[@]}"; do
        # -v: log to the console (here: the log file) instead of syslog; workers = 0: one process,
        # so the pid we record is the server itself.
        env -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV \
            nohup "swift-$s-server" "$dir/etc/$s-server.conf" -v \
            </dev/null >"$dir/log/$s.log" 2>&1 &
        echo $! >"$dir/run/$s.pid"
    done
    echo "$proxy_port" >"$dir/run/proxy.port"
    say "started account:$account_port container:$container_port object:$object_port proxy:$proxy_port (logs in $dir/log)"

    local deadline=$((SECONDS + 60))
    until healthy "$proxy_port" "$account_port" "$container_port" "$object_port"; do
        for s in "${SERVERS[@]}"; do
            running_pid "$dir" "$s" >/dev/null || {
                show_logs "$dir"
                cmd_stop "$dir" 2>/dev/null || true
                die "swift-$s-server exited during start-up (log: $dir/log/$s.log)"
            }
        done
        if [ $SECONDS -ge $deadline ]; then
            show_logs "$dir"
            cmd_stop "$dir" 2>/dev/null || true
            die "Swift did not become ready within 60 s (proxy: GET http://127.0.0.1:$proxy_port/healthcheck; backends: ports $account_port $container_port $object_port)"
        fi
        sleep 0.3
    done
    say "healthy: http://127.0.0.1:$proxy_port (stop with: bash $0 stop $dir)"
    print_exports "$proxy_port" | tee "$dir/run/env.sh"
}

cmd_stop() {
    [ $# -eq 1 ] || usage
    local dir s pid i pids=()
    dir=$(realpath -m "$1")
    for s in "${SERVERS[@]}"; do
        if pid=$(running_pid "$dir" "$s"); then
            pids+=("$pid")
        fi
    done
    if [ ${#pids[@]} -gt 0 ]; then
        kill "${pids[@]}" 2>/dev/null || true  # all at once: each takes ~2 s to shut down
        for i in $(seq 100); do
            kill -0 "${pids[@]}" 2>/dev/null || break  # true while any is still alive
            sleep 0.1
        done
        for pid in "${pids[@]}"; do
            kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
        done
    fi
    for s in "${SERVERS[@]}"; do rm -f "$dir/run/$s.pid"; done
    rm -f "$dir/run/proxy.port" "$dir/run/env.sh"
    say "stopped ${#pids[@]} server(s) in $dir"
}

case "${1:-}" in
    install) shift; [ $# -eq 0 ] || usage; cmd_install ;;
    start) shift; cmd_start "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    *) usage ;;
esac
