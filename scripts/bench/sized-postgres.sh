#!/usr/bin/env bash
# A second Postgres 15 on this machine, configured as an operator would size one for Custody's
# history (docs/operators.md, Sizing), beside the machine's own server (default settings:
# shared_buffers 128 MB). The scale bench measured against both tells what the settings buy.
#
#   sudo bash scripts/bench/sized-postgres.sh start [port] [dir]   # initdb on first use, then start
#   sudo bash scripts/bench/sized-postgres.sh defaults [port] [dir] # restart with Postgres's defaults (the reference)
#   sudo bash scripts/bench/sized-postgres.sh stop [port] [dir]
#
# Then: DATABASE_URL=postgres://postgres@127.0.0.1:<port>/custody_sized npm run bench -- scale
# The settings are pgtune's for a 24 GB, 2-core machine with an SSD and mixed use (shared_buffers a
# quarter of memory, effective_cache_size three quarters), written to postgresql.auto.conf-like
# conf.d files so `defaults` can take them away without touching the data.
set -euo pipefail
cmd=${1:-start}
port=${2:-5433}
dir=${3:-/var/lib/custody-bench/pg$port}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
# Postgres keeps the descriptors it is started with: one held by a caller (the bench's
# `flock -x /tmp/custody-heavy.lock`) would stay locked for as long as this server runs.
for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null || true
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi; }

if [ ! -f "$dir/PG_VERSION" ]; then
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$(dirname "$dir")" "$dir"
  as_pg "$bin/initdb -D $dir -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
  mkdir -p "$dir/conf.d"
  [ "$(id -u)" = 0 ] && chown postgres "$dir/conf.d"
  cat >>"$dir/postgresql.conf" <<EOF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
include_dir = 'conf.d'
EOF
fi

sized() {
  mem_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
  cores=$(nproc)
  cat <<EOF
# Sized for this machine: $((mem_kb / 1024 / 1024)) GB, $cores cores (scripts/bench/sized-postgres.sh).
shared_buffers = $((mem_kb / 4 / 1024))MB
effective_cache_size = $((mem_kb * 3 / 4 / 1024))MB
maintenance_work_mem = 1GB
work_mem = 16MB
wal_buffers = 16MB
min_wal_size = 1GB
max_wal_size = 8GB
checkpoint_completion_target = 0.9
random_page_cost = 1.1
effective_io_concurrency = 200
max_worker_processes = $cores
max_parallel_workers = $cores
max_parallel_workers_per_gather = $(( cores / 2 > 0 ? cores / 2 : 1 ))
EOF
}

case "$cmd" in
  start)
    sized >"$dir/conf.d/sized.conf"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/conf.d/sized.conf"
    as_pg "$bin/pg_ctl -D $dir -l $dir/server.log -w restart" >/dev/null 2>&1 || as_pg "$bin/pg_ctl -D $dir -l $dir/server.log -w start" >/dev/null
    ;;
  defaults)
    rm -f "$dir/conf.d/sized.conf"
    as_pg "$bin/pg_ctl -D $dir -l $dir/server.log -w restart" >/dev/null
    ;;
  stop)
    as_pg "$bin/pg_ctl -D $dir -w stop" >/dev/null
    exit 0
    ;;
  *) echo "usage: $0 start|defaults|stop [port] [dir]" >&2; exit 2 ;;
esac
psql -h 127.0.0.1 -p "$port" -U postgres -Atc "select 'postgres on $port: shared_buffers ' || current_setting('shared_buffers') || ', effective_cache_size ' || current_setting('effective_cache_size') || ', random_page_cost ' || current_setting('random_page_cost')"
