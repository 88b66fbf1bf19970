#!/bin/sh
# RPM %post of swarmgate ($1: how many versions are installed now, 1 on the first installation).
# The first installation prepares the appliance; enabling the service is the administrator's
# decision, as for every Fedora and RHEL package: the preset policy decides (disabled unless a
# preset file enables it).
if [ "$1" -eq 1 ]; then
  /usr/share/swarmgate/setup || exit 1
  if [ -d /run/systemd/system ]; then
    systemctl --no-reload preset swarmgate.service >/dev/null 2>&1 || :
  fi
  echo "Service: start it and enable it at boot with 'systemctl enable --now swarmgate'."
fi
exit 0
