// The plain modules, called directly: conf format, names, addresses.
import assert from 'node:assert/strict'

import {allocateUpstream, upstreamPairs} from '../plugins/allocators/dist/upstream.js'
import {checkAddresses} from '../dist/lib/addresses.js'
import {parseFlakeRef} from '../dist/lib/flake-ref.js'
import {createConf, formatConf, parseConf} from '../dist/lib/conf.js'
import {maxNameLength, uniqueName} from '../dist/lib/names.js'
import {configurationText} from '../dist/lib/nixos-config.js'
import {shellQuote} from '../dist/operations/exec.js'
import {takePairFlags} from '../dist/flags.js'

describe('NAME.conf', () => {
  it('writes upstream\'s keys in upstream\'s order, byte for byte', () => {
    const text = formatConf(createConf({hostAddress: '10.233.1.1', localAddress: '10.233.1.2', autoStart: false}))
    assert.equal(text, 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.1.1\nLOCAL_ADDRESS=10.233.1.2\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n')
  })

  it('adds FLAKE and our FLAKE_ATTR after AUTO_START', () => {
    const text = formatConf(createConf({hostAddress: 'h', localAddress: 'l', bridge: 'br0', ports: 'tcp:80:8080', autoStart: true, flake: '/src/hosts', flakeAttr: 'web'}))
    assert.equal(text, 'PRIVATE_NETWORK=1\nHOST_ADDRESS=h\nLOCAL_ADDRESS=l\nHOST_BRIDGE=br0\nHOST_PORT=tcp:80:8080\nAUTO_START=1\nFLAKE=/src/hosts\nFLAKE_ATTR=web\n')
  })

  it('reads the NixOS module\'s declarative files, quoted values included, and keeps unknown keys', () => {
    const declarative = [
      'SYSTEM_PATH=/nix/store/abc-nixos-system-db',
      'PRIVATE_NETWORK=1',
      'HOST_ADDRESS=10.231.136.1/24',
      'LOCAL_ADDRESS=10.231.136.2/24',
      'INTERFACES="eth1 eth2"',
      'EXTRA_NSPAWN_FLAGS="--bind=/srv/data:/data --bind-ro=/etc/x:/x"',
      'SOMETHING_NEW=kept',
      '',
    ].join('\n')
    const conf = parseConf(declarative)
    assert.equal(conf.get('HOST_ADDRESS'), '10.231.136.1/24')
    assert.equal(conf.get('INTERFACES'), 'eth1 eth2')
    assert.equal(conf.get('EXTRA_NSPAWN_FLAGS'), '--bind=/srv/data:/data --bind-ro=/etc/x:/x')
    assert.equal(formatConf(conf), declarative)
  })
})

describe('configuration.nix', () => {
  it('is upstream\'s text, with --config or an import of --config-file', () => {
    assert.equal(configurationText('web', {kind: 'string', text: 'services.x.enable = true;'}),
      '{ config, lib, pkgs, ... }:\n\n{ boot.isContainer = true;\n  networking.hostName = lib.mkDefault "web";\n  networking.useDHCP = false;\n  services.x.enable = true;\n}\n')
    assert.match(configurationText('web', {kind: 'file', file: '/etc/web.nix'}), /\n {2}imports = \[ \/etc\/web\.nix \];\n}\n$/)
  })
})

describe('names', () => {
  it('--ensure-unique-name tries NAME, NAME-0, NAME-1, …', () => {
    const taken = new Set(['web', 'web-0'])
    assert.equal(uniqueName('web', (n) => taken.has(n)), 'web-1')
    assert.equal(uniqueName('db', () => false), 'db')
  })

  it('never produces a name too long for ve-NAME, even from an 11-character base', () => {
    const taken = new Set(['webserver01', 'webserver-0'])
    const name = uniqueName('webserver01', (n) => taken.has(n))
    assert.equal(name, 'webserver-1')
    assert.ok(name.length <= maxNameLength)
  })
})

describe('address allocation', () => {
  it('gives upstream\'s first free pair, reading addresses with prefixes', () => {
    const result = allocateUpstream({settings: {}, requested: {}, inUse: [
      {hostAddress: '10.233.1.1', localAddress: '10.233.1.2'},
      {hostAddress: '10.233.2.1/24', localAddress: '10.233.9.9/24'},
      {localAddress: '10.233.3.2'},
    ]})
    assert.deepEqual(result, {hostAddress: '10.233.4.1', localAddress: '10.233.4.2'})
  })

  it('keeps going after upstream\'s 254 pairs instead of running out', () => {
    const inUse = [...upstreamPairs()].slice(0, 254).map(([h, l]) => ({hostAddress: h, localAddress: l}))
    assert.deepEqual(allocateUpstream({settings: {}, requested: {}, inUse}), {hostAddress: '10.234.1.1', localAddress: '10.234.1.2'})
    assert.equal([...upstreamPairs()].length, 22 * 254)
  })

  it('runs out only when every pair is taken', () => {
    const inUse = [...upstreamPairs()].map(([h, l]) => ({hostAddress: h, localAddress: l}))
    assert.throws(() => allocateUpstream({settings: {}, requested: {}, inUse}), /out of IP addresses/)
  })

  it('keeps explicit addresses as given, and refuses ones in use or malformed', () => {
    const requested = {hostAddress: '192.168.7.1/24', localAddress: '192.168.7.2/24'}
    assert.deepEqual(allocateUpstream({settings: {}, requested, inUse: []}), requested)
    assert.throws(() => checkAddresses({hostAddress: '10.1.1.1', localAddress: '10.233.1.2'}, [{hostAddress: '10.233.1.1', localAddress: '10.233.1.2/24'}]), /10\.233\.1\.2 is already in use/)
    assert.throws(() => checkAddresses({hostAddress: '10.233.1.2', localAddress: '10.9.9.9'}, [{hostAddress: '10.233.1.1', localAddress: '10.233.1.2'}]), /already in use/)
    assert.throws(() => checkAddresses({hostAddress: '10.1.1.300', localAddress: '10.1.1.2'}, []), /not a valid address/)
    assert.throws(() => checkAddresses({hostAddress: '10.1.1.1'}, []), /--local-address is required/)
    // One host address for many veth links is the NixOS manual's own pattern.
    assert.doesNotThrow(() => checkAddresses({hostAddress: '10.233.1.1', localAddress: '10.233.1.3'}, [{hostAddress: '10.233.1.1', localAddress: '10.233.1.2'}]))
  })
})

describe('command-line details', () => {
  it('quotes run arguments as upstream does', () => {
    assert.equal(shellQuote(['echo', "it's", '$HOME', 'a b']), `'echo' 'it'\\''s' '$HOME' 'a b'`)
  })

  it('splits REF#ATTR, defaulting the attribute to "container"', () => {
    assert.deepEqual(parseFlakeRef('/src/hosts#web'), {flake: '/src/hosts', attr: 'web'})
    assert.deepEqual(parseFlakeRef('github:me/hosts'), {flake: 'github:me/hosts', attr: 'container'})
  })

  it('takes the two-value Nix flags out of argv in order', () => {
    assert.deepEqual(takePairFlags(['web', '--option', 'cores', '2', '--impure', '--override-input', 'nixpkgs', '/src/np']), {
      rest: ['web', '--impure'],
      pairs: ['--option', 'cores', '2', '--override-input', 'nixpkgs', '/src/np'],
    })
    assert.throws(() => takePairFlags(['--option', 'cores']), /needs two values/)
  })
})
