#!/usr/bin/env bash
# Builds (once) the root file system of the remote test host for --host (test/remote-hosts.test.ts):
# the systemd test host's image (build-rootfs.sh, left unchanged so the other suites keep their
# cached tarball) plus openssh-server, with no host keys (each test run makes its own) and ssh.service
# disabled (the test starts sshd with its own options). Cached next to the base tarball; prints its path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${NC_HARNESS_CACHE:-/var/cache/nixos-container-tests}
base=$(bash "$here/build-rootfs.sh")
version=$(cat "$0" "$here/build-rootfs.sh" | sha256sum | cut -c1-12)
tarball=$cache/sshhost-$version.tar
if [ -s "$tarball" ]; then echo "$tarball"; exit 0; fi

rm -f "$cache"/sshhost-*.tar  # older versions of this script's output, never the base image
work=$(mktemp -d "$cache/build-ssh.XXXXXX")
trap 'umount "$work/root/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
root=$work/root
mkdir "$root"
tar -C "$root" -xf "$base"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# No service may start while the package installs in the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
{
  chroot "$root" apt-get update -qq &&
  DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends openssh-server
} >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; exit 1; }
umount "$root/proc"
chroot "$root" systemctl disable ssh.service >/dev/null 2>&1 || true
rm -f "$root/usr/sbin/policy-rc.d" "$root"/etc/ssh/ssh_host_* "$root/etc/resolv.conf"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/*
tar -C "$root" -cf "$tarball.tmp" .
mv "$tarball.tmp" "$tarball"
echo "$tarball"
