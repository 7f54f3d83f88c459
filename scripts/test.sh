#!/usr/bin/env bash
# The test command: prepares the machine (see prepare-host.sh), builds, and runs every test
# against real Nix builds and real systemd-nspawn containers. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare-host.sh
npm test
