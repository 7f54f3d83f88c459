// The truth about a running container comes from the kernel, not from a pid file (issue 16,
// findings 3, 4 and 5), under the direct supervisor: a killed systemd-nspawn, a killed start, a
// lost pid file and eight commands at once, each on a real container, each checked in /proc and
// in the container's cgroup afterwards.
import assert from 'node:assert/strict'
import {execa, type ResultPromise} from 'execa'
import {existsSync, readFileSync, rmSync} from 'node:fs'
import path from 'node:path'

import {isAlive, waitFor} from '../../dist/lib/proc.js'
import {startContainer} from '../../dist/operations/lifecycle.js'
import {openDirectContext} from '../../dist/operations/open-context.js'
import {answersPing, cliPath, type CliResult, TestHost} from '../helpers/host.ts'

const pidFile = (host: TestHost, name: string): string => path.join(host.runtimeDir, `${name}.pid`)
const recordedNspawn = (host: TestHost, name: string): number => Number(readFileSync(pidFile(host, name), 'utf8').split('\n')[0])
/** The container's systemd-nspawn processes (a process that ends while we look is none of them). */
const nspawnsOf = (host: TestHost, name: string): number[] => host.processesOf(name).filter((pid) => {
  try {
    return path.basename(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]) === 'systemd-nspawn'
  } catch {
    return false
  }
})

async function hostSide(name: string): Promise<string> {
  return (await execa('ip', ['-br', '-4', 'addr', 'show', `ve-${name}`], {reject: false})).stdout
}

/** Kills the container's systemd-nspawn with SIGKILL and waits until it is gone (its init stays). */
async function killNspawn(host: TestHost, name: string): Promise<number> {
  const nspawn = recordedNspawn(host, name)
  process.kill(nspawn, 'SIGKILL')
  assert.ok(await waitFor(() => !isAlive(nspawn), 5000))
  return nspawn
}

/** Nothing of the container runs, by /proc and by its cgroup, and status agrees. */
async function assertGone(host: TestHost, name: string): Promise<void> {
  assert.deepEqual(host.processesOf(name), [], 'no process in /proc')
  assert.deepEqual(host.cgroupProcessesOf(name), [], 'no process in its cgroup')
  assert.equal(await hostSide(name), '', 'no veth left')
  if (existsSync(host.conf(name))) {
    const status = await host.ok(['status', name])
    assert.deepEqual([status.stdout, status.stderr], ['down\n', ''])
  }
}

/** Up exactly once: one nspawn, the pid file naming it as booted, status plainly up, the network in place. */
async function assertCleanlyUp(host: TestHost, name: string, address: string): Promise<void> {
  const nspawns = nspawnsOf(host, name)
  assert.equal(nspawns.length, 1, `one systemd-nspawn, found ${nspawns.join(' ')}`)
  assert.equal(readFileSync(pidFile(host, name), 'utf8'), `${nspawns[0]}\nready\n`)
  const status = await host.ok(['status', name])
  assert.deepEqual([status.stdout, status.stderr], ['up\n', ''])
  // Every process of the container sits in its cgroup.
  const seen = host.processesOf(name)
  const inCgroup = new Set(host.cgroupProcessesOf(name))
  assert.deepEqual(seen.filter((pid) => isAlive(pid) && !inCgroup.has(pid)), [])
  const inits = host.processesOf(name).filter((pid) => /^NSpid:\s+\d+\s+1$/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')))
  assert.equal(inits.length, 1, 'one init')
  assert.match(await hostSide(name), new RegExp(`ve-${name}@\\S+\\s+UP\\s+${address.replace(/\.2$/, '.1').replaceAll('.', '\\.')}/`))
  assert.ok(await answersPing(address), `${address} answers`)
}

/**
 * For the describe block it is called in: a test host of its own and one container on 10.233.SUBNET.0/24
 * (host .1, container .2), created before the block's tests and removed with the host after them.
 */
function containerForBlock(hostName: string, name: string, subnet: number): {host: TestHost; name: string; address: string} {
  const host = new TestHost(hostName)
  const address = `10.233.${subnet}.2`
  before(async () => {
    await host.ok(['create', name, '--config', '', '--host-address', `10.233.${subnet}.1`, '--local-address', address])
  })
  after(() => host.cleanup())
  return {host, name, address}
}

describe('the kernel, not the pid file, says whether a container runs', function () {
  const {host, name, address} = containerForBlock('kt', 'kt-orphan', 211)

  it('kill -9 of systemd-nspawn: status says up and what is wrong, stop halts the orphaned init', async () => {
    await host.ok(['start', name])
    await killNspawn(host, name)
    assert.ok(host.processesOf(name).length > 0, 'its init outlives nspawn (the finding)')
    const status = await host.ok(['status', name])
    assert.equal(status.stdout, 'up\n')
    assert.match(status.stderr, new RegExp(`^nixos-container: warning: container ‘${name}’ is not running as it should: its systemd-nspawn is gone, but its init still runs \\(pid \\d+\\);`))
    const json = JSON.parse((await host.ok(['status', name, '--json'])).stdout)
    assert.equal(json.state, 'up')
    assert.match(json.problem, /its systemd-nspawn is gone/)
    const listed = JSON.parse((await host.ok(['list', '--json'])).stdout)
    assert.equal(listed.find((c: {name: string}) => c.name === name).state, 'up')
    await host.ok(['stop', name])
    await assertGone(host, name)
  })

  it('kill -9 of systemd-nspawn: start replaces the orphan, never running two copies', async () => {
    await host.ok(['start', name])
    const oldInit = Number(JSON.parse((await host.ok(['start', name, '--json'])).stdout).leader)
    await killNspawn(host, name)
    const started = await host.ok(['start', name])
    assert.match(started.stderr, /was left half-running: its systemd-nspawn is gone/)
    assert.ok(!isAlive(oldInit), 'the orphaned init is gone')
    await assertCleanlyUp(host, name, address)
  })

  it('kill -9 of systemd-nspawn: terminate kills the orphan', async () => {
    await killNspawn(host, name)
    await host.ok(['terminate', name])
    await assertGone(host, name)
  })

  it('a lost pid file hides nothing: status, start and stop find the container by its cgroup', async () => {
    await host.ok(['start', name])
    rmSync(pidFile(host, name))
    const status = await host.ok(['status', name])
    assert.equal(status.stdout, 'up\n')
    assert.match(status.stderr, /its pid file is missing, but its systemd-nspawn still runs/)
    await host.ok(['start', name])
    await assertCleanlyUp(host, name, address)
    rmSync(pidFile(host, name))
    await host.ok(['stop', name])
    await assertGone(host, name)
  })

  it('kill -9 of systemd-nspawn: destroy succeeds and leaves no process', async () => {
    await host.ok(['start', name])
    await killNspawn(host, name)
    await host.ok(['destroy', name])
    assert.ok(!existsSync(host.conf(name)) && !existsSync(host.root(name)))
    await assertGone(host, name)
  })
})

describe('a start killed right after it spawned systemd-nspawn', function () {
  const {host, name, address} = containerForBlock('kt-half', 'kt-half', 212)

  /** Runs start and kills it with SIGKILL as soon as its nspawn is recorded: before the network is set up. */
  async function killedStart(): Promise<void> {
    const start = execa(process.execPath, [cliPath, 'start', name], {env: host.env, reject: false})
    assert.ok(await waitFor(() => existsSync(pidFile(host, name)), 30_000, 2))
    start.kill('SIGKILL')
    await start
    assert.equal(readFileSync(pidFile(host, name), 'utf8').split('\n')[1], '', 'killed before it booted')
  }

  it('status names the half-start; start undoes it and boots the container with its network', async () => {
    await killedStart()
    // The init waits at the gate, without network: up, but not as it should be.
    assert.doesNotMatch(await hostSide(name), /10\.233\.212\.1/)
    const status = await host.ok(['status', name])
    assert.equal(status.stdout, 'up\n')
    assert.match(status.stderr, /its start was interrupted before it had booted/)
    const started = await host.ok(['start', name])
    assert.match(started.stderr, /was left half-running: its start was interrupted/)
    await assertCleanlyUp(host, name, address)
    await host.ok(['stop', name])
    await assertGone(host, name)
  })

  it('stop ends a half-started container', async () => {
    await killedStart()
    await host.ok(['stop', name])
    await assertGone(host, name)
  })

  it('a start aborted by the CLI\'s signal owner (AbortSignal) leaves the container fully down', async () => {
    // In process, as the CLI's SIGINT/SIGTERM/SIGHUP handler would drive it: startContainer with a
    // signal that aborts once nspawn is recorded.
    const saved = {...process.env}
    Object.assign(process.env, host.env)
    try {
      const context = await openDirectContext({progress: 'silent'})
      const controller = new AbortController()
      const started = startContainer(context, {name, timeoutMs: 60_000, signal: controller.signal})
      assert.ok(await waitFor(() => existsSync(pidFile(host, name)), 30_000, 2))
      controller.abort()
      await assert.rejects(started, {message: `start of container ‘${name}’ was interrupted; it has been stopped again`})
    } finally {
      for (const key of Object.keys(host.env)) {
        if (saved[key] === undefined) delete process.env[key]
        else process.env[key] = saved[key]
      }
    }
    await assertGone(host, name)
  })

  it('Ctrl-C (SIGINT to the process group), SIGTERM or SIGHUP to start right after it spawned systemd-nspawn leaves the container fully down', async () => {
    for (const [signal, status, target] of [['SIGINT', 130, 'group'], ['SIGTERM', 143, 'pid'], ['SIGHUP', 129, 'pid']] as const) {
      const start = execa(process.execPath, [cliPath, 'start', name], {env: host.env, reject: false, detached: true, stdin: 'ignore'})
      assert.ok(await waitFor(() => existsSync(pidFile(host, name)), 30_000, 2))
      process.kill(target === 'group' ? -start.pid! : start.pid!, signal)
      const result = await start
      assert.equal(result.exitCode, status, `${signal}: ${String(result.stderr)}`)
      assert.match(String(result.stderr), new RegExp(`^nixos-container: interrupted by ${signal}, undoing unfinished work$`, 'm'))
      assert.doesNotMatch(String(result.stderr), /^nixos-container: (?!interrupted)/m, 'no error line besides the interruption')
      await assertGone(host, name)
      assert.ok(!existsSync(pidFile(host, name)), `${signal}: no pid file left`)
    }
    // And it starts normally afterwards.
    await host.ok(['start', name])
    await assertCleanlyUp(host, name, address)
    await host.ok(['stop', name])
    await assertGone(host, name)
  })

  it('destroy always succeeds on a half-started container', async () => {
    await killedStart()
    await host.ok(['destroy', name])
    await assertGone(host, name)
  })
})

describe('commands on one container at once serialize on its lock', function () {
  const {host, name, address} = containerForBlock('kt-race', 'kt-race', 213)

  const run = (args: string[]): ResultPromise => execa(process.execPath, [cliPath, ...args], {env: host.env, reject: false})
  const outcome = (result: {exitCode?: number; stderr: unknown}): CliResult => ({exitCode: result.exitCode ?? 128, stdout: '', stderr: String(result.stderr)})

  it('eight starts at once: all succeed, and the container runs once', async () => {
    const results = (await Promise.all(Array.from({length: 8}, () => run(['start', name])))).map(outcome)
    assert.deepEqual(results.map((r) => r.exitCode), Array(8).fill(0), results.map((r) => r.stderr).join('\n'))
    await assertCleanlyUp(host, name, address)
  })

  it('eight starts and stops at once: all succeed, and the container ends cleanly up or cleanly down', async () => {
    for (let round = 0; round < 2; round++) {
      const results = (await Promise.all(Array.from({length: 8}, (_, i) => run([i % 2 === round ? 'start' : 'stop', name])))).map(outcome)
      assert.deepEqual(results.map((r) => r.exitCode), Array(8).fill(0), results.map((r) => r.stderr).join('\n'))
      if ((await host.ok(['status', name])).stdout === 'up\n') await assertCleanlyUp(host, name, address)
      else await assertGone(host, name)
    }
  })

  it('a second command waits for the first, then acts on what it finds', async () => {
    await host.ok(['start', name])
    // stop holds the lock while the container halts; the start behind it must boot it again. The
    // start is sent once stop has begun its step (under the lock), whatever the machine's load.
    const stopping = run(['stop', name])
    let said = ''
    stopping.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()))
    for (let tries = 0; tries < 200 && !said.includes('Stopping container'); tries++) await new Promise((resolve) => setTimeout(resolve, 25))
    assert.match(said, /Stopping container/)
    const [stopped, started] = await Promise.all([stopping, run(['start', name])])
    assert.deepEqual([stopped.exitCode, started.exitCode], [0, 0], String(started.stderr))
    await assertCleanlyUp(host, name, address)
    await host.ok(['destroy', name])
    await assertGone(host, name)
  })
})
