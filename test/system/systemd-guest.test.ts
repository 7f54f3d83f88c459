// The guest every real NixOS container is: PID 1 becomes systemd after a stage-2 shell init
// (the fixture's `fixture.systemd = true`, see test/fixtures/nixpkgs/README.md), here under the
// direct supervisor (this machine's PID 1 is not systemd; test/system/systemd.test.ts runs the same
// guest under the systemd supervisor). The tests run in order on one container.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {cliPath, TestHost} from '../helpers/host.ts'
import {logInOnTerminals, loginShell, rootShell} from '../helpers/terminal.ts'

const name = 'sdguest'
const hostAddress = '10.233.61.1'
const localAddress = '10.233.61.2'
const guestConfig = (extra = ''): string => `fixture.systemd = true;
  environment.etc."www/index.html".text = "served since boot";
  systemd.services.web.script = "exec httpd -f -p ${localAddress}:80 -h /etc/www";
  systemd.services.greeter.script = "echo greeting from the guest; exec sleep 1000000";
  ${extra}`

/**
 * Host processes that a session could have left stuck: stopped (T), or zombies (Z) that their
 * parent never reaps. A zombie handed to PID 1 is the host init's to reap, at its own pace (here
 * PID 1 is not systemd), and a zombie for a moment is normal: so orphans of PID 1 are left out,
 * and the list must stay non-empty for a few seconds before it counts.
 */
async function stuckSessionProcesses(): Promise<string[]> {
  const sample = (): string[] => {
    const stuck: string[] = []
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
        if (!/^(nsenter|su|sh|login|systemd-run|node)$/.test(comm)) continue
        if (state === 'T' || (state === 'Z' && ppid !== '1')) stuck.push(`${pid} ${comm} ${state} (parent ${ppid})`)
      } catch {
        // Gone meanwhile.
      }
    }
    return stuck
  }
  let stuck = sample()
  for (let tries = 0; tries < 50 && stuck.length > 0; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    stuck = sample()
  }
  return stuck
}

/** Host processes that entered this container (its sessions' nsenter). */
async function sessionsOnHost(leader: number): Promise<string> {
  return (await execa('pgrep', ['-af', `nsenter --target ${leader} `], {reject: false})).stdout
}

/** Every process in the container's cgroup (the direct supervisor's own; see cgroup.ts). */
function containerProcesses(container: string): number[] {
  const pids: number[] = []
  for (const root of ['/sys/fs/cgroup/unified', '/sys/fs/cgroup/systemd', '/sys/fs/cgroup']) {
    const walk = (dir: string): void => {
      try {
        pids.push(...readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number))
        for (const entry of readdirSync(dir, {withFileTypes: true})) if (entry.isDirectory()) walk(path.join(dir, entry.name))
      } catch {
        // Not there.
      }
    }
    walk(path.join(root, 'nixos-containers', container))
  }
  return pids
}

describe('a container whose PID 1 is systemd (direct supervisor)', function () {
  this.timeout(180_000)
  const host = new TestHost('sdguest')
  const leader = async (): Promise<number> => JSON.parse((await host.ok(['start', name, '--json'])).stdout).leader
  const systemState = async (): Promise<string> => (await host.ok(['run', name, '--', 'systemctl', 'is-system-running'])).stdout.trim()

  before(async () => {
    await host.ok(['create', name, '--host-address', hostAddress, '--local-address', localAddress, '--config', guestConfig()])
  })
  after(() => host.cleanup())

  it('start returns once systemd has booted: right after it, the system is running', async () => {
    await host.ok(['start', name])
    // Without --wait: start must not have returned before the guest's systemd was done.
    assert.match(await systemState(), /^(running|degraded)$/)
    assert.equal((await host.ok(['status', name])).stdout, 'up\n')
  })

  it('its network was in place before its services started: one bound the container address at boot', async () => {
    const page = await fetch(`http://${localAddress}/`, {signal: AbortSignal.timeout(5000)})
    assert.equal((await page.text()).trim(), 'served since boot')
    assert.equal((await host.ok(['run', name, '--', 'systemctl', 'is-active', 'web'])).stdout, 'active\n')
  })

  it('run keeps the exit status and passes standard input', async () => {
    assert.equal((await host.cli(['run', name, '--', 'sh', '-c', 'exit 7'])).exitCode, 7)
    assert.equal((await host.cli(['run', name, '--', 'sh', '-c', 'kill -SEGV $$'])).exitCode, 139)
    assert.equal((await host.ok(['run', name, '--', 'cat'], {input: 'through stdin\n'})).stdout, 'through stdin\n')
    // Each run was a scope of the guest's systemd, collected once it ended.
    const scopes = (await host.ok(['run', name, '--', 'systemctl', 'list-units', '--type=scope', '--no-legend', '--plain'])).stdout
    assert.equal(scopes.split('\n').filter((line) => line.includes('nixos-container run')).length, 1, scopes)
  })

  it('root-login and login work on a real terminal', async () => {
    await logInOnTerminals(host, name)
  })

  it('update activates the new system: the reload reaches the guest\'s systemd', async () => {
    await host.ok(['update', name, '--config', guestConfig('systemd.services.second.script = "exec sleep 1000000";')])
    assert.equal((await host.ok(['run', name, '--', 'systemctl', 'is-active', 'second'])).stdout, 'active\n')
  })

  it('stop with a root-login and a login session open is done within 10 s, and the guest halts cleanly', async () => {
    const shell = await rootShell(host, name)
    const login = await loginShell(host, name)

    const began = Date.now()
    await host.ok(['stop', name])
    assert.ok(Date.now() - began < 10_000, `stop took ${Date.now() - began} ms`)
    const console = readFileSync(path.join(host.runtimeDir, `${name}.log`), 'utf8')
    assert.match(console, /Halting system/)
    assert.match(console, /has been shut down/)
    // The sessions ended with the container, and left nothing on the host.
    await shell.close()
    await login.close()
    assert.deepEqual(await stuckSessionProcesses(), [])
    assert.deepEqual(containerProcesses(name), [])
  })

  it('restarts twice, booted each time', async () => {
    const leaders = new Set<number>()
    await host.ok(['start', name])
    for (let i = 0; i < 2; i++) {
      await host.ok(['restart', name])
      leaders.add(await leader())
      assert.match(await systemState(), /^(running|degraded)$/)
    }
    assert.equal(leaders.size, 2)
  })

  it('a session whose terminal goes away leaves nothing behind on the host', async () => {
    const pid1 = await leader()
    const shell = await rootShell(host, name)
    assert.notEqual(await sessionsOnHost(pid1), '')
    await shell.hangUp()
    await new Promise((resolve) => setTimeout(resolve, 1500))
    assert.equal(await sessionsOnHost(pid1), '')
    assert.deepEqual(await stuckSessionProcesses(), [])
  })

  it('run and root-login on a container that is still booting wait for the boot', async () => {
    await host.ok(['stop', name])
    const starting = host.cli(['start', name])
    // As soon as its systemd-nspawn runs: the container is booting, not booted.
    const pidFile = path.join(host.runtimeDir, `${name}.pid`)
    for (let tries = 0; tries < 200; tries++) {
      try {
        readFileSync(pidFile)
        break
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    }
    assert.match(await systemState(), /^(running|degraded)$/)
    assert.equal((await starting).exitCode, 0)
  })

  it('logs shows what the guest wrote to its journal, and -f what it writes after', async () => {
    assert.match((await host.ok(['logs', name, '-n', '200'])).stdout, /greeting from the guest/)
    const follow = execa(process.execPath, [cliPath, 'logs', name, '-f', '-n', '0'], {env: host.env, reject: false})
    let seen = ''
    follow.stdout!.setEncoding('utf8').on('data', (chunk: string) => (seen += chunk))
    await new Promise((resolve) => setTimeout(resolve, 1000))
    await host.ok(['run', name, '--', 'sh', '-c', 'logger -t probe written-after-follow-began'])
    for (let tries = 0; tries < 100 && !seen.includes('written-after-follow-began'); tries++) await new Promise((resolve) => setTimeout(resolve, 50))
    follow.kill('SIGINT')
    const ended = await follow
    assert.match(seen, /probe\[\d+\]: written-after-follow-began/)
    assert.equal(ended.exitCode, 0)
    // The console is there too.
    assert.match((await host.ok(['logs', name, '--console', '-n', '500'])).stdout, /Reached target .*Multi-User System/)
  })

  it('logs chooses journal entries as journalctl does: --priority, --grep, --since, --until', async () => {
    const tag = `filters-${process.pid}`
    await host.ok(['run', name, '--', 'sh', '-c', `logger -t ${tag} -p user.info an-info-line && logger -t ${tag} -p user.err an-error-line`])
    const messages = async (...args: string[]): Promise<string[]> => {
      const result = await host.cli(['logs', name, '--json', ...args])
      const found = result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l))
        .filter((entry) => entry.SYSLOG_IDENTIFIER === tag).map((entry) => entry.MESSAGE)
      // As grep (and journalctl --grep): 1 when nothing matched.
      assert.equal(result.exitCode, args.includes('--grep') && found.length === 0 ? 1 : 0, result.stderr)
      return found
    }
    // journald may write them a moment after logger has sent them.
    for (let tries = 0; tries < 100 && (await messages('--grep', 'an-error-line')).length === 0; tries++) await new Promise((resolve) => setTimeout(resolve, 50))
    assert.deepEqual(await messages('--grep', 'an-(info|error)-line'), ['an-info-line', 'an-error-line'])
    assert.deepEqual(await messages('-p', 'err', '--grep', 'line'), ['an-error-line'])
    assert.deepEqual(await messages('--priority', '0..3', '--since', '-10min', '-n', '1000'), ['an-error-line'])
    assert.deepEqual(await messages('--grep', 'line', '--until', '2000-01-01'), [])
    assert.deepEqual(await messages('--since', 'tomorrow'), [])
    const bad = await host.cli(['logs', name, '-p', 'loud'])
    assert.deepEqual([bad.exitCode, bad.stderr], [1, 'nixos-container: --priority: ‘loud’ is not a priority (emerg, alert, crit, err, warning, notice, info, debug, 0 to 7, or FROM..TO)\n'])
    const consoleToo = await host.cli(['logs', name, '--console', '--since', '-1h'])
    assert.deepEqual([consoleToo.exitCode, consoleToo.stderr],
      [1, 'nixos-container: --since, --until, --grep and --priority choose journal entries: they do not apply to --console\n'])
  })

  it('SIGTERM to the CLI reaches the command in the container, under the project\'s Node and the system\'s own (Debian\'s 20)', async function () {
    const nodes = [process.execPath, ...(existsSync('/usr/bin/node') ? ['/usr/bin/node'] : [])]
    for (const node of nodes) {
      const cli = execa(node, [cliPath, 'run', name, '--', 'sleep', '4242'], {env: host.env, reject: false})
      const inside = async (): Promise<boolean> => (await execa('pgrep', ['-f', '^sleep 4242$'], {reject: false})).exitCode === 0
      for (let tries = 0; tries < 100 && !(await inside()); tries++) await new Promise((resolve) => setTimeout(resolve, 50))
      assert.ok(await inside(), `the command runs (${node})`)
      cli.kill('SIGTERM')
      assert.equal((await cli).exitCode, 143, node)
      await new Promise((resolve) => setTimeout(resolve, 300))
      assert.ok(!(await inside()), `nothing stays running in the container (${node})`)
    }
  })

  it('terminate ends it at once; destroy then leaves no veth, process or mount', async () => {
    const began = Date.now()
    await host.ok(['terminate', name])
    assert.ok(Date.now() - began < 5000, `terminate took ${Date.now() - began} ms`)
    assert.equal((await host.ok(['status', name])).stdout, 'down\n')
    await host.ok(['destroy', name])
    assert.notEqual((await execa('ip', ['link', 'show', `ve-${name}`], {reject: false})).exitCode, 0)
    assert.deepEqual(containerProcesses(name), [])
    assert.doesNotMatch(readFileSync('/proc/self/mountinfo', 'utf8'), new RegExp(host.dir))
  })

  it('a guest that never reports ready fails start at --timeout, with its console, and nothing stays running', async () => {
    // A boot job that never finishes: systemd never reaches its default target, so never READY=1.
    await host.ok(['create', 'stuck', '--host-address', '10.233.62.1', '--local-address', '10.233.62.2', '--config',
      'fixture.systemd = true; environment.etc."systemd/system/block.service".text = "[Service]\\nType=oneshot\\nExecStart=/run/current-system/sw/bin/sleep 1000\\n"; environment.etc."systemd/system/multi-user.target.d/block.conf".text = "[Unit]\\nWants=block.service\\nAfter=block.service\\n";'])
    const started = await host.cli(['start', 'stuck', '--timeout', '4'])
    assert.equal(started.exitCode, 1)
    assert.match(started.stderr, /failed to start container ‘stuck’: it did not report that it had booted within 4 s \(.+\)\n$/)
    const errorLine = started.stderr.split('\n').find((line) => line.startsWith('nixos-container: failed')) ?? ''
    assert.doesNotMatch(errorLine, /\x1b/, 'the console tail comes without terminal escapes')
    assert.equal((await host.ok(['status', 'stuck'])).stdout, 'down\n')
    assert.deepEqual(containerProcesses('stuck'), [])
  })
})
