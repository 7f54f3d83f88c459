# A stand-in for the container@.service of NixOS's module virtualisation/nixos-containers.nix,
# modelled on ../shared/UPSTREAM.md ("How container@NAME starts a container"), for the systemd
# test host: the CLI must use such a unit as it is. Host-side scripts use the Debian test host's
# bash, ip, machinectl and systemd-nspawn; the container-side init runs the fixture's busybox.
# Build: nix-build test/harness/nixos-unit.nix --argstr nixosContainer "NODE /path/bin/run.js"
{ nixosContainer }:
let
  pkgs = import ../fixtures/nixpkgs/pkgs.nix { };
  bb = "${pkgs.busybox}/bin";

  # Runs inside the container before its init: the container side of the veth link.
  containerInit = ''
    #!${bb}/sh
    export PATH=${bb}
    if [ -n "$HOST_ADDRESS" ] || [ -n "$HOST_ADDRESS6" ] || [ -n "$LOCAL_ADDRESS" ] || [ -n "$LOCAL_ADDRESS6" ] || [ -n "$HOST_BRIDGE" ]; then
      ip link set host0 name eth0
      ip link set dev eth0 up
      [ -n "$LOCAL_ADDRESS" ] && ip addr add "$LOCAL_ADDRESS" dev eth0
      [ -n "$LOCAL_ADDRESS6" ] && ip -6 addr add "$LOCAL_ADDRESS6" dev eth0
      if [ -n "$HOST_ADDRESS" ]; then
        ip route add "$HOST_ADDRESS" dev eth0
        ip route add default via "$HOST_ADDRESS"
      fi
      if [ -n "$HOST_ADDRESS6" ]; then
        ip -6 route add "$HOST_ADDRESS6" dev eth0
        ip -6 route add default via "$HOST_ADDRESS6"
      fi
    fi
    exec "$1"
  '';

  preStart = ''
    #!/bin/bash
    machinectl terminate "$INSTANCE" 2>/dev/null || true
    if [ -n "$HOST_ADDRESS" ] || [ -n "$LOCAL_ADDRESS" ] || [ -n "$HOST_ADDRESS6" ] || [ -n "$LOCAL_ADDRESS6" ]; then
      ip link del dev "ve-$INSTANCE" 2>/dev/null || true
      ip link del dev "vb-$INSTANCE" 2>/dev/null || true
    fi
  '';

  start = ''
    #!/bin/bash
    set -e
    mkdir -p -m 0755 "$root/etc" "$root/var/lib" "$root/usr/bin"
    mkdir -p -m 0700 "$root/var/lib/private" "$root/root" /run/nixos-containers
    [ -e "$root/etc/os-release" ] || touch "$root/etc/os-release"
    [ -e "$root/etc/machine-id" ] || touch "$root/etc/machine-id"
    mkdir -p -m 0755 "/nix/var/nix/profiles/per-container/$INSTANCE" "/nix/var/nix/gcroots/per-container/$INSTANCE"
    if [ -n "$FLAKE" ] && [ ! -e "/nix/var/nix/profiles/per-container/$INSTANCE/system" ]; then
      ${nixosContainer} update "$INSTANCE"
    fi
    extraFlags=()
    [ "$PRIVATE_NETWORK" = 1 ] && extraFlags+=(--private-network)
    if [ -n "$HOST_ADDRESS" ] || [ -n "$LOCAL_ADDRESS" ] || [ -n "$HOST_ADDRESS6" ] || [ -n "$LOCAL_ADDRESS6" ] || [ -n "$HOST_BRIDGE" ]; then
      extraFlags+=(--network-veth)
    fi
    for port in ''${HOST_PORT//,/ }; do extraFlags+=("--port=$port"); done
    [ -n "$HOST_BRIDGE" ] && extraFlags+=("--network-bridge=$HOST_BRIDGE")
    # NixOS binds the daemon socket too; this test host runs Nix without a daemon.
    [ -e /nix/var/nix/daemon-socket ] && extraFlags+=(--bind-ro=/nix/var/nix/daemon-socket)
    exec systemd-nspawn --keep-unit -M "$INSTANCE" -D "$root" "''${extraFlags[@]}" \
      $EXTRA_NSPAWN_FLAGS \
      --notify-ready=yes --kill-signal=SIGRTMIN+3 \
      --bind-ro=/nix/store --bind-ro=/nix/var/nix/db \
      --bind="/nix/var/nix/profiles/per-container/$INSTANCE:/nix/var/nix/profiles" \
      --bind="/nix/var/nix/gcroots/per-container/$INSTANCE:/nix/var/nix/gcroots" \
      --link-journal=try-guest \
      --setenv PRIVATE_NETWORK="$PRIVATE_NETWORK" --setenv HOST_BRIDGE="$HOST_BRIDGE" \
      --setenv HOST_ADDRESS="$HOST_ADDRESS" --setenv LOCAL_ADDRESS="$LOCAL_ADDRESS" \
      --setenv HOST_ADDRESS6="$HOST_ADDRESS6" --setenv LOCAL_ADDRESS6="$LOCAL_ADDRESS6" \
      --setenv HOST_PORT="$HOST_PORT" \
      @out@/container-init "''${SYSTEM_PATH:-/nix/var/nix/profiles/system}/init"
  '';

  postStart = ''
    #!/bin/bash
    if [ -z "$HOST_BRIDGE" ] && { [ -n "$HOST_ADDRESS" ] || [ -n "$LOCAL_ADDRESS" ] || [ -n "$HOST_ADDRESS6" ] || [ -n "$LOCAL_ADDRESS6" ]; }; then
      ifaceHost="ve-$INSTANCE"
      ip link set dev "$ifaceHost" up
      [ -n "$HOST_ADDRESS" ] && ip addr add "$HOST_ADDRESS" dev "$ifaceHost"
      [ -n "$HOST_ADDRESS6" ] && ip -6 addr add "$HOST_ADDRESS6" dev "$ifaceHost"
      [ -n "$LOCAL_ADDRESS" ] && ip route add "$LOCAL_ADDRESS" dev "$ifaceHost"
      [ -n "$LOCAL_ADDRESS6" ] && ip -6 route add "$LOCAL_ADDRESS6" dev "$ifaceHost"
    fi
    exit 0
  '';

  # NixOS runs bash --login; the fixture system has busybox's sh.
  reload = ''
    #!/bin/bash
    set -e
    exec ${nixosContainer} run "$INSTANCE" -- sh -l -c "''${SYSTEM_PATH:-/nix/var/nix/profiles/system}/bin/switch-to-configuration test"
  '';

  unit = ''
    [Unit]
    Description=Container '%i'
    # A stand-in for NixOS's unit, for tests (test/harness/nixos-unit.nix).
    After=network.target systemd-machined.service
    Before=machines.target
    PartOf=machines.target

    [Service]
    Environment=root=/var/lib/nixos-containers/%i INSTANCE=%i
    EnvironmentFile=-/etc/nixos-containers/%i.conf
    ExecStartPre=@out@/pre-start
    ExecStart=@out@/start
    ExecStartPost=@out@/post-start
    ExecReload=@out@/reload
    SyslogIdentifier=container %i
    Type=notify
    RestartForceExitStatus=133
    SuccessExitStatus=133
    TimeoutStartSec=1min
    Restart=on-failure
    Slice=machine.slice
    Delegate=true
    KillMode=mixed
    KillSignal=TERM
  '';
in
derivation {
  name = "nixos-style-container-unit";
  system = builtins.currentSystem;
  builder = "${bb}/sh";
  inherit containerInit preStart start postStart reload unit;
  passAsFile = [ "containerInit" "preStart" "start" "postStart" "reload" "unit" ];
  args = [ "-c" ''
    set -e
    export PATH=${bb}
    mkdir -p $out
    for f in containerInit:container-init preStart:pre-start start:start postStart:post-start reload:reload unit:container@.service; do
      var=''${f%%:*}Path
      eval src=\$$var
      sed "s|@out@|$out|g" "$src" > "$out/''${f#*:}"
    done
    chmod +x $out/container-init $out/pre-start $out/start $out/post-start $out/reload
  '' ];
}
