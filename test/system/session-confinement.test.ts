// What the host runs in a container is confined as the container's own init is (issue 28 #1):
// the programs a session looks up and runs, and the system an update activates, are the guest's,
// so they must run in every namespace of the container's PID 1 (the user namespace too, with
// private users), with its capability bounding set and none of the tool's environment, and must
// never be handed the admin's terminal. Each test acts as a hostile guest: it plants a program
// where the host will run it (through `run`, as the guest's root would), and the program leaves
// a process behind (`sleep MARKER`) that the test then inspects from the host, as the kernel sees it.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {existsSync, readdirSync, readFileSync, readlinkSync} from 'node:fs'
import path from 'node:path'

import {cliPath, fixtures, TestHost} from '../helpers/host.ts'
import {Terminal} from '../helpers/terminal.ts'

const namespaces = ['mnt', 'uts', 'ipc', 'net', 'pid', 'cgroup', 'time', 'user']
/** A value of the tool's environment the guest must not see. */
const hostSecret = 'NC_TEST_HOST_SECRET=do-not-leak-28'

const capBnd = (pid: number): string => /^CapBnd:\s*(\w+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]

/** The host pids of processes whose command line holds `sleep MARKER`. */
function sleepers(marker: number): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid)) continue
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`sleep\0${marker}\0`)) found.push(pid)
    } catch {
      // Gone.
    }
  }
  return found
}

/** Waits for the process the planted program left behind. */
async function planted(marker: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const [pid] = sleepers(marker)
    if (pid) return pid
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`the planted program never ran (no sleep ${marker})`)
}

/** That PID shares every namespace and the capability bounding set of the container's init, and nothing of the tool's environment. */
function assertConfined(pid: number, leader: number, what: string): void {
  for (const ns of namespaces) {
    assert.equal(readlinkSync(`/proc/${pid}/ns/${ns}`), readlinkSync(`/proc/${leader}/ns/${ns}`), `${what}: its ${ns} namespace is the container's`)
  }
  assert.equal(capBnd(pid), capBnd(leader), `${what}: its capability bounding set is the container's init's`)
  assert.doesNotMatch(readFileSync(`/proc/${pid}/environ`, 'utf8'), /NC_TEST_HOST_SECRET/, `${what}: the tool's environment stays with the tool`)
}

describe('what the host runs in a container is confined as the container is', function () {
  const host = new TestHost('confine')
  const env = {[hostSecret.split('=')[0]]: hostSecret.split('=')[1]}
  const kill = (marker: number): void => sleepers(marker).forEach((pid) => process.kill(pid, 'SIGKILL'))
  let tiocsti: string

  before(async () => {
    tiocsti = (await execa('nix-build', ['--no-out-link', '--option', 'substituters', '', path.join(fixtures, 'nixpkgs/pkgs.nix'), '-A', 'tiocsti'])).stdout.trim()
  })
  after(() => host.cleanup())

  for (const [label, name, options] of [
    ['a container', 'tb-plain', ['--host-address', '10.233.120.1', '--local-address', '10.233.120.2']],
    ['a container with private users', 'tb-users', ['--host-address', '10.233.121.1', '--local-address', '10.233.121.2', '--private-users', 'pick']],
  ] as const) {
    describe(label, () => {
      let leader: number
      const guest = (script: string) => host.ok(['run', name, '--', 'sh', '-c', script], {env})

      before(async () => {
        await host.ok(['create', name, ...options, '--config', ''])
        leader = Number(JSON.parse((await host.ok(['start', name, '--json'])).stdout).leader)
      })
      after(() => host.cli(['destroy', name]))

      it('a session runs in every namespace of the container\'s init, with its bounding set, without the tool\'s environment', async () => {
        await guest('sleep 4701 </dev/null >/dev/null 2>&1 &')
        try {
          assertConfined(await planted(4701), leader, 'run')
        } finally {
          kill(4701)
        }
      })

      it('a /run/current-system the guest points at its own shell: that shell runs confined too (it finds the session\'s programs)', async () => {
        // The guest's root makes its own "system" whose sw/bin/sh leaves a process behind, then runs the real shell.
        await guest(`
          bb=$(readlink -f /run/current-system/sw/bin/sh); bin=$(dirname "$bb")
          mkdir -p /evil/sw/bin
          for p in su login systemd-run; do [ -e /run/current-system/sw/bin/$p ] && ln -sfn "$(readlink -f /run/current-system/sw/bin/$p)" /evil/sw/bin/$p; done
          printf '#!%s/sh\\n%s/sleep 4702 </dev/null >/dev/null 2>&1 &\\nexec %s/sh "$@"\\n' "$bin" "$bin" "$bin" > /evil/sw/bin/sh
          chmod 755 /evil/sw/bin/sh
          cp -P /run/current-system /evil/real-system
          ln -sfn /evil /run/current-system`)
        try {
          // The admin's next command: it still works as it did, and the planted shell gained nothing.
          const result = await host.ok(['run', name, '--', 'echo', 'still works'], {env})
          assert.equal(result.stdout, 'still works\n')
          assertConfined(await planted(4702), leader, 'the guest\'s shell')
        } finally {
          kill(4702)
          await host.ok(['run', name, '--', 'sh', '-c', 'ln -sfn "$(readlink /evil/real-system)" /run/current-system'])
        }
      })
    })
  }

  describe('activation', () => {
    const name = 'tb-act'
    let leader: number
    before(async () => {
      await host.ok(['create', name, '--host-address', '10.233.122.1', '--local-address', '10.233.122.2', '--config', ''])
      leader = Number(JSON.parse((await host.ok(['start', name, '--json'])).stdout).leader)
    })
    after(() => host.cli(['destroy', name]))

    it('the switch-to-configuration of a profile the guest mounted over its own runs confined, as a session does', async () => {
      // In its own mount namespace the guest's root may mount what it likes over /nix/var/nix/profiles.
      await host.ok(['run', name, '--', 'sh', '-c', `
        bin=$(dirname "$(readlink -f /run/current-system/sw/bin/sh)")
        mkdir -p /evil-profiles/system/bin
        printf '#!%s/sh\\n%s/sleep 4703 </dev/null >/dev/null 2>&1 &\\necho planted activation\\n' "$bin" "$bin" > /evil-profiles/system/bin/switch-to-configuration
        chmod 755 /evil-profiles/system/bin/switch-to-configuration
        mount --bind /evil-profiles /nix/var/nix/profiles`])
      try {
        await host.ok(['update', name, '--config', 'environment.etc."v".text = "2";'], {env})
        assertConfined(await planted(4703), leader, 'activation')
      } finally {
        kill(4703)
      }
    })
  })

  describe('the admin\'s terminal', () => {
    const name = 'tb-tty'
    const marker = path.join(host.dir, 'typed-by-the-guest')
    before(async () => {
      await host.ok(['create', name, '--host-address', '10.233.123.1', '--local-address', '10.233.123.2', '--config', ''])
      await host.ok(['start', name])
    })
    after(() => host.cli(['destroy', name]))
    afterEach(() => assert.ok(!existsSync(marker), 'the host\'s shell ran what the guest pushed into the terminal'))

    /** The admin's shell on a terminal: `PIPELINE` (the CLI), then an interactive host shell reading the same terminal. */
    const adminShell = (pipeline: string): Terminal => new Terminal({
      terminalCommand: () => ({command: `${pipeline}; exec /bin/sh`, env: host.env}),
    }, '')
    const cli = `${process.execPath} ${cliPath}`
    const push = (): string => `${tiocsti}/bin/tiocsti 'touch ${marker}\n'`

    it('a session on a terminal gets one of its own: what the guest pushes into it never reaches the admin\'s shell', async () => {
      const terminal = adminShell(`${cli} run ${name} -- ${push()}`)
      await terminal.waitFor(/pushed through stdin|no terminal took it/)
      await new Promise((resolve) => setTimeout(resolve, 500))
      terminal.type('exit\n')
      await terminal.close()
    })

    it('a session whose input is not the terminal but whose output is: the output is relayed, the terminal never handed over', async () => {
      const terminal = adminShell(`true | ${cli} run ${name} -- ${push()}`)
      await terminal.waitFor(/no terminal took it/)
      await new Promise((resolve) => setTimeout(resolve, 500))
      terminal.type('exit\n')
      await terminal.close()
    })

    it('on a terminal, a standard error sent elsewhere (2>FILE) stays apart from the terminal', async () => {
      const errors = path.join(host.dir, 'errors')
      const terminal = adminShell(`${cli} run ${name} -- sh -c 'test -t 0 && test -t 1 && echo on-a-terminal; echo to-stderr >&2' 2>${errors}`)
      await terminal.waitFor(/on-a-terminal/)
      terminal.type('exit\n')
      const {screen} = await terminal.close()
      assert.doesNotMatch(screen, /to-stderr/)
      assert.equal(readFileSync(errors, 'utf8'), 'to-stderr\n')
    })
  })
})
