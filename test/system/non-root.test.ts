// Users other than root (issue 20): against a running container, as `nobody`, every command that
// needs root says so in one line and exits 1 at once without touching anything; the read-only
// commands print what root's print, less what only root may read; login says why it cannot
// where systemd-machined does not run. The sudoers and polkit examples of docs/containers.md parse.
import assert from 'node:assert/strict'
import {execa} from 'execa'
import {accessSync, chmodSync, constants, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {machinedRuns} from '../../dist/lib/machined.js'
import {cliPath, projectRoot, TestHost, type CliResult} from '../helpers/host.ts'
import {SystemdHost} from '../helpers/systemd-host.ts'

const name = 'u20nr'
const addresses = ['--host-address', '10.233.241.1', '--local-address', '10.233.241.2']
const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
/** A refused command must answer well within this (a hang is the bug being guarded against). */
const promptMs = 5000

/** The argv that asks whether `nobody` can run the CLI from where this checkout is (a clone under /root cannot). */
const nobodyRunsCli = [...nobody, process.execPath, cliPath, '--version']

/**
 * The CLI as `nobody` can run it: from this checkout, or, when a directory on its path is not
 * world-readable (a clone under /root, as CI may make), from the same tree bind-mounted under /tmp.
 */
async function cliForNobody(): Promise<{argv: string[]; release: () => Promise<void>}> {
  const works = async (argv: string[]): Promise<boolean> => (await execa(nobody[0], [...nobody.slice(1), ...argv, '--version'], {reject: false, timeout: 30_000})).exitCode === 0
  if (await works([process.execPath, cliPath])) return {argv: [process.execPath, cliPath], release: async () => {}}
  const view = mkdtempSync('/tmp/nc-nonroot-view-')
  chmodSync(view, 0o755)
  await execa('mount', ['--bind', projectRoot, view])
  const release = async (): Promise<void> => {
    await execa('umount', [view], {reject: false})
    rmdirSync(view)
  }
  const inView = (file: string): string => (file.startsWith(projectRoot + '/') ? view + file.slice(projectRoot.length) : file)
  const argv = [inView(process.execPath), inView(cliPath)]
  return {argv, release}
}

/** Skips the suite, saying why, when `nobody` cannot run the CLI: every directory on its path must be world-readable. */
function skipUnlessNobodyRunsCli(context: Mocha.Context, exitCode: number | undefined): void {
  if (exitCode === 0) return
  console.log(`      skipped: nobody cannot run ${cliPath} (a directory on its path is not world-readable)`)
  context.skip()
}

/** The commands whose class sets needsRoot (BaseCommand refuses them to other users), sorted. */
async function rootOnlyCommands(): Promise<string[]> {
  const dir = path.join(projectRoot, 'dist/commands')
  const commands: string[] = []
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const command = (await import(path.join(dir, file))).default as {needsRoot?: boolean}
    if (command.needsRoot) commands.push(file.replace(/\.js$/, ''))
  }
  return commands.sort()
}

/** Every path, type, mode, size and modification time below DIR: what "nothing changed" compares. */
function tree(dir: string, skip: (file: string) => boolean): string[] {
  const entries: string[] = []
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, {withFileTypes: true})) {
      const file = path.join(at, entry.name)
      if (skip(file)) continue
      const stat = lstatSync(file)
      entries.push(`${path.relative(dir, file)} ${stat.mode.toString(8)} ${stat.size} ${stat.mtimeMs}`)
      if (entry.isDirectory()) walk(file)
    }
  }
  walk(dir)
  return entries.sort()
}

describe('users other than root', function () {
  const host = new TestHost('nonroot')
  /** Runs the CLI as nobody with ARGS (after PREFIX, a command that execs the rest), timed. */
  let timed: (args: string[], prefix?: string[]) => Promise<CliResult & {ms: number}>

  let release = async (): Promise<void> => {}

  before(async function () {
    const cli = await cliForNobody()
    release = cli.release
    const check = await execa(nobody[0], [...nobody.slice(1), ...cli.argv, '--version'], {reject: false, timeout: 30_000})
    skipUnlessNobodyRunsCli(this, check.exitCode)
    // As on a real host: /etc/nixos-containers and /run are world-readable, the state and profile
    // directories (which the tool makes 0700) are not. mkdtemp's 0700 would hide everything.
    chmodSync(host.dir, 0o755)
    await host.ok(['create', name, ...addresses])
    await host.ok(['start', name])
    timed = async (args, prefix = []) => {
      const started = Date.now()
      const [command, ...rest] = [...prefix, ...nobody, ...cli.argv, ...args]
      // nobody's own HOME, as login(1) would set it; the host's directories as the test's.
      const result = await execa(command, rest, {
        env: {...host.env, HOME: '/nonexistent'}, stdin: 'ignore', reject: false, stripFinalNewline: false, timeout: 30_000,
      })
      return {exitCode: result.exitCode ?? 128, stdout: String(result.stdout), stderr: String(result.stderr), ms: Date.now() - started}
    }
  })
  after(async () => {
    await release()
    await host.cleanup()
  })

  it('each command that needs root says so in one line, exits 1 at once and changes nothing', async () => {
    // The container's own files and its console log change as it runs; the tool's records must not.
    const skip = (file: string): boolean => file.startsWith(host.root(name) + '/') || file.endsWith('.log')
    const before = tree(host.dir, skip)
    const refused: [string, string[]][] = [
      ['create', ['create', 'u20nr2', '--host-address', '10.233.241.5', '--local-address', '10.233.241.6']],
      ['update', ['update', name]],
      ['destroy', ['destroy', name]],
      ['start', ['start', name]],
      ['stop', ['stop', name]],
      ['restart', ['restart', name]],
      ['terminate', ['terminate', name]],
      ['run', ['run', name, '--', 'true']],
      ['root-login', ['root-login', name]],
      ['cp', ['cp', `${name}:/etc/hostname`, '/tmp/u20nr-copied']],
      ['clone', ['clone', name, 'u20nr3']],
      ['reset', ['reset', name, '--yes']],
      ['set', ['set', name, '--memory', '1G']],
      ['generations', ['generations', name]],
      ['rollback', ['rollback', name]],
    ]
    // Every command that refuses other users is tried here, the newer ones included.
    assert.deepEqual(refused.map(([command]) => command).sort(), await rootOnlyCommands())
    for (const [command, args] of refused) {
      const result = await timed(args)
      assert.deepEqual([result.exitCode, result.stderr, result.stdout], [1, `nixos-container ${command}: needs root (try sudo)\n`, ''], args.join(' '))
      assert.ok(result.ms < promptMs, `${args.join(' ')} took ${result.ms} ms`)
    }
    const json = await timed(['stop', name, '--json'])
    assert.deepEqual(JSON.parse(json.stdout), {error: {message: 'needs root (try sudo)', code: 'needs-root', exitCode: 1, command: 'stop'}})
    assert.deepEqual(tree(host.dir, skip), before)
    assert.ok(!existsSync('/tmp/u20nr-copied'), 'cp wrote nothing')
    assert.equal((await host.ok(['status', name])).stdout, 'up\n')
  })

  it('their --help still works', async () => {
    const help = await timed(['stop', '--help'])
    assert.equal(help.exitCode, 0, help.stderr)
    assert.match(help.stdout, /^Shut a container down cleanly\./)
  })

  it('list, status, show-ip and the console log print what they print for root', async () => {
    for (const args of [['list'], ['status', name], ['show-ip', name], ['show-ip', name, '--json'], ['logs', name, '--console', '-n', '5']]) {
      const mine = await timed(args)
      const roots = await host.cli(args)
      assert.deepEqual([mine.exitCode, mine.stdout, mine.stderr], [roots.exitCode, roots.stdout, roots.stderr], args.join(' '))
      assert.ok(mine.ms < promptMs, `${args.join(' ')} took ${mine.ms} ms`)
    }
  })

  it('list --json and status --json leave out the system path and generation, which only root may read, and say so', async () => {
    // Memory in use moves from one moment to the next; the rest must be root's.
    const steady = ({memoryCurrent: _moving, ...rest}: Record<string, unknown>) => rest
    const [mine] = JSON.parse((await timed(['list', '--json'])).stdout)
    const [roots] = JSON.parse((await host.ok(['list', '--json'])).stdout)
    assert.match(roots.systemPath, /^\/nix\/store\//)
    // The leader PID is compared below; memory use only moves, but nobody must see it too.
    assert.equal(typeof roots.leader, 'number')
    assert.equal(typeof mine.memoryCurrent, 'number', JSON.stringify(mine))
    const {systemPath: _hidden, generation: _alsoHidden, ...visible} = roots
    assert.deepEqual(steady(mine), steady({...visible, unavailable: ['systemPath', 'generation']}))
    const status = JSON.parse((await timed(['status', name, '--json'])).stdout)
    assert.deepEqual(steady(status), steady({...visible, unavailable: ['systemPath', 'generation']}))
    assert.equal(typeof status.memoryCurrent, 'number', JSON.stringify(status))
    // Not "declarative" just because nobody may not write its NAME.conf.
    assert.equal(mine.declarative, false)
  })

  it('with /proc mounted hidepid (other users\' processes hidden), a running container is still up, by its cgroup, and nothing is made up about it', async () => {
    for (const mode of ['invisible', 'noaccess']) {
      // A mount namespace of its own with such a /proc, as a hardened host mounts it; nobody sees no process of root's.
      const prefix = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `mount -t proc -o hidepid=${mode} proc /proc && exec "$@"`, 'sh']
      const seen = await execa(prefix[0], [...prefix.slice(1), ...nobody, 'sh', '-c', `test -r /proc/1/stat && echo visible || echo hidden`])
      assert.equal(seen.stdout, 'hidden', `hidepid=${mode} hides root's processes from nobody`)
      const status = await timed(['status', name], prefix)
      assert.deepEqual([status.exitCode, status.stdout, status.stderr], [0, 'up\n', ''], `status, hidepid=${mode}`)
      const [listed] = JSON.parse((await timed(['list', '--json'], prefix)).stdout)
      assert.equal(listed.state, 'up', `list --json, hidepid=${mode}`)
      const long = (await timed(['list', '--long'], prefix)).stdout.split('\n')[1].split(/\s+/)
      assert.deepEqual(long.slice(0, 2), [name, 'up'], `list --long, hidepid=${mode}`)
    }
  })

  it('show-host-key and the journal say they need root to read the container\'s files', async () => {
    for (const [command, args] of [['show-host-key', ['show-host-key', name]], ['logs', ['logs', name]]] as const) {
      const result = await timed([...args])
      assert.deepEqual([result.exitCode, result.stderr], [1, `nixos-container ${command}: needs root to read the container's files (try sudo)\n`])
      assert.ok(result.ms < promptMs, `${args.join(' ')} took ${result.ms} ms`)
    }
  })

  it('login says why it cannot where systemd-machined does not run', async function () {
    if (machinedRuns()) this.skip()
    const result = await timed(['login', name])
    assert.deepEqual([result.exitCode, result.stderr], [1,
      `nixos-container: login as a user other than root goes through systemd-machined, which does not run on this host; ask root (sudo nixos-container login ${name})\n`])
    assert.ok(result.ms < promptMs, `login took ${result.ms} ms`)
  })
})

describe('login for users other than root on a systemd host', function () {
  this.timeout(300_000)
  let host: SystemdHost
  /** `nixos-container login NAME` as nobody on a terminal (script(1)) on the systemd host. */
  const loginAsNobody = async (container: string): Promise<CliResult> =>
    host.exec([...nobody, 'script', '-qec', `${process.execPath} ${cliPath} login ${container}`, '/dev/null'], {
      env: {HOME: '/nonexistent', NIX_PATH: `nixpkgs=${path.join(projectRoot, 'test/fixtures/nixpkgs')}`}, timeoutMs: 20_000,
    })

  before(async function () {
    this.timeout(600_000)
    host = await SystemdHost.boot('u20-sdhost')
    skipUnlessNobodyRunsCli(this, (await host.exec(nobodyRunsCli)).exitCode)
    await host.ok(['create', 'u20w', '--host-address', '10.233.242.1', '--local-address', '10.233.242.2', '--config', ''])
    await host.ok(['create', 'u20p', '--host-address', '10.233.242.5', '--local-address', '10.233.242.6', '--config', ''])
    await host.ok(['start', 'u20w'])
  })
  after(async () => host?.dispose())

  it('hands a running container to machinectl login, whose answer (polkit\'s, here a refusal) the user sees', async () => {
    const login = await loginAsNobody('u20w')
    // This host has no polkit: machined refuses a user other than root, and machinectl says so.
    assert.equal(login.exitCode, 1)
    assert.doesNotMatch(login.stdout, /nixos-container/, login.stdout)
    assert.match(login.stdout, /^Failed to get login PTY: Access denied\r?$/m, login.stdout)
  })

  it('says machined does not know a container that is not running', async () => {
    const login = await loginAsNobody('u20p')
    assert.equal(login.exitCode, 1)
    assert.match(login.stdout, /nixos-container: login as a user other than root goes through systemd-machined, which does not know container ‘u20p’/)
  })
})

describe('delegation examples in docs/containers.md', function () {
  const doc = readFileSync(path.join(projectRoot, 'docs/containers.md'), 'utf8')
  const blocks = (language: string): string[] => [...doc.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm'))].map((m) => m[1])

  it('the sudoers rules pass visudo -c', async function () {
    const visudo = ['/usr/sbin/visudo', '/sbin/visudo'].find((file) => {
      try {
        accessSync(file, constants.X_OK)
        return true
      } catch {
        return false
      }
    })
    if (!visudo) this.skip()
    const rules = blocks('sudoers')
    assert.equal(rules.length, 2)
    const dir = mkdtempSync(path.join(tmpdir(), 'u20-sudoers-'))
    try {
      for (const [i, rule] of rules.entries()) {
        const file = path.join(dir, `rule${i}`)
        writeFileSync(file, rule, {mode: 0o440})
        const checked: {exitCode?: number; stdout: unknown; stderr: unknown} = await execa(visudo, ['-c', '-f', file], {reject: false})
        assert.equal(checked.exitCode, 0, `${rule}\n${checked.stdout}${checked.stderr}`)
      }
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('the polkit rule is JavaScript that grants the group container units and login only', async () => {
    const [rule] = blocks('javascript')
    type Verdict = string
    const verdicts: Verdict[] = []
    // A stand-in for polkit's API: each rule is asked about four requests.
    const polkit = {
      Result: {YES: 'yes', NOT_HANDLED: 'not handled'},
      addRule: (check: (action: unknown, subject: unknown) => Verdict) => {
        const subject = (groups: string[]) => ({isInGroup: (g: string) => groups.includes(g)})
        const action = (id: string, details: Record<string, string> = {}) => ({id, lookup: (k: string) => details[k]})
        verdicts.push(
          check(action('org.freedesktop.machine1.login'), subject(['containers'])),
          check(action('org.freedesktop.systemd1.manage-units', {unit: 'container@web.service', verb: 'start'}), subject(['containers'])),
          check(action('org.freedesktop.systemd1.manage-units', {unit: 'sshd.service', verb: 'stop'}), subject(['containers'])),
          check(action('org.freedesktop.machine1.login'), subject(['users'])),
        )
      },
    }
    new Function('polkit', rule)(polkit)
    assert.deepEqual(verdicts, ['yes', 'yes', 'not handled', 'not handled'])
  })
})
