// The nspawn supervisor's argument building: the systemd-nspawn command line and the `ip` batches
// that give a container its network, from NAME.conf alone (plugins/supervisors/src/nspawn-args.ts,
// network.ts). What a maintainer checks against container@.service of NixOS.
import assert from 'node:assert/strict'

import {containerSideCommands, hostInterface, hostSideCommands, wantsVeth} from '../../plugins/supervisors/dist/network.js'
import {gateInside, nspawnArguments} from '../../plugins/supervisors/dist/nspawn-args.js'
import {parseConf} from '../../dist/lib/conf.js'
import {containerPaths, resolveHostPaths} from '../../dist/lib/paths.js'

const host = resolveHostPaths({NIXOS_CONTAINER_CONFIG_DIR: '/c', NIXOS_CONTAINER_STATE_DIR: '/s', NIXOS_CONTAINER_PROFILES_DIR: '/p', NIXOS_CONTAINER_GCROOTS_DIR: '/g'})
const paths = containerPaths(host, 'web')
const upstreamConf = 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.1.1\nLOCAL_ADDRESS=10.233.1.2\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n'
const args = (conf: string, options: {systemd?: 'unit' | 'scope' | 'none'; gate?: string} = {}): string[] =>
  nspawnArguments({name: 'web', paths, conf: parseConf(conf), systemd: options.systemd ?? 'unit', gate: options.gate})

describe('nspawnArguments', () => {
  it('runs the container\'s root with its profile\'s init, private veth network and its addresses in the environment', () => {
    const argv = args(upstreamConf)
    for (const expected of ['--machine=web', '--directory=/s/web', '--private-network', '--network-veth', '--notify-ready=yes',
      '--kill-signal=SIGRTMIN+3', '--bind-ro=/nix/store', '--bind=/p/web:/nix/var/nix/profiles', '--bind=/g/web:/nix/var/nix/gcroots',
      '--setenv=HOST_ADDRESS=10.233.1.1', '--setenv=LOCAL_ADDRESS=10.233.1.2', '--setenv=PRIVATE_NETWORK=1']) {
      assert.ok(argv.includes(expected), `${expected} in ${argv.join(' ')}`)
    }
    assert.equal(argv.at(-1), '/nix/var/nix/profiles/system/init', 'the init of the system the container\'s profile points to, last')
    assert.ok(!argv.some((a) => a.startsWith('--setenv=HOST_BRIDGE')), 'empty keys are not passed on')
  })

  it('registers with systemd the way each mode needs', () => {
    assert.deepEqual(args(upstreamConf, {systemd: 'unit'}).slice(0, 2), ['--keep-unit', '--register=yes'])
    assert.deepEqual(args(upstreamConf, {systemd: 'scope'}).slice(0, 1), ['--register=yes'])
    assert.ok(!args(upstreamConf, {systemd: 'scope'}).includes('--keep-unit'))
    assert.deepEqual(args(upstreamConf, {systemd: 'none'}).slice(0, 2), ['--keep-unit', '--register=no'])
  })

  it('shares the host\'s network when PRIVATE_NETWORK=0 and no address is set', () => {
    const argv = args('PRIVATE_NETWORK=0\nHOST_BRIDGE=\nHOST_PORT=\n')
    assert.ok(!argv.includes('--private-network'))
    assert.ok(!argv.includes('--network-veth'))
  })

  it('passes ports, bridge, interfaces, macvlans, private users and EXTRA_NSPAWN_FLAGS as NixOS\'s unit does', () => {
    const argv = args(`${upstreamConf.replace('HOST_BRIDGE=', 'HOST_BRIDGE=br0').replace('HOST_PORT=', 'HOST_PORT=tcp:80:8080,443')}` +
      'INTERFACES="eth1 eth2"\nMACVLANS=eth3\nPRIVATE_USERS=pick\nEXTRA_NSPAWN_FLAGS="--bind=/srv:/srv --capability=CAP_NET_ADMIN"\n')
    for (const expected of ['--port=tcp:80:8080', '--port=443', '--network-bridge=br0', '--network-interface=eth1', '--network-interface=eth2',
      '--network-macvlan=eth3', '--private-users=pick', '--bind=/srv:/srv', '--capability=CAP_NET_ADMIN']) {
      assert.ok(argv.includes(expected), `${expected} in ${argv.join(' ')}`)
    }
    // With private users the host's /nix is id-mapped, so root owns it inside too.
    assert.ok(argv.includes('--bind-ro=/nix/store:/nix/store:idmap'))
    assert.ok(argv.includes('--bind=/p/web:/nix/var/nix/profiles:idmap'))
    // The extra flags come after ours, so they can override them, and before the init.
    assert.ok(argv.indexOf('--capability=CAP_NET_ADMIN') > argv.indexOf('--link-journal=try-guest'))
  })

  it('joins a given network namespace instead of making a network', () => {
    const argv = args(`${upstreamConf}NETWORK_NAMESPACE_PATH=/run/netns/lab\n`)
    assert.ok(argv.includes('--network-namespace-path=/run/netns/lab'))
    assert.ok(!argv.includes('--private-network') && !argv.includes('--network-veth'))
  })

  it('with a gate, the system\'s shell waits on the FIFO and then execs the init as PID 1', () => {
    const argv = args(upstreamConf, {gate: '/run/nixos-containers/web.gate'})
    assert.ok(argv.includes(`--bind-ro=/run/nixos-containers/web.gate:${gateInside}`))
    assert.deepEqual(argv.slice(-4), ['/nix/var/nix/profiles/system/sw/bin/sh', '-c', `read -r line < ${gateInside}; exec "$0"`, '/nix/var/nix/profiles/system/init'])
  })
})

describe('the container\'s network, set up from the host', () => {
  it('renames host0 to eth0 and gives it LOCAL_ADDRESS, a route to HOST_ADDRESS and the default route through it', () => {
    const conf = parseConf(`${upstreamConf}LOCAL_MAC_ADDRESS=02:00:00:00:00:01\nHOST_ADDRESS6=fd00::1/64\nLOCAL_ADDRESS6=fd00::2/64\n`)
    assert.deepEqual(containerSideCommands(conf), [
      {family: '-4', lines: ['link set host0 name eth0', 'link set eth0 address 02:00:00:00:00:01', 'link set eth0 up',
        'addr add 10.233.1.2 dev eth0', 'route add 10.233.1.1 dev eth0', 'route add default via 10.233.1.1']},
      {family: '-6', lines: ['addr add fd00::2/64 dev eth0', 'route add fd00::1 dev eth0', 'route add default via fd00::1']},
    ])
  })

  it('gives ve-NAME HOST_ADDRESS and a route to the container; a bridged container gets nothing on the host side', () => {
    const conf = parseConf(upstreamConf)
    assert.equal(hostInterface('web', conf), 've-web')
    assert.deepEqual(hostSideCommands('web', conf), [
      {family: '-4', lines: ['link set ve-web up', 'addr replace 10.233.1.1 dev ve-web', 'route replace 10.233.1.2 dev ve-web']},
      {family: '-6', lines: []},
    ])
    const bridged = parseConf('PRIVATE_NETWORK=1\nHOST_BRIDGE=br0\n')
    assert.equal(hostInterface('web', bridged), 'vb-web')
    assert.deepEqual(hostSideCommands('web', bridged), [])
  })

  it('wants a veth link when any address or a bridge is set, as upstream', () => {
    assert.equal(wantsVeth(parseConf(upstreamConf)), true)
    assert.equal(wantsVeth(parseConf('HOST_BRIDGE=br0\n')), true)
    assert.equal(wantsVeth(parseConf('LOCAL_ADDRESS6=fd00::2\n')), true)
    assert.equal(wantsVeth(parseConf('PRIVATE_NETWORK=1\nHOST_BRIDGE=\n')), false)
  })
})
