// --build-host's choices made before any ssh: which builder runs, what is refused, and what the
// wrapped builder asks of the one it wraps. (test/system/remote-hosts.test.ts builds on a real
// build host over a real sshd.)
import assert from 'node:assert/strict'

import type {Builder, BuildRequest} from '../../dist/contract/builder.js'
import {builderFor, buildHostOf, builtElsewhere} from '../../dist/operations/build-host.js'

const channels: Builder = {
  name: 'channels',
  handles: (source) => source.kind === 'configuration',
  build: () => Promise.reject(new Error('the wrapped builder must not build here')),
  instantiate: () => Promise.resolve('/nix/store/00000000000000000000000000000000-nixos-system-web.drv'),
}
const plugins = {builder: (): Promise<Builder> => Promise.resolve(channels)} as unknown as Parameters<typeof builderFor>[0]

describe('--build-host before any ssh', () => {
  it('reads the build host as --host is read, and refuses this machine', () => {
    assert.deepEqual(buildHostOf('root@builder:2222', ['-4']), {host: {spec: 'root@builder:2222', destination: 'root@builder', port: 2222, local: false}, sshOptions: ['-4']})
    assert.throws(() => buildHostOf('localhost', []), /^UserError: --build-host: to build here, leave --build-host out$/)
    assert.throws(() => buildHostOf('a b', []), /--build-host: ‘a b’ is not \[USER@\]HOST\[:PORT\]/)
  })

  it('wraps the chosen builder only when a build host is given', async () => {
    const buildHost = buildHostOf('root@builder', [])
    assert.equal(await builderFor(plugins, {kind: 'configuration'}), channels)
    // (builderFor with a build host wraps it so, after asking the build host over ssh.)
    const wrapped = builtElsewhere(channels, buildHost)
    assert.equal(wrapped.name, 'channels, built on root@builder')
    assert.equal(wrapped.handles({kind: 'configuration'}), true)
    assert.equal(wrapped.handles({kind: 'flake', flake: '.', attr: 'web'}), false)
    // Evaluating is the wrapped builder's own instantiate, here.
    assert.equal(await wrapped.instantiate!({} as BuildRequest), '/nix/store/00000000000000000000000000000000-nixos-system-web.drv')
  })

  it('refuses a system given as a store path, and a builder that cannot evaluate without building', async () => {
    await assert.rejects(builderFor(plugins, {kind: 'store-path', systemPath: '/nix/store/x'}, buildHostOf('builder', [])),
      /--build-host builds the system: give --config, --config-file or --flake, not --system-path/)
    const buildOnly: Builder = {name: 'mine', handles: () => true, build: () => Promise.resolve('')}
    assert.throws(() => builtElsewhere(buildOnly, buildHostOf('builder', [])), /the builder mine cannot evaluate without building \(it has no instantiate\)/)
  })
})
