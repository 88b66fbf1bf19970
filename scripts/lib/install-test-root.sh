# The Debian root of scripts/test-install, sourced by it: taking down what a killed run left
# mounted, and the Debian mirror to build the root from. Uses the caller's say.

# Unmounts everything mounted at or below $1 (deepest first); true when nothing is left mounted.
unmount_under() {
  local m
  for m in $(awk -v w="$1" '$2 == w || index($2, w "/") == 1 { print $2 }' /proc/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" || true
  done
  ! awk -v w="$1" '$2 == w || index($2, w "/") == 1 { found = 1 } END { exit !found }' /proc/mounts
}

# A run that was killed (SIGKILL skips the cleanup below) leaves its root mounted, and perhaps an
# appliance running in it. Each run names its owner in owner.pid; a dead owner's root is taken
# down here: its processes killed, its mounts undone. One without owner.pid counts as dead once it
# is 10 minutes old (a run writes it right after mounting).
remove_stale_roots() {
  local stale owner proc
  for stale in /var/tmp/swarmgate-install-test.*; do
    [ -d "$stale" ] || continue
    owner=$(cat "$stale/owner.pid" 2>/dev/null || true)
    if [ -n "$owner" ]; then
      ! kill -0 "$owner" 2>/dev/null || continue
    elif [ $(( $(date +%s) - $(stat -c %Y "$stale") )) -lt 600 ]; then
      continue
    fi
    for proc in /proc/[0-9]*; do
      case "$(readlink "$proc/root" 2>/dev/null)" in "$stale"/*) kill -KILL "${proc#/proc/}" 2>/dev/null || true ;; esac
    done
    if unmount_under "$stale" && rm -rf --one-file-system "$stale"; then
      say "removed the root of an earlier run that was killed: $stale"
    else
      echo "test-install: $stale (an earlier, killed run's) is still mounted; left in place" >&2
    fi
  done
}

# The Debian mirror: DEBIAN_MIRROR, else the one apt on this machine uses for bookworm.
mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local m
  # One-line sources ("deb [options] URI bookworm main"), then deb822 stanzas whose Suites name bookworm.
  m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    sed -E 's/\[[^]]*\] *//' | awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }')
  if [ -z "$m" ]; then
    m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
      BEGIN { RS = ""; FS = "\n" }
      /(^|\n)Suites:([^\n]* )?bookworm( |\n|$)/ && !/(^|\n)Enabled: *no/ {
        for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, u, /[ \t]+/); print u[2]; exit } }')
  fi
  echo "${m:-http://deb.debian.org/debian}"
}
