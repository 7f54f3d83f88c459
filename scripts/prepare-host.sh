#!/usr/bin/env bash
# Prepares a Debian/Ubuntu machine (as root) to build, test and demo nixos-container:
# Nix, systemd-nspawn and friends from the distribution, the npm dependencies (which bring a
# current Node), sudo (whose visudo checks the sudoers examples in docs/containers.md), and the
# tmpfs systemd-nspawn wants on /run/systemd/nspawn. Safe to run again.
#
# Options: --build also builds the CLI (npm run build); --without-test-host skips the systemd test
# host's root file system, which only the tests need.
#
# Quiet by design: one line for each step that has work to do, the detail in a log file that is
# named (with its last lines) only when a step fails. On a prepared machine it prints one line.
set -euo pipefail
cd "$(dirname "$0")/.."

build=no test_host=yes
for option in "$@"; do
  case $option in
    --build) build=yes ;;
    --without-test-host) test_host=no ;;
    *) echo "prepare-host.sh: unknown option $option" >&2; exit 2 ;;
  esac
done

log=${TMPDIR:-/tmp}/nixos-container-setup.log
: >"$log"
# step DESCRIPTION COMMAND…: runs COMMAND with its output in the log. (COMMAND runs as an `if`
# condition, where set -e is off: a function given to it returns at its first failure itself.)
step() {
  local what=$1
  shift
  echo "setup: $what" >&2
  if ! "$@" >>"$log" 2>&1; then
    echo "setup: $what failed; the last lines of $log:" >&2
    tail -n 25 "$log" >&2
    exit 1
  fi
}

packages=(nix-bin sudo systemd-container dbus-daemon curl busybox-static iproute2 iputils-ping util-linux bsdutils e2fsprogs gcc libc6-dev debootstrap man-db groff-base zsh fish)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
install_packages() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || return
  apt-get install -y -qq "${missing[@]}"
}
if [ "${#missing[@]}" -gt 0 ]; then step "installing Debian packages: ${missing[*]}" install_packages; fi

# systemd-nspawn refuses to run unless /run/systemd/nspawn is on a tmpfs of its own here.
if ! mountpoint -q /run/systemd/nspawn; then
  mkdir -p /run/systemd/nspawn
  mount -t tmpfs -o mode=0755 tmpfs /run/systemd/nspawn
fi

# The development dependencies want Node 22 or later, which the `node` devDependency brings. npm run by an
# older system Node (Debian 12 has 20) warns about every one of them (EBADENGINE), so that Node
# is fetched first, alone (it has no engine requirement), and npm ci runs under it.
install_dependencies() {
  local version bootstrap
  version=$(node -p "require('./package-lock.json').packages['node_modules/node'].version")
  bootstrap=${XDG_CACHE_HOME:-$HOME/.cache}/nixos-container/node-$version
  if [ ! -x "$bootstrap/node_modules/.bin/node" ]; then
    npm install --prefix "$bootstrap" --no-save --no-package-lock --no-audit --no-fund "node@$version" || return
  fi
  PATH=$bootstrap/node_modules/.bin:$PATH npm ci --no-audit --no-fund
}
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing the npm dependencies" install_dependencies
fi

# The root file system of the systemd test host (test/helpers/systemd-host.ts): built once with
# debootstrap (a minute or two), then cached as a tarball in /var/cache/nixos-container-tests.
if [ "$test_host" = yes ]; then
  step "the systemd test host's root file system (debootstrap the first time, then cached)" bash test/harness/build-rootfs.sh
fi

if [ "$build" = yes ]; then step "building the CLI" npm run build; fi

