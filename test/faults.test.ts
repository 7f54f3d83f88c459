// Faults and signals (issue 16): interrupted commands leave nothing half-made, names and conf
// files that would break later commands are refused up front, and errors keep their reason.
import assert from 'node:assert/strict'
import {execa, type ResultPromise} from 'execa'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {cliPath, TestHost} from './helpers/host.ts'

/** Pids of processes whose command line contains `marker` (our slow build's builder). */
function processesWith(marker: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)
    } catch {
      return false
    }
  })
}

async function until(what: string, done: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('faults and signals', function () {
  const host = new TestHost('faults')
  after(() => host.cleanup())

  /** Starts `nixos-container ARGS` in its own process group, collecting stderr as it comes. */
  function spawnCli(args: string[], env: Record<string, string> = {}): {child: ResultPromise; stderr: () => string} {
    const child = execa(process.execPath, [cliPath, ...args], {env: {...host.env, ...env}, stdin: 'ignore', reject: false, detached: true})
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    return {child, stderr: () => stderr}
  }

  describe('a signal to create', () => {
    const signals = [['SIGINT', 130, 'group'], ['SIGTERM', 143, 'pid'], ['SIGHUP', 129, 'pid']] as const
    let seq = 0

    for (const [signal, status, target] of signals) {
      it(`${signal} during the build (real slow build, sent to the ${target === 'group' ? 'process group, as Ctrl-C' : 'PID alone'}) leaves nothing`, async () => {
        // A derivation whose builder sleeps, read at evaluation time: the build runs for a minute.
        const marker = `ft-slow-${process.pid}-${Date.now()}-${seq++}`
        // (The marker is joined by Nix, so only the builder's command line contains it whole.)
        const [head, tail] = [marker.slice(0, 3), marker.slice(3)]
        const script = `("sleep 60; echo " + "${head}" + "${tail} > $out")`
        const config = `environment.etc.slow.text = builtins.readFile (derivation { name = "slow"; system = builtins.currentSystem; builder = "/bin/busybox"; args = [ "sh" "-c" ${script} ]; });`
        const name = `ft-b${seq}`
        const {child, stderr} = spawnCli(['create', name, '--config', config, '--host-address', `10.233.181.${seq}`, '--local-address', `10.233.182.${seq}`])
        await until('the slow build', () => processesWith(marker).length > 0)
        assert.ok(existsSync(host.conf(name)))
        process.kill(target === 'group' ? -child.pid! : child.pid!, signal)
        const result = await child
        assert.equal(result.exitCode, status, stderr())
        assert.deepEqual(host.leftovers(), [])
        assert.deepEqual(processesWith(marker), [], 'the build was stopped')
        assert.match(stderr(), new RegExp(`nixos-container: interrupted by ${signal}, undoing unfinished work`))
      })

      for (const point of ['conf-written', 'profile-set']) {
        it(`${signal} ${point === 'conf-written' ? 'after the conf is written' : 'after the profile is set'} leaves nothing (test hook NIXOS_CONTAINER_TEST_PAUSE)`, async () => {
          // No timing hits these points reliably, so create pauses there when the test asks it to.
          const name = `ft-p${seq++}`
          const {child, stderr} = spawnCli(['create', name, '--config', '', '--host-address', '10.233.183.1', '--local-address', '10.233.183.2'],
            {NIXOS_CONTAINER_TEST_PAUSE: point})
          await until(`create to reach ${point}`, () => stderr().includes(`test pause: ${point}`), 90_000)
          assert.ok(existsSync(host.conf(name)))
          if (point === 'profile-set') assert.ok(existsSync(path.join(host.profileDir(name), 'system')))
          process.kill(target === 'group' ? -child.pid! : child.pid!, signal)
          const result = await child
          assert.equal(result.exitCode, status, stderr())
          assert.deepEqual(host.leftovers(), [])
        })
      }
    }
  })
})
