# Sourced by the scripts/ensure-*.sh scripts: installs Debian packages quietly, showing apt's output
# only when it fails. Needs apt-get and root (or sudo), as on CI.
#   apt_install <who is asking> <package>...
#   $SUDO is set for the caller (empty when root, "sudo" otherwise).

SUDO=
apt_install() {
  local who=$1
  shift
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$who: $* missing and apt-get is not available; install it by hand." >&2
    return 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO=sudo
    else
      echo "$who: installing $* needs root (or sudo)." >&2
      return 1
    fi
  fi
  local log
  log=$(mktemp)
  echo "$who: installing Debian's $* package (once)…" >&2
  if ! { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "$who: apt-get failed (output above)." >&2
    return 1
  fi
  rm -f "$log"
}
