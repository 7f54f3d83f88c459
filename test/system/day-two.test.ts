// Day-two operations (issue 12): generations, rollback, update --dry-run, and what list and status
// tell a script, on a real container serving HTTP (the fixture's web server on port 80).
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {TestHost} from '../helpers/host.ts'

const name = 'dt-web'
const address = '10.233.175.2'
const page = (text: string) => `imports = [ ${path.resolve('test/fixtures/container.nix')} ]; environment.etc."www/index.html".text = lib.mkForce "${text}";`

describe('day-two operations: generations, rollback, update --dry-run, list and status', function () {
  this.timeout(180_000)
  const host = new TestHost('daytwo')
  const served = async (): Promise<string> => (await (await fetch(`http://${address}/`, {signal: AbortSignal.timeout(5000)})).text()).trim()
  const profileLinks = () => readdirSync(host.profileDir(name)).sort()
  const current = () => readlinkSync(path.join(host.profileDir(name), 'system'))

  before(async () => {
    await host.ok(['create', name, '--host-address', '10.233.175.1', '--local-address', address, '--config', page('one')])
    await host.ok(['start', name])
  })
  after(() => host.cleanup())

  it('update --dry-run builds and names the new system, and changes nothing', async () => {
    const before = {links: profileLinks(), current: current(), configuration: readFileSync(path.join(host.root(name), 'etc/nixos/configuration.nix'), 'utf8')}
    const dry = await host.ok(['update', name, '--dry-run', '--config', page('two')])
    const [header] = dry.stdout.split('\n')
    const match = /^system: (\/nix\/store\/\S+) → (\/nix\/store\/\S+-nixos-system-dt-web)$/.exec(header)
    assert.ok(match, dry.stdout)
    assert.equal(match[1], realpathSync(path.join(host.profileDir(name), 'system')))
    assert.match(dry.stdout, new RegExp(`^  \\+ nixos-system-dt-web  ${match[2]}$`, 'm'), 'names the new path')
    // The fixture's activate script writes /etc: the new text is in the system update would switch to.
    assert.match(readFileSync(path.join(match[2], 'activate'), 'utf8'), /\btwo\b/, 'that is the system update would switch to')
    assert.deepEqual({links: profileLinks(), current: current(), configuration: readFileSync(path.join(host.root(name), 'etc/nixos/configuration.nix'), 'utf8')}, before)
    assert.equal(await served(), 'one', 'the running system is untouched')
    const json = JSON.parse((await host.ok(['update', name, '--dry-run', '--config', page('two'), '--json'])).stdout)
    assert.equal(json.dryRun, true)
    assert.equal(json.activated, false)
    assert.equal(json.changes.to, match[2])
    assert.ok(json.changes.added.includes(match[2]))
  })

  it('two updates, then rollback: the running container serves the older generation, and generations shows three', async () => {
    const first = realpathSync(path.join(host.profileDir(name), 'system'))
    const second = await host.ok(['update', name, '--config', page('two')])
    assert.match(second.stderr, /^system: \/nix\/store\/\S+ → \/nix\/store\/\S+-nixos-system-dt-web$/m, 'update says what changes before activating')
    assert.equal(await served(), 'two')
    const quiet = await host.ok(['update', name, '--quiet', '--config', page('three')])
    assert.doesNotMatch(quiet.stderr, /^system:/m)
    assert.equal(await served(), 'three')

    const rolled = JSON.parse((await host.ok(['rollback', name, '--json'])).stdout)
    assert.deepEqual({from: rolled.from, to: rolled.to, activated: rolled.activated}, {from: 3, to: 2, activated: true})
    assert.equal(await served(), 'two')

    const generations = JSON.parse((await host.ok(['generations', name, '--json'])).stdout)
    assert.deepEqual(generations.map((g: {number: number; current: boolean}) => [g.number, g.current]), [[1, false], [2, true], [3, false]])
    assert.equal(generations[0].systemPath, first)
    const text = (await host.ok(['generations', name])).stdout.split('\n').filter(Boolean)
    assert.equal(text.length, 3)
    assert.match(text[1], /^ {3}2 {3}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {3}\/nix\/store\/\S+-nixos-system-dt-web {3}\(current\)$/)

    // Forward again, to a given generation.
    await host.ok(['rollback', name, '--to', '3'])
    assert.equal(await served(), 'three')
    await host.ok(['rollback', name, '--to', '1'])
    assert.equal(await served(), 'one')
  })

  it('refuses an unknown generation, the current one, and a rollback from the oldest, changing nothing', async () => {
    const before = {links: profileLinks(), current: current()}
    const cases: Array<[string[], string]> = [
      [['--to', '9'], 'there is no generation 9 (there are: 1, 2, 3)'],
      [['--to', '1'], 'generation 1 is already the current one'],
      [[], 'there is no generation to roll back to (the current one, 1, is the oldest)'],
    ]
    for (const [args, message] of cases) {
      const refused = await host.cli(['rollback', name, ...args])
      assert.equal(refused.exitCode, 1)
      assert.equal(refused.stderr, `nixos-container: ${message}\n`)
    }
    assert.deepEqual({links: profileLinks(), current: current()}, before)
    assert.equal((await host.cli(['generations', 'dt-nonexistent'])).exitCode, 1)
  })

  it('list --json and status --json carry state, addresses, generation, supervisor, leader and start time', async () => {
    const status = JSON.parse((await host.ok(['status', name, '--json'])).stdout)
    const [listed] = JSON.parse((await host.ok(['list', '--json'])).stdout)
    // The same facts both ways (memory in use moves from one moment to the next).
    const withoutMemory = ({memoryCurrent, ...rest}: {memoryCurrent?: number}) => (assert.ok(memoryCurrent! > 0), rest)
    assert.deepEqual(withoutMemory(listed), withoutMemory(status))
    assert.equal(status.state, 'up')
    assert.equal(status.localAddress, address)
    assert.equal(status.generation, 1)
    assert.equal(status.supervisor, 'nspawn')
    // The leader is the container's init: a process of the container whose parent is its systemd-nspawn.
    assert.ok(host.processesOf(name).includes(status.leader))
    const parent = Number(readFileSync(`/proc/${status.leader}/stat`, 'utf8').split(') ')[1].split(' ')[1])
    assert.equal(readFileSync(`/proc/${parent}/comm`, 'utf8'), 'systemd-nspawn\n')
    const age = Date.now() - Date.parse(status.startedAt)
    assert.ok(age >= 0 && age < 180_000, `started ${age} ms ago`)
    const table = (await host.ok(['list', '--long'])).stdout.split('\n')
    assert.match(table[0], /^NAME +STATE +ADDRESS +GENERATION +UPTIME$/)
    assert.match(table[1], /^dt-web +up +10\.233\.175\.2 +1 +(\d+s|\dm \d\ds)$/)

    await host.ok(['stop', name])
    const stopped = JSON.parse((await host.ok(['status', name, '--json'])).stdout)
    assert.equal(stopped.state, 'down')
    assert.equal(stopped.localAddress, address, 'addresses of a stopped container too')
    assert.equal(stopped.leader, undefined)
    assert.match((await host.ok(['list', '--long'])).stdout.split('\n')[1], /^dt-web +down +10\.233\.175\.2 +1 +-$/)
  })

  it('list --json and status --json carry IPv6 addresses too, for a stopped container', async () => {
    await host.ok(['create', 'dt-six', '--config', '', '--host-address', '10.233.177.1', '--local-address', '10.233.177.2',
      '--host-address6', 'fd42:175::1', '--local-address6', 'fd42:175::2'])
    const status = JSON.parse((await host.ok(['status', 'dt-six', '--json'])).stdout)
    const listed = JSON.parse((await host.ok(['list', '--json'])).stdout).find((c: {name: string}) => c.name === 'dt-six')
    for (const summary of [status, listed]) {
      assert.deepEqual([summary.state, summary.hostAddress, summary.localAddress, summary.hostAddress6, summary.localAddress6, summary.generation],
        ['down', '10.233.177.1', '10.233.177.2', 'fd42:175::1', 'fd42:175::2', 1])
    }
    await host.ok(['destroy', 'dt-six'])
  })

  it('works on a container made by upstream\'s tool: its conf as upstream writes it, its profile set by nix-env', async () => {
    const upstream = 'dt-perl'
    const system = realpathSync(path.join(host.profileDir(name), 'system'))
    mkdirSync(host.configDir, {recursive: true})
    writeFileSync(host.conf(upstream), 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.176.1\nLOCAL_ADDRESS=10.233.176.2\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n')
    mkdirSync(path.join(host.root(upstream), 'etc/nixos'), {recursive: true})
    writeFileSync(path.join(host.root(upstream), 'etc/nixos/configuration.nix'), `{ config, lib, pkgs, ... }:\n\n{ boot.isContainer = true;\n  networking.hostName = lib.mkDefault "${upstream}";\n  networking.useDHCP = false;\n  ${page('perl')}\n}\n`)
    mkdirSync(host.profileDir(upstream), {recursive: true})
    await execa('nix-env', ['-p', path.join(host.profileDir(upstream), 'system'), '--set', system])
    assert.match((await host.ok(['generations', upstream])).stdout, /^ {3}1 .* {3}\(current\)$/m)
    const status = JSON.parse((await host.ok(['status', upstream, '--json'])).stdout)
    assert.deepEqual([status.state, status.hostAddress, status.localAddress, status.generation, status.autoStart, status.systemPath],
      ['down', '10.233.176.1', '10.233.176.2', 1, false, system])
    assert.match((await host.ok(['list', '--long'])).stdout, /^dt-perl +down +10\.233\.176\.2 +1 +-$/m)
    const dry = await host.ok(['update', upstream, '--dry-run'])
    assert.match(dry.stdout, new RegExp(`^system: ${system} → /nix/store/\\S+-nixos-system-${upstream}$`, 'm'))
    await host.ok(['update', upstream])
    await host.ok(['rollback', upstream])
    assert.equal(realpathSync(path.join(host.profileDir(upstream), 'system')), system)
    await host.ok(['destroy', upstream])
  })
})
