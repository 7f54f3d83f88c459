// The systemd-nspawn command line of container@.service, built from NAME.conf.
import {existsSync} from 'node:fs'

import {wantsVeth} from './network.js'
import {type ConfEntries, type ContainerPaths, listValue, ports, systemPathInside} from 'nixos-container'

export interface NspawnOptions {
  name: string
  paths: ContainerPaths
  conf: ConfEntries
  /**
   * How the container meets systemd: `unit` — nspawn is the main process of container@NAME.service
   * and registers that unit with machined (--keep-unit); `scope` — machined puts it in a scope of its
   * own (machine-NAME.scope), so it leaves the caller's login session; `none` — no systemd here.
   */
  systemd: 'unit' | 'scope' | 'none'
  /**
   * A FIFO on the host: the container's init first waits until a line is written to it, so the
   * host can give the container its network before anything in it starts (see boot.ts).
   */
  gate?: string
}

/** Where the gate FIFO appears inside the container (/run is nspawn's own tmpfs there). */
export const gateInside = '/run/nixos-container-gate'

const systemdArguments = {unit: ['--keep-unit', '--register=yes'], scope: ['--register=yes'], none: ['--keep-unit', '--register=no']}

export function nspawnArguments({name, paths, conf, systemd, gate}: NspawnOptions): string[] {
  const args = [...systemdArguments[systemd], `--machine=${name}`, `--directory=${paths.root}`]
  if (conf.get('NETWORK_NAMESPACE_PATH')) {
    args.push(`--network-namespace-path=${conf.get('NETWORK_NAMESPACE_PATH')}`)
  } else {
    if (conf.get('PRIVATE_NETWORK') === '1') args.push('--private-network')
    if (wantsVeth(conf)) args.push('--network-veth')
    for (const port of ports(conf)) args.push(`--port=${port}`)
    if (conf.get('HOST_BRIDGE')) args.push(`--network-bridge=${conf.get('HOST_BRIDGE')}`)
    for (const iface of listValue(conf, 'INTERFACES')) args.push(`--network-interface=${iface}`)
    for (const iface of listValue(conf, 'MACVLANS')) args.push(`--network-macvlan=${iface}`)
  }
  const privateUsers = conf.get('PRIVATE_USERS')
  if (privateUsers) args.push(`--private-users=${privateUsers}`)
  // With private users, as the module does: the host's /nix mapped so that root owns it inside too.
  const nixBind = (flag: string, source: string, target = source): string =>
    privateUsers ? `${flag}=${source}:${target}:idmap` : `${flag}=${source}${target === source ? '' : `:${target}`}`
  args.push('--notify-ready=yes', '--kill-signal=SIGRTMIN+3', nixBind('--bind-ro', '/nix/store'))
  for (const shared of ['/nix/var/nix/db', '/nix/var/nix/daemon-socket']) {
    if (existsSync(shared)) args.push(nixBind('--bind-ro', shared))
  }
  args.push(
    nixBind('--bind', paths.profileDir, '/nix/var/nix/profiles'),
    nixBind('--bind', paths.gcroots, '/nix/var/nix/gcroots'),
    '--link-journal=try-guest',
  )
  for (const key of ['PRIVATE_NETWORK', 'HOST_BRIDGE', 'HOST_ADDRESS', 'LOCAL_ADDRESS', 'HOST_ADDRESS6', 'LOCAL_ADDRESS6']) {
    if (conf.get(key)) args.push(`--setenv=${key}=${conf.get(key)}`)
  }
  args.push(...listValue(conf, 'EXTRA_NSPAWN_FLAGS'))
  const system = systemPathInside(conf)
  if (gate) {
    // The system's own shell waits at the gate, then becomes its init (same pid: PID 1).
    args.push(`--bind-ro=${gate}:${gateInside}`, `${system}/sw/bin/sh`, '-c', `read -r line < ${gateInside}; exec "$0"`, `${system}/init`)
  } else {
    args.push(`${system}/init`)
  }
  return args
}
