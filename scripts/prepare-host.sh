#!/usr/bin/env bash
# Prepares a Debian/Ubuntu machine (as root) to build, test and demo nixos-container:
# Nix, systemd-nspawn and friends from the distribution, the npm dependencies (which bring a
# current Node), sudo (whose visudo checks the sudoers examples in docs/containers.md), and the
# tmpfs systemd-nspawn wants on /run/systemd/nspawn. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(nix-bin sudo systemd-container busybox-static iproute2 iputils-ping util-linux e2fsprogs gcc libc6-dev debootstrap man-db groff-base)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# systemd-nspawn refuses to run unless /run/systemd/nspawn is on a tmpfs of its own here.
if ! mountpoint -q /run/systemd/nspawn; then
  mkdir -p /run/systemd/nspawn
  mount -t tmpfs -o mode=0755 tmpfs /run/systemd/nspawn
fi

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# The root file system of the systemd test host (test/helpers/systemd-host.ts): built once with
# debootstrap (a minute or two), then cached as a tarball in /var/cache/nixos-container-tests.
bash test/harness/build-rootfs.sh >/dev/null
