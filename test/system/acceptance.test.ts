// Upstream's own acceptance test (nixos/tests/containers-imperative.nix), step by step, on the
// direct systemd-nspawn supervisor with the fixture NixOS.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {fixtures, TestHost} from '../helpers/host.ts'

describe('upstream acceptance scenario', () => {
  const host = new TestHost('accept')
  const names: string[] = []
  const data = (i: number): string => path.join(host.dir, `data-${i}`)
  after(async () => {
    for (const name of names) await execa('umount', ['--lazy', path.join(host.root(name), 'data')], {reject: false})
    await host.cleanup()
  })

  it('two creates with --ensure-unique-name give two containers', async () => {
    for (let i = 0; i < 2; i++) {
      const result = await host.ok(['create', 'foo', '--ensure-unique-name', '--config-file', path.join(fixtures, 'container.nix')])
      names.push(result.stdout.trim())
    }
    assert.deepEqual(names, ['foo', 'foo-0'])
    assert.equal((await host.ok(['list'])).stdout, 'foo\nfoo-0\n')
  })

  it('the containers have different IPs', async () => {
    const ips = await Promise.all(names.map(async (n) => (await host.ok(['show-ip', n])).stdout.trim()))
    assert.notEqual(ips[0], ips[1])
  })

  it('starts from a root moved into a bind mount, with data bind-mounted under it; stops and starts, and stops right after a start', async () => {
    const [foo] = names
    // Upstream's set-up: the first root moved away and bind-mounted back, data bind-mounted under each root.
    const moved = path.join(host.dir, 'moved-root')
    renameSync(host.root(foo), moved)
    mkdirSync(host.root(foo))
    await execa('mount', ['--bind', moved, host.root(foo)])
    for (const [i, name] of names.entries()) {
      mkdirSync(data(i))
      writeFileSync(path.join(data(i), 'file'), `data ${i}`)
      const mountPoint = path.join(host.root(name), 'data')
      mkdirSync(mountPoint, {recursive: true})
      await execa('mount', ['--bind', data(i), mountPoint])
    }
    await host.ok(['start', foo])
    assert.equal((await host.ok(['run', foo, '--', 'uname'])).stdout, 'Linux\n')
    // What the container sees is the moved root (its configuration) and the data under it.
    assert.match((await host.ok(['run', foo, '--', 'cat', '/etc/nixos/configuration.nix'])).stdout, /networking\.hostName = lib\.mkDefault "foo"/)
    assert.equal((await host.ok(['run', foo, '--', 'cat', '/data/file'])).stdout, 'data 0')
    await host.ok(['stop', foo])
    assert.equal((await host.ok(['status', foo])).stdout, 'down\n')
    await host.ok(['start', foo])
    await host.ok(['stop', foo])
    await host.ok(['start', foo])
  })

  it('the service from --config-file answers on the container\'s address', async () => {
    const ip = (await host.ok(['show-ip', names[0]])).stdout.trim()
    let body = ''
    for (let attempt = 0; attempt < 50 && !body; attempt++) {
      try {
        body = await (await fetch(`http://${ip}/index.html`, {signal: AbortSignal.timeout(2000)})).text()
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    assert.equal(body.trim(), 'hello from the container')
  })

  it('destroying both keeps the bind-mounted data and removes the roots', async () => {
    for (const name of names) await host.ok(['destroy', name])
    for (const [i, name] of names.entries()) {
      assert.equal(readFileSync(path.join(data(i), 'file'), 'utf8'), `data ${i}`)
      assert.equal((await host.cli(['status', name])).stdout, 'gone\n')
    }
    assert.equal((await host.ok(['list'])).stdout, '')
    for (const name of names) assert.ok(!existsSync(host.root(name)), `${host.root(name)} removed`)
  })

  it('a create whose configuration fails an assertion leaves no state', async () => {
    const before = host.leftovers().sort()
    const result = await host.cli(['create', 'broken', '--config', 'assertions = [ { assertion = false; message = "broken"; } ];'])
    assert.equal(result.exitCode, 1)
    assert.deepEqual(host.leftovers().sort(), before)
  })
})
