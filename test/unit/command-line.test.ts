// What the command line asks for, before anything runs (src/flags.ts, src/lib/source-checks.ts,
// src/lib/paths.ts): the build source, Nix's pass-through flags, limits, paths, and the checks
// that refuse a bad combination in one line.
import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {configSource, containerOptionsOf, explicitSource, limitChanges, nixPassThrough} from '../../dist/flags.js'
import {containerPaths, resolveHostPaths} from '../../dist/lib/paths.js'
import {checkFlake, checkNixFlags, checkSystemPath, localFlakeDirectory} from '../../dist/lib/source-checks.js'

describe('the build source of create and update', () => {
  it('is --system-path, --flake REF#ATTR or configuration.nix with --nixos-path, or none', () => {
    assert.deepEqual(explicitSource({'system-path': '/nix/store/x-nixos'}, undefined), {kind: 'store-path', systemPath: '/nix/store/x-nixos'})
    assert.deepEqual(explicitSource({flake: '/src/hosts#web'}, undefined), {kind: 'flake', flake: '/src/hosts', attr: 'web'})
    assert.deepEqual(explicitSource({'nixos-path': '/src/nixos'}, undefined), {kind: 'configuration', nixosPath: '/src/nixos'})
    assert.equal(explicitSource({}, undefined), undefined)
  })

  it('refuses combinations that would leave it unclear what is built', () => {
    const config = {kind: 'string', text: ''} as const
    assert.throws(() => explicitSource({'system-path': '/x'}, config), {message: '--system-path cannot be combined with --config, --config-file or --flake'})
    assert.throws(() => explicitSource({'system-path': '/x', flake: '/f'}, undefined), /--system-path cannot be combined/)
    assert.throws(() => explicitSource({flake: '/f'}, config), {message: '--flake cannot be combined with --config or --config-file'})
    assert.throws(() => configSource({config: '', 'config-file': '/x.nix'}), /--config and --config-file are mutually incompatible/)
    assert.deepEqual(configSource({config: 'services.x.enable = true;'}), {kind: 'string', text: 'services.x.enable = true;'})
  })

  it('--refresh reaches flake builds only', () => {
    assert.doesNotThrow(() => checkNixFlags({kind: 'flake', flake: '/f', attr: 'c'}, ['--refresh']))
    assert.throws(() => checkNixFlags({kind: 'configuration'}, ['--impure', '--refresh']), {message: '--refresh applies to containers built from a flake only'})
  })
})

describe('Nix pass-through flags', () => {
  it('go to Nix in upstream\'s order: single flags, then the two-value ones as given', () => {
    assert.deepEqual(nixPassThrough({refresh: true, impure: true, 'update-input': ['nixpkgs'], 'log-format': 'bar'}, ['--option', 'cores', '2']),
      ['--log-format', 'bar', '--impure', '--update-input', 'nixpkgs', '--refresh', '--option', 'cores', '2'])
    assert.deepEqual(nixPassThrough({}, []), [])
  })
})

describe('limit flags', () => {
  it('change only the limits given', () => {
    assert.deepEqual(limitChanges({memory: '1G', 'tasks-max': 'none'}), {memoryBytes: 1024 ** 3, cpus: undefined, tasksMax: 'none'})
  })
})

describe('container option flags', () => {
  it('give nothing when none is given (update keeps what there is), else every option, the others off', () => {
    assert.equal(containerOptionsOf({}), undefined)
    assert.equal(containerOptionsOf({bind: [], capability: []}), undefined)
    assert.deepEqual(containerOptionsOf({'bind-ro': ['/etc:/mnt/etc'], 'extra-nspawn-flags': ' --a  --b '}), {
      binds: [{host: '/etc', guest: '/mnt/etc', readOnly: true}], hostNetwork: false, ephemeral: false, privateUsers: undefined,
      enableTun: false, capabilities: [], extraNspawnFlags: ['--a', '--b'], portBinds: [],
    })
    assert.deepEqual(containerOptionsOf({'port-bind': ['lo', '::1']})?.portBinds, ['lo', '::1'])
    assert.equal(containerOptionsOf({ephemeral: true})?.ephemeral, true)
    assert.throws(() => containerOptionsOf({bind: ['relative']}), /--bind: the host path ‘relative’ is not absolute/)
  })
})

describe('local sources', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nc-unit-sources-'))
    mkdirSync(path.join(dir, 'hosts'))
    writeFileSync(path.join(dir, 'hosts/flake.nix'), '{}')
    mkdirSync(path.join(dir, 'system'))
    writeFileSync(path.join(dir, 'system/init'), '#!/bin/sh\n', {mode: 0o755})
    mkdirSync(path.join(dir, 'not-a-system'))
  })
  after(() => rmSync(dir, {recursive: true, force: true}))

  it('a flake on this machine must be a directory with a flake.nix; a remote one is left to Nix', () => {
    assert.equal(localFlakeDirectory(`path:${dir}/hosts?dir=x#web`), `${dir}/hosts`)
    assert.equal(localFlakeDirectory(`git+file://${dir}/hosts`), `${dir}/hosts`)
    assert.equal(localFlakeDirectory('github:me/hosts'), undefined)
    assert.doesNotThrow(() => checkFlake(`${dir}/hosts`))
    assert.throws(() => checkFlake(`${dir}/absent`), {message: `--flake: ${dir}/absent: no such directory`})
    assert.throws(() => checkFlake(`path:${dir}`), {message: `--flake: path:${dir}: no flake.nix in ${dir}`})
  })

  it('--system-path must be a NixOS system: a directory with an executable init', () => {
    assert.doesNotThrow(() => checkSystemPath(path.join(dir, 'system')))
    assert.throws(() => checkSystemPath(path.join(dir, 'not-a-system')), /is not a NixOS system \(it has no executable init\)/)
    assert.throws(() => checkSystemPath(path.join(dir, 'absent')), /no such file or directory/)
  })
})

describe('host paths', () => {
  it('are NixOS\'s by default and each can be moved by its variable; a container\'s files follow them', () => {
    const defaults = resolveHostPaths({NIXOS_CONTAINER_CONFIG_DIR: '/etc/nixos-containers'})
    assert.deepEqual(defaults, {
      configDir: '/etc/nixos-containers', stateDir: '/var/lib/nixos-containers', profilesDir: '/nix/var/nix/profiles/per-container',
      gcrootsDir: '/nix/var/nix/gcroots/per-container', runtimeDir: '/run/nixos-containers', lockFile: '/run/lock/nixos-container',
      settingsFile: '/etc/nixos-container/settings.json',
    })
    const moved = resolveHostPaths({NIXOS_CONTAINER_CONFIG_DIR: '/t/etc', NIXOS_CONTAINER_STATE_DIR: '/t/var', NIXOS_CONTAINER_RUNTIME_DIR: '/t/run'})
    assert.deepEqual(containerPaths(moved, 'web'), {
      name: 'web', conf: '/t/etc/web.conf', root: '/t/var/web', profileDir: '/nix/var/nix/profiles/per-container/web',
      profile: '/nix/var/nix/profiles/per-container/web/system', gcroots: '/nix/var/nix/gcroots/per-container/web',
      pidFile: '/t/run/web.pid', logFile: '/t/run/web.log',
    })
  })
})
