// The plugin API, end to end: the bundled providers are plugins, and a third-party plugin kept
// outside them (test/fixtures/plugins/address-pool, plain JavaScript) is linked with
// `plugins link`, chosen by flag, environment and settings file, vetoes creates, hears about
// starts, fails cleanly, and is gone again after `plugins unlink`. The example plugin of the docs
// is packed and installed as users install it, and imports the core API. Real builds, real containers.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {stripVTControlCharacters} from 'node:util'

import {answersPing, cliPath, fixtures, projectRoot, TestHost} from '../helpers/host.ts'
import {assertFits, loadSchemas} from '../helpers/schemas.ts'

const pluginDir = path.join(fixtures, 'plugins/address-pool')
const pluginName = 'nc-test-address-pool'

describe('plugins', () => {
  const host = new TestHost('plugins')
  const record = path.join(host.dir, 'post-start.jsonl')
  after(() => host.cleanup())

  const confOf = (name: string): string => readFileSync(host.conf(name), 'utf8')
  const addressPair = (name: string): string[] => [/^HOST_ADDRESS=(.*)$/m, /^LOCAL_ADDRESS=(.*)$/m].map((r) => r.exec(confOf(name))?.[1] ?? '')

  it('ships its own providers as core plugins that declare them in package.json', async () => {
    const {stdout} = await host.ok(['plugins', '--core', '--json'])
    const core = (JSON.parse(stdout) as {name: string; type: string; root: string}[]).filter((p) => p.name.startsWith('@nixos-container/'))
    assert.deepEqual(core.map((p) => [p.name, p.type]).sort(), [
      ['@nixos-container/allocators', 'core'], ['@nixos-container/builders', 'core'], ['@nixos-container/supervisors', 'core'],
    ])
    const declared = Object.fromEntries(core.map((p) => [p.name, JSON.parse(readFileSync(path.join(p.root, 'package.json'), 'utf8'))['nixos-container']]))
    assert.deepEqual(declared['@nixos-container/allocators'], {allocator: ['upstream', 'ula']})
    assert.deepEqual(declared['@nixos-container/builders'], {builder: ['channels', 'flakes']})
    assert.deepEqual(declared['@nixos-container/supervisors'], {supervisor: ['systemd', 'nspawn']})
  })

  it('refuses a provider nobody offers, naming the ones there are, and makes nothing', async () => {
    const result = await host.cli(['create', 'p0', '--config', '', '--allocator', 'test-pool'])
    assert.equal(result.exitCode, 1)
    assert.equal(result.stderr, 'nixos-container: unknown allocator ‘test-pool’ (available: upstream, ula)\n')
    const builder = await host.cli(['create', 'p0', '--config', '', '--builder', 'remote'])
    assert.equal(builder.stderr, 'nixos-container: unknown builder ‘remote’ (available: channels, flakes)\n')
    assert.deepEqual(host.leftovers(), [])
  })

  it('links a third-party plugin, whose allocator is then chosen by --allocator', async () => {
    const link = await host.ok(['plugins', 'link', '--no-install', pluginDir])
    // oclif colours the path where it thinks colour is welcome (CI=true does it).
    assert.match(stripVTControlCharacters(link.stderr), /^nixos-container: Linking plugin .*address-pool\.\.\. done$/m)
    const {stdout} = await host.ok(['plugins', '--json'])
    assert.ok((JSON.parse(stdout) as {name: string; type: string}[]).some((p) => p.name === pluginName && p.type === 'link'))
    const created = await host.ok(['create', 'p1', '--config', '', '--allocator', 'test-pool'])
    assert.match(created.stderr, /^host IP is 10\.77\.1\.1, container IP is 10\.77\.1\.2$/m)
    assert.deepEqual(addressPair('p1'), ['10.77.1.1', '10.77.1.2'])
  })

  it('is chosen by NIXOS_CONTAINER_ALLOCATOR, and by the settings file with its own settings', async () => {
    await host.ok(['create', 'p2', '--config', ''], {env: {NIXOS_CONTAINER_ALLOCATOR: 'test-pool'}})
    assert.deepEqual(addressPair('p2'), ['10.77.2.1', '10.77.2.2'])
    writeFileSync(host.env.NIXOS_CONTAINER_SETTINGS, JSON.stringify({allocator: 'test-pool', providers: {'test-pool': {prefix: '10.78'}}}))
    try {
      await host.ok(['create', 'p3', '--config', ''])
      assert.deepEqual(addressPair('p3'), ['10.78.1.1', '10.78.1.2'])
      // The flag still wins over the settings file.
      await host.ok(['create', 'p4', '--config', '', '--allocator', 'upstream'])
      assert.deepEqual(addressPair('p4'), ['10.233.1.1', '10.233.1.2'])
    } finally {
      writeFileSync(host.env.NIXOS_CONTAINER_SETTINGS, '{}')
    }
  })

  it('lets a pre-create hook refuse a container, with its message, before anything is written', async () => {
    const before = host.leftovers()
    const result = await host.cli(['create', 'forbidden-1', '--config', ''])
    assert.equal(result.exitCode, 1)
    assert.equal(result.stderr,
      `nixos-container: container names may not start with ‘forbidden’ (got ‘forbidden-1’) (pre-create hook of plugin ${pluginName})\n`)
    assert.deepEqual(host.leftovers(), before)
  })

  it('fails a create whose allocator fails, naming the plugin, and leaves no state behind', async () => {
    const before = host.leftovers()
    const result = await host.cli(['create', 'p5', '--config', '', '--allocator', 'test-pool', '--json'], {env: {NC_TEST_POOL_FAIL: '1'}})
    assert.equal(result.exitCode, 1)
    assert.deepEqual(JSON.parse(result.stdout), {error: {message: `test-pool is exhausted (allocator ‘test-pool’ of plugin ${pluginName})`, code: 'error', exitCode: 1}})
    assert.deepEqual(host.leftovers(), before)
    // The create lock was let go: the same create works once the allocator does.
    await host.ok(['create', 'p5', '--config', '', '--allocator', 'test-pool'])
    assert.deepEqual(addressPair('p5'), ['10.77.3.1', '10.77.3.2'])
  })

  it('tells post-start hooks the live leader of a container that has booted', async () => {
    const {stdout} = await host.ok(['start', 'p1', '--json'], {env: {NC_TEST_RECORD: record}})
    const {leader} = JSON.parse(stdout) as {leader: number}
    const seen = readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    assert.equal(seen.length, 1)
    assert.equal(seen[0].name, 'p1')
    assert.equal(seen[0].leader, leader)
    assert.equal(seen[0].hostAddress, '10.77.1.1')
    assert.equal(seen[0].leaderAlive, true)
    // The leader is the container's init: the fixture's stage 2 is a busybox shell script.
    assert.match(seen[0].leaderCommand, /busybox/)
    assert.ok(existsSync(`/proc/${leader}`))
    assert.equal((await host.ok(['status', 'p1'])).stdout, 'up\n')
    // Hooks fire when the state changes only: starting it again changes nothing and tells no hook.
    const again = JSON.parse((await host.ok(['start', 'p1', '--json'], {env: {NC_TEST_RECORD: record}})).stdout)
    assert.deepEqual(again, {name: 'p1', state: 'up', leader, changed: false})
    assert.equal(readFileSync(record, 'utf8').trim().split('\n').length, 1)
  })

  it('reports a failing post-start hook (on stderr, and in --json as warnings) but leaves the container running', async () => {
    const result = await host.cli(['start', 'p2'], {env: {NC_TEST_POST_START_FAIL: '1'}})
    assert.equal(result.exitCode, 0)
    assert.match(result.stderr,
      new RegExp(`^nixos-container: warning: post-start hook of plugin ${pluginName} failed: could not register the container with the monitoring system$`, 'm'))
    assert.equal((await host.ok(['status', 'p2'])).stdout, 'up\n')
    await host.ok(['stop', 'p2'])
    // A script gets the warning in the JSON document.
    const json = await host.ok(['start', 'p2', '--json'], {env: {NC_TEST_POST_START_FAIL: '1'}})
    assert.deepEqual(JSON.parse(json.stdout).warnings,
      [`post-start hook of plugin ${pluginName} failed: could not register the container with the monitoring system`])
    assertFits(loadSchemas().get('start'), JSON.parse(json.stdout), 'start --json with a warning')
    await host.ok(['stop', 'p2'])
  })

  it('after plugins unlink, its providers and hooks are gone and the defaults apply again', async () => {
    await host.ok(['plugins', 'unlink', pluginName])
    const refused = await host.cli(['create', 'p6', '--config', '', '--allocator', 'test-pool'])
    assert.equal(refused.stderr, 'nixos-container: unknown allocator ‘test-pool’ (available: upstream, ula)\n')
    // The naming policy went with it.
    await host.ok(['create', 'forbidden-2', '--config', ''])
    assert.deepEqual(addressPair('forbidden-2'), ['10.233.2.1', '10.233.2.2'])
    // The containers it allocated stay as they are, and keep running.
    assert.equal((await host.ok(['status', 'p1'])).stdout, 'up\n')
    await host.ok(['stop', 'p1'])
  })
})

describe('plugins install', () => {
  const host = new TestHost('plugins-install')
  after(() => host.cleanup())

  it('says where a plugin comes from and that it runs as root, then what it offers; uninstall removes it', async () => {
    // A package tarball, as npm would fetch it, installed by its file: URL (no registry needed).
    await execa('npm', ['pack', '--silent', '--pack-destination', host.dir, pluginDir])
    const tarball = path.join(host.dir, 'nc-test-address-pool-1.0.0.tgz')
    const installed = await host.ok(['plugins', 'install', `file:${tarball}`])
    const dataDir = host.env.NIXOS_CONTAINER_DATA_DIR
    assert.match(installed.stderr, new RegExp(`^nixos-container: installing file:${tarball} into ${dataDir}/node_modules; its code will run as root whenever one of its hooks fires$`, 'm'))
    assert.match(installed.stderr, new RegExp(`^nixos-container: ${pluginName} 1\\.0\\.0 offers allocator test-pool; hooks: network-allocate, pre-create, post-start$`, 'm'))
    assert.ok(existsSync(path.join(dataDir, 'node_modules', pluginName, 'package.json')))
    await host.ok(['create', 'i1', '--config', '', '--allocator', 'test-pool'])
    assert.match(readFileSync(host.conf('i1'), 'utf8'), /^HOST_ADDRESS=10\.77\.1\.1$/m)
    await host.ok(['plugins', 'uninstall', pluginName])
    const refused = await host.cli(['create', 'i2', '--config', '', '--allocator', 'test-pool'])
    assert.equal(refused.stderr, 'nixos-container: unknown allocator ‘test-pool’ (available: upstream, ula)\n')
  })

  it('takes a path as a path: a tarball by its relative name is installed, a directory or a missing file refused at once', async () => {
    await execa('npm', ['pack', '--silent', '--pack-destination', host.dir, pluginDir])
    const tarball = 'nc-test-address-pool-1.0.0.tgz'
    const inDir = (args: string[]) => execa(process.execPath, [cliPath, ...args], {cwd: host.dir, env: host.env, reject: false, timeout: 60_000})
    for (const typed of [`./${tarball}`, tarball]) {
      const installed = await inDir(['plugins', 'install', typed])
      assert.equal(installed.exitCode, 0, String(installed.stderr))
      assert.match(String(installed.stderr), new RegExp(`^nixos-container: installing file:${path.join(host.dir, tarball)} into `, 'm'))
      await inDir(['plugins', 'uninstall', pluginName])
    }
    for (const [typed, why] of [
      ['./', 'a directory: link it with ‘plugins link ./’, or install the tarball ‘npm pack’ makes of it'],
      ['./missing.tgz', 'no such file or directory'],
    ]) {
      const started = Date.now()
      const refused = await inDir(['plugins', 'install', typed])
      assert.deepEqual([refused.exitCode, refused.stderr], [1, `nixos-container: plugins install: ${typed}: ${why}`])
      assert.ok(Date.now() - started < 10_000, 'refused at once, without asking the network')
    }
  })
})

describe('the example plugin of docs/plugins.md (examples/plugins/lab)', () => {
  const host = new TestHost('plugins-example')
  const example = path.join(projectRoot, 'examples/plugins/lab')
  const log = path.join(host.dir, 'lab.log')
  after(() => host.cleanup())

  it('is shown in the docs exactly as it is in the repository', () => {
    const docs = readFileSync(path.join(projectRoot, 'docs/plugins.md'), 'utf8')
    for (const file of ['package.json', 'hooks/network-allocate.js', 'hooks/pre-create.js', 'hooks/post-start.js']) {
      assert.ok(docs.includes('\n' + readFileSync(path.join(example, file), 'utf8') + '```'), `docs/plugins.md shows ${file} as it is`)
    }
  })

  it('does what the docs say: its allocator, its naming policy and its start log', async () => {
    await host.ok(['plugins', 'link', '--no-install', example])
    await host.ok(['create', 'ci-1', '--config', '', '--allocator', 'lab'])
    assert.match(readFileSync(host.conf('ci-1'), 'utf8'), /^HOST_ADDRESS=10\.99\.1\.1\nLOCAL_ADDRESS=10\.99\.1\.2$/m)
    const {stdout} = await host.ok(['start', 'ci-1', '--json'], {env: {LAB_LOG: log}})
    assert.match(readFileSync(log, 'utf8'), new RegExp(`^\\S+ ci-1 up, pid ${(JSON.parse(stdout) as {leader: number}).leader}, 10\\.99\\.1\\.2$`, 'm'))
    await host.ok(['stop', 'ci-1'])
    const refused = await host.cli(['create', 'web', '--config', ''])
    assert.equal(refused.stderr, 'nixos-container: lab containers must be named ci-…, not ‘web’ (pre-create hook of plugin nixos-container-plugin-lab)\n')
    assert.ok(readFileSync(path.join(projectRoot, 'docs/plugins.md'), 'utf8').includes(`\`${refused.stderr.trim()}\``), 'the docs quote that refusal')
  })
})

describe('the example plugin installed as users install it: npm pack, then plugins install of the tarball', () => {
  const host = new TestHost('plugins-lab')
  const example = path.join(projectRoot, 'examples/plugins/lab')
  const labName = 'nixos-container-plugin-lab'
  const log = path.join(host.dir, 'lab.log')
  after(() => host.cleanup())

  it('installs from the tarball without the npm registry, and is listed as installed', async () => {
    // Made before the plugin is in: its naming policy would refuse the name.
    await host.ok(['create', 'jslab', '--config', '', '--host-address', '10.233.170.11', '--local-address', '10.233.170.12'])
    await execa('npm', ['pack', '--silent', '--pack-destination', host.dir, example])
    const tarball = path.join(host.dir, `${labName}-1.0.0.tgz`)
    // A registry that cannot answer: the install must not need one (nixos-container is only an optional peer).
    await host.ok(['plugins', 'install', `file:${tarball}`], {env: {NIXOS_CONTAINER_NPM_REGISTRY: 'http://127.0.0.1:9/'}})
    const {stdout} = await host.ok(['plugins', '--json'])
    assert.ok((JSON.parse(stdout) as {name: string; type: string}[]).some((p) => p.name === labName && p.type === 'user'))
    const installed = path.join(host.env.NIXOS_CONTAINER_DATA_DIR, 'node_modules')
    assert.ok(existsSync(path.join(installed, labName, 'hooks/network-allocate.js')))
    assert.ok(!existsSync(path.join(installed, 'nixos-container')), 'no copy of the core was fetched for the plugin')
  })

  it('runs its hooks, importing the core API: its allocator, then its naming policy', async () => {
    // The allocator runs first and imports addressesOf from 'nixos-container': had that import
    // failed, the create would fail naming the allocator, not be refused by the naming policy.
    const refused = await host.cli(['create', 'jsweb', '--config', '', '--allocator', 'lab'])
    assert.equal(refused.exitCode, 1)
    assert.equal(refused.stderr, `nixos-container: lab containers must be named ci-…, not ‘jsweb’ (pre-create hook of plugin ${labName})\n`)
    assert.ok(!existsSync(host.conf('jsweb')))
  })

  it('hears about starts (post-start), with the live leader', async () => {
    const {stdout} = await host.ok(['start', 'jslab', '--json'], {env: {LAB_LOG: log}})
    const {leader} = JSON.parse(stdout) as {leader: number}
    assert.match(readFileSync(log, 'utf8'), new RegExp(`^\\S+ jslab up, pid ${leader}, 10\\.233\\.170\\.12$`, 'm'))
    await host.ok(['stop', 'jslab'])
  })

  it('is gone after plugins uninstall, and its allocator with it', async () => {
    await host.ok(['plugins', 'uninstall', labName])
    const refused = await host.cli(['create', 'jsweb', '--config', '', '--allocator', 'lab'])
    assert.equal(refused.stderr, 'nixos-container: unknown allocator ‘lab’ (available: upstream, ula)\n')
  })
})

describe('the ula allocator', () => {
  const host = new TestHost('ula')
  after(() => host.cleanup())

  it('gives each container an IPv6 ULA pair of its own /64 next to the IPv4 pair, reachable once started', async () => {
    writeFileSync(host.env.NIXOS_CONTAINER_SETTINGS, JSON.stringify({providers: {ula: {prefix: 'fd42:0:beef::/48'}}}))
    await host.ok(['create', 'u1', '--config', '', '--allocator', 'ula'])
    await host.ok(['create', 'u2', '--config', ''], {env: {NIXOS_CONTAINER_ALLOCATOR: 'ula'}})
    assert.match(readFileSync(host.conf('u1'), 'utf8'), /^HOST_ADDRESS=10\.233\.1\.1\nLOCAL_ADDRESS=10\.233\.1\.2\nHOST_ADDRESS6=fd42:0:beef:1::1\nLOCAL_ADDRESS6=fd42:0:beef:1::2\n/m)
    assert.match(readFileSync(host.conf('u2'), 'utf8'), /^HOST_ADDRESS6=fd42:0:beef:2::1\nLOCAL_ADDRESS6=fd42:0:beef:2::2$/m)
    await host.ok(['start', 'u1'])
    assert.ok(await answersPing('fd42:0:beef:1::2'), 'the host reaches the container on its ULA address')
    const back = await host.cli(['run', 'u1', '--', 'ping', '-c', '1', '-w', '5', 'fd42:0:beef:1::1'])
    assert.equal(back.exitCode, 0, back.stdout + back.stderr)
    await host.ok(['stop', 'u1'])
  })

  it('refuses a prefix that is not a ULA /48, and makes nothing', async () => {
    writeFileSync(host.env.NIXOS_CONTAINER_SETTINGS, JSON.stringify({providers: {ula: {prefix: '2001:db8::/32'}}}))
    const before = host.leftovers()
    const result = await host.cli(['create', 'u3', '--config', '', '--allocator', 'ula'])
    assert.equal(result.stderr, 'nixos-container: ula: prefix ‘2001:db8::/32’ is not a ULA /48 of the form fdXX:XXXX:XXXX::/48\n')
    assert.deepEqual(host.leftovers(), before)
  })

  it('refuses a settings file that is not JSON, with its path', async () => {
    writeFileSync(host.env.NIXOS_CONTAINER_SETTINGS, '{"allocator": ')
    const result = await host.cli(['create', 'u4', '--config', ''])
    assert.equal(result.exitCode, 1)
    assert.match(result.stderr, new RegExp(`^nixos-container: ${host.env.NIXOS_CONTAINER_SETTINGS}: not valid JSON \\(.*\\)\\n$`))
  })
})
