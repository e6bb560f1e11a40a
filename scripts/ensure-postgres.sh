#!/usr/bin/env bash
# Makes sure Debian's PostgreSQL server is installed (the `postgresql` package: 15 on Debian 12) and
# prints its bin dir, e.g. /usr/lib/postgresql/15/bin, on stdout; messages go to stderr. Idempotent:
# returns at once when a server is already there. Installing needs root (or sudo) and apt, as on CI.
# We never use the package's own cluster: scripts/postgres-server.ts runs `postgres` on a data dir of
# its own, so the install is kept from starting the system service.
set -euo pipefail

# The newest installed major that has the server binaries (postgresql-client alone brings psql, not these).
find_bin_dir() {
  printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k4,4n | while read -r dir; do
    if [ -x "$dir/postgres" ] && [ -x "$dir/initdb" ]; then echo "$dir"; fi
  done | tail -n 1
}

bin_dir=$(find_bin_dir)
if [ -n "$bin_dir" ]; then
  echo "$bin_dir"
  exit 0
fi

. "$(dirname "$0")/lib/apt-install.sh"
# A policy-rc.d that answers 101 keeps invoke-rc.d from starting the package's cluster during the install
# (Docker-style images ship one already; add ours only for the install when there is none).
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
  as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root sh -c "printf '#!/bin/sh\nexit 101\n' >$POLICY && chmod 755 $POLICY"
  trap 'as_root rm -f "$POLICY"' EXIT
fi
apt_install ensure-postgres postgresql

bin_dir=$(find_bin_dir)
if [ -z "$bin_dir" ]; then
  echo "ensure-postgres: the postgresql package installed, but no /usr/lib/postgresql/*/bin/postgres is there." >&2
  exit 1
fi
echo "ensure-postgres: $("$bin_dir/postgres" --version) installed." >&2
echo "$bin_dir"
