// The containers of a host as their NAME.conf files describe them (src/lib/containers.ts), on a
// host laid out in a temporary directory: which files are containers, what a start refuses, and
// the summary list and status give.
import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {addressesInUse, checkConfReadable, listContainerNames, loadContainer, requireReadableNetwork, requireSystem, summarize} from '../../dist/lib/containers.js'
import {readableNames} from '../../dist/operations/queries.js'
import {type HostPaths, resolveHostPaths} from '../../dist/lib/paths.js'

describe('the containers of a host', () => {
  let dir: string
  let host: HostPaths
  const conf = (name: string, text: string): void => writeFileSync(path.join(host.configDir, `${name}.conf`), text)

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nc-unit-containers-'))
    host = resolveHostPaths({
      NIXOS_CONTAINER_CONFIG_DIR: path.join(dir, 'etc'), NIXOS_CONTAINER_STATE_DIR: path.join(dir, 'state'),
      NIXOS_CONTAINER_PROFILES_DIR: path.join(dir, 'profiles'), NIXOS_CONTAINER_GCROOTS_DIR: path.join(dir, 'gcroots'),
    })
    mkdirSync(host.configDir)
    conf('web', 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.1.1\nLOCAL_ADDRESS=10.233.1.2/24\nHOST_BRIDGE=\nHOST_PORT=tcp:80:8080\nAUTO_START=1\n')
    conf('db', 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.2.1\nLOCAL_ADDRESS=10.233.2.2\nFLAKE=/src/hosts\n')
    conf('broken', 'PRIVATE_NETWORK=1\nLOCAL_ADDRESS 10.233.3.2\n')
    // podman keeps its settings in upstream's old directory: never containers.
    conf('libpod', '')
    writeFileSync(path.join(host.configDir, 'notes.txt'), '')
  })
  after(() => rmSync(dir, {recursive: true, force: true}))

  it('are the *.conf files of the settings directory, by name, podman\'s left out', () => {
    assert.deepEqual(listContainerNames(host), ['broken', 'db', 'web'])
    assert.deepEqual(listContainerNames({...host, configDir: path.join(dir, 'absent')}), [])
  })

  it('plain list checks each conf can be read, and fails one as loading it would', () => {
    mkdirSync(path.join(host.configDir, 'adir.conf'))
    try {
      checkConfReadable(host, 'web')
      assert.throws(() => checkConfReadable(host, 'nope'), {message: 'container ‘nope’ does not exist'})
      assert.throws(() => checkConfReadable(host, 'adir'), /^UserError: cannot read .*adir\.conf: EISDIR/)
      assert.throws(() => loadContainer(host, 'adir'), /^UserError: cannot read .*adir\.conf: EISDIR/)
      const {names, broken} = readableNames(host)
      assert.deepEqual(names, ['broken', 'db', 'web'])
      assert.equal(broken.length, 1)
      assert.match(broken[0], /adir\.conf: EISDIR/)
    } finally {
      rmSync(path.join(host.configDir, 'adir.conf'), {recursive: true})
    }
  })

  it('a missing one does not exist, in upstream\'s words; a name upstream would refuse is refused', () => {
    assert.throws(() => loadContainer(host, 'nope'), {message: 'container ‘nope’ does not exist'})
    assert.throws(() => loadContainer(host, '../etc/web'), {message: 'invalid container name ‘../etc/web’'})
  })

  it('give the allocator every address in use', () => {
    assert.deepEqual(addressesInUse(host).map((set) => set.localAddress), [undefined, '10.233.2.2', '10.233.1.2/24'])
  })

  it('a start refuses a network setting it cannot read, rather than guess the host\'s network', () => {
    assert.throws(() => requireReadableNetwork(loadContainer(host, 'broken')),
      {message: `cannot start ‘broken’: LOCAL_ADDRESS in ${host.configDir}/broken.conf cannot be read (‘LOCAL_ADDRESS 10.233.3.2’); fix the file`})
    assert.doesNotThrow(() => requireReadableNetwork(loadContainer(host, 'web')))
  })

  it('a start refuses a container without a system, saying how to give it one', () => {
    assert.throws(() => requireSystem(loadContainer(host, 'db')), {message: 'container ‘db’ has no system yet (run ‘nixos-container update db’)'})
    assert.throws(() => requireSystem(loadContainer(host, 'web')), /has no system \(its create did not finish\)/)
    // Its configuration.nix says which: looked up confined to the root, so a link there planted
    // by the guest is refused, never followed to the host file it names.
    const nixos = path.join(host.stateDir, 'web', 'etc/nixos')
    mkdirSync(nixos, {recursive: true})
    try {
      writeFileSync(path.join(nixos, 'configuration.nix'), '{ }\n')
      assert.throws(() => requireSystem(loadContainer(host, 'web')), {message: 'container ‘web’ has no system yet (run ‘nixos-container update web’)'})
      rmSync(path.join(nixos, 'configuration.nix'))
      symlinkSync(path.join(dir, 'etc'), path.join(nixos, 'configuration.nix'))
      assert.throws(() => requireSystem(loadContainer(host, 'web')),
        {message: `refusing to follow a link planted in the container: /etc/nixos/configuration.nix → ${path.join(dir, 'etc')}`})
    } finally {
      rmSync(path.join(host.stateDir, 'web'), {recursive: true})
    }
  })

  it('are summarized for list and status --json from NAME.conf', () => {
    const web = summarize(loadContainer(host, 'web'), 'down', '/nix/store/x-nixos-system-web')
    assert.equal(web.name, 'web')
    assert.equal(web.state, 'down')
    assert.equal(web.localAddress, '10.233.1.2/24')
    assert.equal(web.autoStart, true)
    assert.equal(web.ports, 'tcp:80:8080')
    assert.equal(web.bridge, undefined)
    assert.equal(web.systemPath, '/nix/store/x-nixos-system-web')
    assert.equal(web.pool, '10.233.0.0/16')
    assert.deepEqual(summarize(loadContainer(host, 'db'), 'down').flakeAttr, 'container', 'a flake without an attribute builds "container"')
  })
})
