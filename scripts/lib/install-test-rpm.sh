# The RPM half of scripts/test-install, sourced by it: metadata, requirements, scriptlets and the
# file list with rpm -qp (the same files as the .deb), then an installation into an empty --root
# for the layout and modes. Uses the caller's say/fail/ok, $rpm_file, $deb, $deb_version, $work
# and $repo; leaves the installed root in $rpm_root for the units' checks.

check_rpm() {
  say "$(basename "$rpm_file")"
  rq() { rpm -qp --nosignature --qf "$1" "$rpm_file" 2>/dev/null; }
  package_version=${deb_version}
  [ "$(rq '%{NAME} %{VERSION} %{RELEASE} %{ARCH}')" = "swarmgate $package_version 1 noarch" ] ||
    fail "RPM name/version/release/arch: $(rq '%{NAME} %{VERSION} %{RELEASE} %{ARCH}')"
  requires=$(rq '[%{REQUIRENAME} %{REQUIREFLAGS:deptype} %{REQUIREFLAGS:depflags} %{REQUIREVERSION}\n]')
  grep -qx 'java-headless manual >= 1:17' <<<"$requires" || fail "RPM does not require java-headless >= 1:17: $requires"
  grep -q '^shadow-utils prereq' <<<"$requires" || fail "RPM does not require shadow-utils before installation: $requires"
  grep -q '^util-linux ' <<<"$requires" || fail "RPM does not require util-linux (runuser): $requires"
  ok "RPM metadata and requirements"
  for s in PREIN POSTIN PREUN POSTUN; do
    rq "%{$s}" >"$work/$s.sh"
    sh -n "$work/$s.sh" || fail "RPM %$s is not valid sh"
  done
  grep -q 'useradd -r' "$work/PREIN.sh" || fail "RPM %pre does not create the service account"
  grep -q '/usr/share/swarmgate/setup' "$work/POSTIN.sh" || fail "RPM %post does not prepare the appliance"
  ! grep -v -E '^\s*(#|echo )' "$work/POSTIN.sh" | grep -q 'systemctl.* enable' || fail "RPM %post enables the service (Fedora policy leaves that to the admin)"
  grep -q 'disable --now' "$work/PREUN.sh" || fail "RPM %preun does not stop the service on erase"
  grep -q 'try-restart' "$work/POSTUN.sh" || fail "RPM %postun does not restart the service after an upgrade"
  ok "RPM scriptlets"
  flags=$(rq '[%{FILENAMES} %{FILEFLAGS:fflags}\n]')
  grep -qx '/etc/swarmgate/swarmgate.conf cn' <<<"$flags" || fail "swarmgate.conf is not %config(noreplace) in the RPM"
  # Both packages ship the same files; only the unit's directory differs between the distributions.
  rpm -qlp --nosignature "$rpm_file" 2>/dev/null | grep -v '^/var/lib/swarmgate$' | sort >"$work/rpm-files"
  dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' |
    sed 's|^/lib/systemd/system/|/usr/lib/systemd/system/|' | sort >"$work/deb-files"
  rpm -qlp --nosignature "$rpm_file" 2>/dev/null | grep -qx /var/lib/swarmgate || fail "the RPM does not own /var/lib/swarmgate"
  comm -3 "$work/deb-files" <(grep -v -x -e /usr/share/swarmgate -e /etc/swarmgate -e /usr/share/doc/swarmgate \
    -e /usr/share/doc/swarmgate/images -e /usr/share/doc/swarmgate/examples "$work/rpm-files") >"$work/files-differ"
  [ ! -s "$work/files-differ" ] || { cat "$work/files-differ" >&2; fail "the .deb and the .rpm ship different files (above)"; }
  ok "RPM file list: %config(noreplace) swarmgate.conf, the same files as the .deb"

  rpm_root="$work/rpm-root"
  mkdir -p "$rpm_root"
  rpm --root "$rpm_root" --initdb
  # No shell or shadow tools in an empty root: no scripts, no dependencies; the account does not
  # exist there, so rpm falls back to root for its files (and says so).
  rpm --root "$rpm_root" -i --nodeps --noscripts --nosignature "$repo/$rpm_file" 2>"$work/rpm-install.log" ||
    { cat "$work/rpm-install.log" >&2; fail "rpm -i into an empty root failed"; }
  rpm_mode() { stat -c '%a' "$rpm_root$1"; }
  [ "$(rpm_mode /etc/swarmgate/swarmgate.conf)" = 640 ] || fail "RPM swarmgate.conf mode $(rpm_mode /etc/swarmgate/swarmgate.conf)"
  [ "$(rpm_mode /var/lib/swarmgate)" = 700 ] || fail "RPM /var/lib/swarmgate mode $(rpm_mode /var/lib/swarmgate)"
  [ "$(rpm_mode /usr/bin/swarmgate)" = 755 ] || fail "RPM /usr/bin/swarmgate mode $(rpm_mode /usr/bin/swarmgate)"
  [ "$(rpm_mode /usr/share/swarmgate/setup)" = 755 ] || fail "RPM setup mode $(rpm_mode /usr/share/swarmgate/setup)"
  for f in /usr/share/swarmgate/swarmgate.jar /usr/lib/systemd/system/swarmgate.service /usr/share/man/man1/swarmgate.1.gz \
           /usr/share/bash-completion/completions/swarmgate /usr/share/doc/swarmgate/copyright \
           /usr/share/doc/swarmgate/examples/haproxy.cfg.example; do
    [ -f "$rpm_root$f" ] || fail "$f is missing after rpm -i"
  done
  grep -qx 'data.dir = /var/lib/swarmgate' "$rpm_root/etc/swarmgate/swarmgate.conf" || fail "RPM swarmgate.conf does not set the data directory"
  ok "rpm -i into an empty root: layout and modes"
}
