// Faults and signals (issue 16): interrupted commands leave nothing half-made, names and conf
// files that would break later commands are refused up front, and errors keep their reason.
import assert from 'node:assert/strict'
import {execa, type ResultPromise} from 'execa'
import {existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {cliPath, fixtures, projectRoot, TestHost} from '../helpers/host.ts'

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

  it('#1 cause: execa\'s signal-exit re-raises a signal past a `once` listener, but not past the signal owner', async () => {
    // The same async cleanup under both, while an execa child (which loads signal-exit) runs.
    const script = (register: string): string => `
      import {execa} from 'execa'
      import {onInterrupt} from '${path.join(projectRoot, 'dist/lib/signals.js')}'
      const cleanup = () => new Promise((resolve) => setTimeout(() => { console.log('cleanup finished'); resolve() }, 200))
      ${register}
      execa('sleep', ['5']).catch(() => {})
      setTimeout(() => process.kill(process.pid, 'SIGTERM'), 300)
      setTimeout(() => {}, 3000)`
    const run = (register: string) => execa(process.execPath, ['--input-type=module', '-e', script(register)], {cwd: projectRoot, reject: false})
    const once = await run(`process.once('SIGTERM', () => { cleanup().then(() => process.exit(143)) })`)
    assert.equal(once.signal, 'SIGTERM', 'killed by the re-raised signal')
    assert.equal(once.stdout, '', 'before its cleanup finished')
    const owned = await run('onInterrupt(cleanup)')
    assert.equal(owned.exitCode, 143)
    assert.equal(owned.stdout, 'cleanup finished')
  })

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
        assert.match(stderr(), new RegExp(`nixos-container: interrupted by ${signal}, undoing unfinished work\n`))
        assert.doesNotMatch(stderr(), /^nixos-container: (?!interrupted)/m, "no error line besides the interruption")
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

  const oneLine = (stderr: string): string => {
    const lines = stderr.trimEnd().split('\n')
    assert.equal(lines.length, 1, `expected one line on stderr, got:\n${stderr}`)
    return lines[0]
  }

  /** A NAME.conf as upstream (or a create killed with -9) leaves it: settings, no system. */
  const writeBareConf = (name: string, text: string): void => {
    mkdirSync(host.configDir, {recursive: true})
    writeFileSync(host.conf(name), text)
  }

  it('#6 create refuses names systemd would refuse later; names upstream made stay usable', async () => {
    for (const [args, message] of [
      [['create', 'a_b', '--config', ''], /^nixos-container: invalid container name ‘a_b’: ‘_’ is not allowed in systemd machine names/],
      [['create', '--config', '', '--', '-x'], /^nixos-container: invalid container name ‘-x’: it must start and end with a letter or digit$/],
      [['create', 'x-', '--config', ''], /must start and end with a letter or digit/],
    ] as const) {
      const result = await host.cli([...args])
      assert.equal(result.exitCode, 1, args.join(' '))
      assert.match(oneLine(result.stderr), message)
    }
    assert.deepEqual(host.leftovers(), [])
    // A container upstream's tool created under its looser rule is still listed and destroyed.
    writeBareConf('ft_old', 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.185.1\nLOCAL_ADDRESS=10.233.185.2\n')
    assert.match((await host.ok(['list'])).stdout, /^ft_old$/m)
    await host.ok(['destroy', 'ft_old'])
    assert.deepEqual(host.leftovers(), [])
  })

  describe('#7 conf files', () => {
    before(async () => {
      await host.ok(['create', 'ft-crlf', '--config', '', '--host-address', '10.233.186.1', '--local-address', '10.233.186.2'])
    })
    after(async () => {
      await host.cli(['destroy', 'ft-crlf'])
    })

    it('a conf with CRLF line ends and trailing blanks still boots in its private network', async () => {
      const conf = readFileSync(host.conf('ft-crlf'), 'utf8')
      writeFileSync(host.conf('ft-crlf'), conf.replace(/\n/g, '  \r\n'))
      assert.equal((await host.ok(['show-ip', 'ft-crlf'])).stdout, '10.233.186.2\n')
      const {leader} = JSON.parse((await host.ok(['start', 'ft-crlf', '--json'])).stdout)
      try {
        // Its own network namespace, and the host end of its veth carries HOST_ADDRESS.
        assert.notEqual(readlinkNs(leader), readlinkNs(process.pid))
        const link = await execa('ip', ['-4', '-o', 'addr', 'show', 've-ft-crlf'], {reject: false})
        assert.match(String(link.stdout), /10\.233\.186\.1/)
      } finally {
        await host.ok(['stop', 'ft-crlf'])
      }
    })

    it('a conf whose PRIVATE_NETWORK or address cannot be read refuses to start, in one line', async () => {
      const good = 'HOST_ADDRESS=10.233.186.1\nLOCAL_ADDRESS=10.233.186.2\n'
      for (const [text, key] of [
        [`PRIVATE_NETWORK = 1\n${good}`, 'PRIVATE_NETWORK'],
        [`PRIVATE_NETWORK=yes\n${good}`, 'PRIVATE_NETWORK'],
        ['PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.186.1\nLOCAL_ADDRESS=10.233.186\n', 'LOCAL_ADDRESS'],
      ]) {
        writeFileSync(host.conf('ft-crlf'), text)
        const result = await host.cli(['start', 'ft-crlf'])
        assert.equal(result.exitCode, 1, text)
        assert.match(oneLine(result.stderr), new RegExp(`^nixos-container: cannot start ‘ft-crlf’: ${key} in .*ft-crlf\\.conf cannot be read \\(‘.*’\\); fix the file$`))
        assert.equal((await host.ok(['status', 'ft-crlf'])).stdout, 'down\n')
      }
      writeFileSync(host.conf('ft-crlf'), `PRIVATE_NETWORK=1\n${good}`)
    })
  })

  it('#8 list names a broken conf on stderr and lists the rest, in text and JSON', async () => {
    writeBareConf('ft-ok', 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.187.1\nLOCAL_ADDRESS=10.233.187.2\n')
    mkdirSync(host.conf('ft-dir'))
    try {
      for (const extra of [[], ['--supervisor', 'nspawn']]) {
        const text = await host.cli(['list', ...extra])
        assert.equal(text.exitCode, 0)
        assert.match(text.stdout, /^ft-ok$/m)
        assert.doesNotMatch(text.stdout, /ft-dir/)
        assert.match(oneLine(text.stderr), /^nixos-container: cannot read .*ft-dir\.conf: EISDIR.*; not listed$/)
        const json = await host.cli(['list', '--json', ...extra])
        assert.equal(json.exitCode, 0)
        assert.ok(JSON.parse(json.stdout).some((c: {name: string}) => c.name === 'ft-ok'))
        assert.ok(!JSON.parse(json.stdout).some((c: {name: string}) => c.name === 'ft-dir'))
        assert.match(oneLine(json.stderr), /ft-dir\.conf/)
      }
    } finally {
      await host.ok(['destroy', 'ft-ok'])
      rmdir(host.conf('ft-dir'))
    }
  })

  it('#9 output to a closed pipe ends quietly with status 0', async () => {
    // Enough containers that list is still writing when head has gone.
    for (let i = 0; i < 300; i++) writeBareConf(`ft-p${i}`, 'PRIVATE_NETWORK=1\n')
    try {
      for (const command of ['list', 'list --json', 'list --supervisor nspawn']) {
        for (let i = 0; i < 6; i++) {
          const result = await execa('bash', ['-c', `${process.execPath} ${cliPath} ${command} | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`], {env: host.env, reject: false})
          assert.equal(result.stdout, '0', `${command}: ${result.stderr}`)
          assert.equal(result.stderr, '', command)
        }
      }
    } finally {
      for (let i = 0; i < 300; i++) rmFile(host.conf(`ft-p${i}`))
    }
  })

  it('#11 parse errors keep their reason; unknown commands follow the error contract', async () => {
    writeBareConf('ft-args', 'PRIVATE_NETWORK=1\n')
    try {
      const cases: [string[], string][] = [
        [['start', 'ft-args', '--timeout', '0'], '--timeout: expected an integer greater than or equal to 1 but received: 0'],
        [['start', 'ft-args', '--timeout', 'soon'], '--timeout: expected an integer but received: soon'],
        [['create'], 'Missing 1 required arg: name (container name)'],
        [['frobnicate'], 'unknown command ‘frobnicate’ (nixos-container --help lists the commands)'],
      ]
      for (const [args, message] of cases) {
        const text = await host.cli(args)
        assert.equal(text.exitCode, 1, args.join(' '))
        assert.equal(text.stderr, `nixos-container: ${message}\n`)
        assert.equal(text.stdout, '')
        const json = await host.cli([...args, '--json'])
        assert.equal(json.exitCode, 1)
        assert.deepEqual(JSON.parse(json.stdout), {error: {message, code: 'invalid-argument', exitCode: 1}})
      }
    } finally {
      rmFile(host.conf('ft-args'))
    }
  })

  it('#12 start of a container without a system gives advice that works', async () => {
    // What a create killed with -9, or upstream's tool interrupted, leaves: a conf and no system.
    writeBareConf('ft-half', 'PRIVATE_NETWORK=1\nHOST_ADDRESS=10.233.188.1\nLOCAL_ADDRESS=10.233.188.2\nHOST_BRIDGE=\nHOST_PORT=\nAUTO_START=0\n')
    const start = await host.cli(['start', 'ft-half'])
    assert.equal(start.exitCode, 1)
    assert.equal(oneLine(start.stderr), 'nixos-container: container ‘ft-half’ has no system (its create did not finish): run ‘nixos-container destroy ft-half’ and create it again, or give it one with ‘nixos-container update ft-half --config-file FILE’')
    // Both ways out work.
    await host.ok(['update', 'ft-half', '--config-file', path.join(fixtures, 'container.nix')])
    const {state} = JSON.parse((await host.ok(['start', 'ft-half', '--json'])).stdout)
    assert.equal(state, 'up')
    await host.ok(['destroy', 'ft-half'])
    writeBareConf('ft-half', 'PRIVATE_NETWORK=1\n')
    await host.ok(['destroy', 'ft-half'])
    await host.ok(['create', 'ft-half', '--config', '', '--host-address', '10.233.188.1', '--local-address', '10.233.188.2'])
    await host.ok(['destroy', 'ft-half'])
    assert.deepEqual(host.leftovers(), [])
  })

  it('#13 create says whom it waits for when another process holds the lock', async () => {
    mkdirSync(path.dirname(host.env.NIXOS_CONTAINER_LOCK), {recursive: true})
    // flock(1) holds the lock for 3 seconds, as another nixos-container would.
    const holder = execa('flock', ['--exclusive', host.env.NIXOS_CONTAINER_LOCK, 'sh', '-c', 'echo locked; sleep 3'], {reject: false})
    await new Promise((resolve) => holder.stdout?.once('data', resolve))
    // flock(1) and the shell it runs with the locked descriptor: both hold the lock.
    const holders = [holder.pid, ...readFileSync(`/proc/${holder.pid}/task/${holder.pid}/children`, 'utf8').trim().split(/\s+/).map(Number)]
    try {
      const result = await host.ok(['create', 'ft-wait', '--config', '', '--json', '--host-address', '10.233.189.1', '--local-address', '10.233.189.2'])
      const pid = Number(/^waiting for another nixos-container \(pid (\d+)\) to finish$/m.exec(result.stderr)?.[1])
      assert.ok(holders.includes(pid), `${pid} is not one of ${holders}: ${result.stderr}`)
      assert.equal(JSON.parse(result.stdout).name, 'ft-wait')
    } finally {
      await holder
      await host.cli(['destroy', 'ft-wait'])
    }
  })
})

function readlinkNs(pid: number): string {
  return readlinkSync(`/proc/${pid}/ns/net`)
}

function rmdir(dir: string): void {
  rmSync(dir, {recursive: true, force: true})
}

function rmFile(file: string): void {
  rmSync(file, {force: true})
}
