#!/usr/bin/env bash
# Builds (once) the root file system of the systemd test host: Debian bookworm with systemd,
# systemd-nspawn/machined, iproute2, busybox and Nix from Debian's packages, as a tarball in
# $NC_HARNESS_CACHE (default /var/cache/nixos-container-tests). Extracting the tarball takes
# under a second; debootstrap takes a minute or two, so the tarball is kept between runs.
# Prints the tarball's path. Safe to run again; rebuilds when this script changes.
set -euo pipefail
cache=${NC_HARNESS_CACHE:-/var/cache/nixos-container-tests}
version=$(sha256sum "$0" | cut -c1-12)
tarball=$cache/systemd-host-$version.tar
if [ -s "$tarball" ]; then echo "$tarball"; exit 0; fi

if ! command -v debootstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
mkdir -p "$cache"
rm -f "$cache"/systemd-host-*.tar  # older versions of this script's output
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
# nix-bin's Recommends (nix-setup-systemd) is deliberately left out: its nixbld group would
# chgrp the shared /nix/store of the machine running the tests.
debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,systemd-container,dbus,iproute2,busybox-static,nix-bin,libdbi-perl,procps \
  bookworm "$work/root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }

root=$work/root
# A fresh identity on every boot, no network configuration to wait for, root without password.
rm -f "$root/etc/hostname" "$root/var/lib/dbus/machine-id"
: >"$root/etc/machine-id"
mkdir -p "$root/etc/nix"
cat >"$root/etc/nix/nix.conf" <<'CONF'
build-users-group =
substituters =
sandbox = false
CONF
chroot "$root" passwd -d root >/dev/null
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/*
tar -C "$root" -cf "$tarball.tmp" .
mv "$tarball.tmp" "$tarball"
echo "$tarball"
