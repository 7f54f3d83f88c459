#!/usr/bin/env bash
# A complete demo on a fresh machine (as root): create a container from the bundled fixture
# NixOS, start it, run commands in it, stop and destroy it. Containers live under a temporary
# directory, so the host's /etc and /var/lib are not touched.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare-host.sh --without-test-host --build

demo=$(mktemp -d /tmp/nixos-container-demo.XXXXXX)
export NIXOS_CONTAINER_CONFIG_DIR=$demo/etc/nixos-containers
export NIXOS_CONTAINER_STATE_DIR=$demo/var/lib/nixos-containers
export NIXOS_CONTAINER_PROFILES_DIR=$demo/profiles/per-container
export NIXOS_CONTAINER_GCROOTS_DIR=$demo/gcroots/per-container
export NIXOS_CONTAINER_RUNTIME_DIR=$demo/run
export NIXOS_CONTAINER_LOCK=$demo/lock
# The bundled stand-in for <nixpkgs/nixos> (test/fixtures/nixpkgs); no binary cache needed.
export NIX_PATH=nixpkgs=$PWD/test/fixtures/nixpkgs NIX_CONFIG='substituters ='
nc() { echo "\$ nixos-container $*" >&2; node bin/run.js "$@"; }
trap 'node bin/run.js destroy demo >/dev/null 2>&1 || true; rm -rf "$demo"' EXIT

nc create demo --config-file test/fixtures/container.nix
nc start demo
nc status demo
nc run demo -- sh -c 'echo "hello from $(hostname), kernel $(uname -r)"; cat /etc/role'
ip=$(nc show-ip demo)
echo "container address: $ip; fetching http://$ip/ from the host:"
node -e "fetch('http://$ip/').then(r => r.text()).then(t => console.log(t.trim()))"
nc list --json
nc stop demo
nc destroy demo
nc list
echo "demo finished"
