#!/bin/sh
# RPM %pre of swarmgate: the service account exists before the files are laid down, so that
# /var/lib/swarmgate and the configuration get their owner and group from the package itself.
getent group swarmgate >/dev/null || groupadd -r swarmgate
getent passwd swarmgate >/dev/null || \
  useradd -r -g swarmgate -d /var/lib/swarmgate -s /sbin/nologin -c "Swarmgate appliance" swarmgate
exit 0
