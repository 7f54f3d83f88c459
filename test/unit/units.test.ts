// The plain modules, called directly: conf format, names, addresses.
import assert from 'node:assert/strict'

import {pairsOf, parsePool, poolsOf} from '../../plugins/allocators/dist/pools.js'
import {allocateUpstream} from '../../plugins/allocators/dist/upstream.js'
import {checkAddresses} from '../../dist/lib/addresses.js'
import {parseFlakeRef} from '../../dist/lib/flake-ref.js'
import {createConf, formatConf, parseConf} from '../../dist/lib/conf.js'
import {maxNameLength, uniqueName} from '../../dist/lib/names.js'
import {configurationText} from '../../dist/lib/nixos-config.js'
import {shellQuote} from '../../dist/operations/exec.js'
import {takePairFlags} from '../../dist/flags.js'

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
      '{ config, lib, pkgs, ... }@args:\n\n{ boot.isContainer = true;\n  boot.${if (args.options.boot or { }) ? isNspawnContainer then "isNspawnContainer" else null} = true;\n  networking.hostName = lib.mkDefault "web";\n  networking.useDHCP = false;\n  services.x.enable = true;\n}\n')
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
  const request = {settings: {}, requested: {}, provider: 'upstream'}

  it('gives upstream\'s first free pair in its pool, reading addresses with prefixes', async () => {
    const result = await allocateUpstream({...request, inUse: [
      {hostAddress: '10.233.1.1', localAddress: '10.233.1.2'},
      {hostAddress: '10.233.2.1/24', localAddress: '10.233.9.9/24'},
      {localAddress: '10.233.3.2'},
    ]})
    assert.deepEqual(result, {hostAddress: '10.233.4.1', localAddress: '10.233.4.2', pool: '10.233.0.0/16'})
  })

  it('stops at the end of its pools, as upstream does, naming the setting; never wanders past them', async () => {
    const inUse = [...pairsOf(parsePool('10.233.0.0/16'))].map(([h, l]) => ({hostAddress: h, localAddress: l}))
    assert.equal(inUse.length, 254)
    await assert.rejects(allocateUpstream({...request, inUse}),
      {message: 'out of IP addresses in 10.233.0.0/16: add pools with --pool CIDR, or "providers": {"upstream": {"pools": [...]}} in the settings file'})
    assert.deepEqual(await allocateUpstream({...request, settings: {pools: ['10.233.0.0/16', '172.30.4.0/23']}, inUse}),
      {hostAddress: '172.30.4.1', localAddress: '172.30.4.2', pool: '172.30.4.0/23'})
  })

  it('takes one pair a /24, leaving out the first and last /24 of larger pools, and refuses odd pools', () => {
    assert.deepEqual([...pairsOf(parsePool('10.9.0.0/23'))], [['10.9.0.1', '10.9.0.2'], ['10.9.1.1', '10.9.1.2']])
    assert.deepEqual([...pairsOf(parsePool('10.9.0.0/22'))], [['10.9.1.1', '10.9.1.2'], ['10.9.2.1', '10.9.2.2']])
    assert.throws(() => parsePool('10.9.0.0/25'), /not an IPv4 range of \/24 or larger/)
    assert.throws(() => parsePool('fd00::/64'), /not an IPv4 range/)
    assert.throws(() => poolsOf({pools: '10.0.0.0/8'}), /must be a list of IPv4 ranges/)
  })

  it('keeps explicit addresses as given, and refuses ones in use or malformed', async () => {
    const requested = {hostAddress: '192.168.7.1/24', localAddress: '192.168.7.2/24'}
    assert.deepEqual(await allocateUpstream({...request, requested, inUse: []}), requested)
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
