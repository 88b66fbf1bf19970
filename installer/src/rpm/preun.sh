#!/bin/sh
# RPM %preun of swarmgate ($1: versions left after this operation, 0 on erase): an erase stops
# and disables the service; an upgrade leaves it to %postun.
if [ "$1" -eq 0 ] && [ -d /run/systemd/system ]; then
  systemctl --no-reload disable --now swarmgate-backup.timer swarmgate.service >/dev/null 2>&1 || :
fi
exit 0
