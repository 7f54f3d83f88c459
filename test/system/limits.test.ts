// Resource limits (issue 13): --memory, --cpus, --tasks-max at create and `set` on a running
// container, under the direct supervisor on this host (cgroup v1 controllers on a hybrid host,
// cgroup2's on a unified one); the systemd supervisor's unit properties are in systemd.test.ts.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'

import {TestHost} from '../helpers/host.ts'

const name = 'lim-a'

describe('resource limits: --memory, --cpus, --tasks-max and set', function () {
  this.timeout(180_000)
  const host = new TestHost('limits')
  const run = async (script: string) => host.cli(['run', name, '--', 'sh', '-c', script])
  // A process that needs 100 MiB at once: dd's block buffer, filled from /dev/zero.
  const allocate100M = async () => run('dd if=/dev/zero of=/dev/null bs=100M count=1 2>/dev/null; echo status=$?')
  const status = async () => JSON.parse((await host.ok(['status', name, '--json'])).stdout)

  after(() => host.cleanup())

  it('a memory limit the guest hits kills the process that passes it; set raises it at once', async () => {
    await host.ok(['create', name, '--config', '', '--host-address', '10.233.185.1', '--local-address', '10.233.185.2', '--memory', '64M', '--cpus', '0.5', '--tasks-max', '40'])
    assert.match(readFileSync(host.conf(name), 'utf8'), /\nMEMORY_MAX=67108864\nCPUS=0.5\nTASKS_MAX=40\n$/)
    await host.ok(['start', name])
    assert.equal((await allocate100M()).stdout, 'status=137\n', 'killed by the OOM killer (SIGKILL)')
    const set = JSON.parse((await host.ok(['set', name, '--memory', '256M', '--json'])).stdout)
    assert.deepEqual(set, {name, limits: {memoryBytes: 268435456, cpus: 0.5, tasksMax: 40}, applied: true})
    assert.equal((await allocate100M()).stdout, 'status=0\n')
    assert.equal(readFileSync(host.conf(name), 'utf8').match(/^MEMORY_MAX=.*$/m)?.[0], 'MEMORY_MAX=268435456', 'kept for later starts')
  })

  it('the task limit stops a fork bomb; status --json shows the limits and the memory in use', async () => {
    const forks = await run('for i in $(seq 1 80); do sleep 3 </dev/null >/dev/null 2>&1 & done 2>&1 | tail -1')
    assert.match(forks.stdout, /can't fork/)
    const now = await status()
    assert.deepEqual(now.limits, {memoryBytes: 268435456, cpus: 0.5, tasksMax: 40})
    assert.ok(now.memoryCurrent > 0 && now.memoryCurrent < 268435456, `memory in use: ${now.memoryCurrent}`)
  })

  it('limits recorded while stopped apply at the next start; none lifts one', async () => {
    await host.ok(['stop', name])
    const stopped = JSON.parse((await host.ok(['set', name, '--memory', '64M', '--tasks-max', 'none', '--json'])).stdout)
    assert.deepEqual(stopped, {name, limits: {memoryBytes: 67108864, cpus: 0.5}, applied: false})
    await host.ok(['start', name])
    assert.equal((await allocate100M()).stdout, 'status=137\n')
    const forks = await run('for i in $(seq 1 80); do sleep 3 </dev/null >/dev/null 2>&1 & done 2>&1 | tail -1; echo forked')
    assert.equal(forks.stdout, 'forked\n', 'no task limit any more')
  })

  it('refuses bad values and an empty set in one line, changing nothing', async () => {
    const before = readFileSync(host.conf(name), 'utf8')
    const cases: Array<[string[], string]> = [
      [['set', name, '--memory', '2X'], '--memory: ‘2X’ is not a size of at least 1M (such as 512M or 2G, or none)'],
      [['set', name, '--cpus', '0'], '--cpus: ‘0’ is not a positive number of CPUs (such as 0.5 or 2, or none)'],
      [['set', name, '--cpus', '-1'], '--cpus: ‘-1’ is not a positive number of CPUs (such as 0.5 or 2, or none)'],
      [['set', name, '--tasks-max', '1.5'], '--tasks-max: ‘1.5’ is not a positive whole number (or none)'],
      [['set', name], 'nothing to set: give --memory, --cpus or --tasks-max'],
      [['set', 'lim-none', '--memory', '1G'], 'container ‘lim-none’ does not exist'],
      [['create', 'lim-b', '--config', '', '--memory', 'lots'], '--memory: ‘lots’ is not a size of at least 1M (such as 512M or 2G, or none)'],
    ]
    for (const [args, message] of cases) {
      const refused = await host.cli(args)
      assert.equal(refused.exitCode, 1, args.join(' '))
      assert.equal(refused.stderr, `nixos-container: ${message}\n`)
    }
    assert.equal(readFileSync(host.conf(name), 'utf8'), before)
    await host.ok(['destroy', name])
  })
})
