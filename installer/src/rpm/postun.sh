#!/bin/sh
# RPM %postun of swarmgate ($1: versions left, 1 or more on upgrade). After an upgrade a running
# service is restarted, so the new version migrates the database as it starts. An erase keeps
# /var/lib/swarmgate, /etc/swarmgate and the account (RPM has no purge): docs/install.md says how
# to remove them.
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || :
  if [ "$1" -ge 1 ]; then
    systemctl try-restart swarmgate.service >/dev/null 2>&1 || :
  fi
fi
exit 0
