// A real systemd host for the systemd supervisor's tests. This machine's PID 1 is not systemd, so
// a Debian bookworm with systemd (its root file system built once by test/harness/build-rootfs.sh
// and cached as a tarball) is booted in a systemd-nspawn container of its own, in a cgroup of its
// own, with this machine's /nix and the project bound in (../shared/HOST-LAB.md). The CLI then
// runs inside it, as root on that host, and manages nested containers through its systemd.
import {execa} from 'execa'
import {type ChildProcess, spawn} from 'node:child_process'
import {closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {execedChild, isAlive, waitFor} from '../../dist/lib/proc.js'
import {safeRemoveTree} from '../../dist/lib/remove.js'
import {cliPath, fixtures, projectRoot, type CliResult} from './host.ts'
import type {TerminalHost} from './terminal.ts'

const buildScript = path.join(projectRoot, 'test/harness/build-rootfs.sh')

/** How a host differs from the default (this machine's /nix bound in, no network link). */
export interface HostOptions {
  /** The script that builds its image (default build-rootfs.sh). */
  imageScript?: string
  /** Its own /nix (the image's Nix) instead of this machine's: what it gets, something must copy there. */
  ownStore?: boolean
  /** A veth to this machine (ve-NAME here, host0 there), left unconfigured. */
  veth?: boolean
}
const guestPath = '/usr/sbin:/usr/bin:/sbin:/bin'

/** The cgroup hierarchies to put the host's nspawn in: both halves of a hybrid layout, or the one v2 tree. */
function cgroupRoots(): string[] {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return ['/sys/fs/cgroup']
  return ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'].filter((dir) => existsSync(dir))
}

function removeCgroup(dir: string): void {
  if (!existsSync(dir)) return
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    if (entry.isDirectory()) removeCgroup(path.join(dir, entry.name))
  }
  try {
    rmdirSync(dir)
  } catch {
    // Still populated: the processes are gone a moment later.
  }
}

export interface ExecOptions {
  input?: string
  env?: Record<string, string>
  timeoutMs?: number
}

export class SystemdHost implements TerminalHost {
  readonly name: string
  readonly dir: string
  readonly root: string
  private nspawn?: ChildProcess
  leader = 0

  readonly options: HostOptions

  private constructor(name: string, options: HostOptions) {
    this.name = name
    this.options = options
    this.dir = mkdtempSync(`/var/tmp/nc-${name}-`)
    this.root = path.join(this.dir, 'root')
  }

  /** Extracts a fresh root file system and boots it; resolves once systemd says running. */
  static async boot(name: string, options: HostOptions = {}): Promise<SystemdHost> {
    const tarball = (await execa('bash', [options.imageScript ?? buildScript])).stdout.trim()
    // The fixture's C programs are compiled with this machine's gcc, which the host's image lacks:
    // built here first, a host sharing this store finds them instead of failing to build them.
    if (!options.ownStore) {
      await execa('nix-build', ['--no-out-link', '--option', 'substituters', '', path.join(fixtures, 'nixpkgs/pkgs.nix'), '-A', 'sd-notify', '-A', 'udp-echo'])
    }
    const host = new SystemdHost(name, options)
    mkdirSync(host.root)
    // Per-container profiles and GC roots of this host stay out of the machine's own /nix/var.
    for (const dir of ['profiles', 'gcroots']) mkdirSync(path.join(host.dir, dir))
    await execa('tar', ['-C', host.root, '-xf', tarball])
    await host.start()
    return host
  }

  private get cgroups(): string[] {
    return cgroupRoots().map((root) => path.join(root, `nc-test-${this.name}`))
  }

  private async start(): Promise<void> {
    for (const cgroup of this.cgroups) mkdirSync(cgroup, {recursive: true})
    const store = this.options.ownStore ? [] : ['--bind=/nix',
      `--bind=${this.dir}/profiles:/nix/var/nix/profiles/per-container`,
      `--bind=${this.dir}/gcroots:/nix/var/nix/gcroots/per-container`]
    const args = ['--register=no', '--keep-unit', '--console=passive', `--machine=${this.name}`, `--directory=${this.root}`,
      ...store, `--bind=${projectRoot}`, '--private-network', ...(this.options.veth ? ['--network-veth'] : []), '--boot']
    const log = openSync(path.join(this.dir, 'console.log'), 'a')
    // The shell moves itself into the host's cgroups, then becomes systemd-nspawn.
    const script = 'for procs in $CGROUP_PROCS; do echo $$ > "$procs"; done; exec systemd-nspawn "$@"'
    this.nspawn = spawn('sh', ['-c', script, 'sh', ...args], {
      detached: true,
      stdio: ['ignore', log, log],
      env: {...process.env, CGROUP_PROCS: this.cgroups.map((c) => path.join(c, 'cgroup.procs')).join(' '), SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1'},
    })
    closeSync(log)
    const pid = this.nspawn.pid!
    const booted = await waitFor(async () => {
      if (!isAlive(pid)) return true
      const leader = execedChild(pid)
      if (leader === undefined) return false
      this.leader = leader
      const state = (await execa('nsenter', ['-t', String(leader), '-a', 'systemctl', 'is-system-running'], {reject: false})).stdout
      return ['running', 'degraded'].includes(state.trim())
    }, 60_000, 200)
    if (!booted || !isAlive(pid)) {
      throw new Error(`systemd test host ${this.name} did not boot:\n${readFileSync(path.join(this.dir, 'console.log'), 'utf8').slice(-2000)}`)
    }
  }

  /** Runs ARGV as root on the host, in a clean environment; never throws on a non-zero exit. */
  async exec(argv: string[], options: ExecOptions = {}): Promise<CliResult> {
    const env = Object.entries({PATH: guestPath, HOME: '/root', ...options.env}).map(([k, v]) => `${k}=${v}`)
    const result = await execa('nsenter', ['-t', String(this.leader), '-a', '--wdns=/', 'env', '-i', ...env, ...argv], {
      input: options.input,
      stdin: options.input === undefined ? 'ignore' : undefined,
      reject: false,
      stripFinalNewline: false,
      timeout: options.timeoutMs ?? 100_000,
    })
    return {exitCode: result.exitCode ?? 128, stdout: String(result.stdout), stderr: String(result.stderr)}
  }

  /** Runs a shell script on the host; fails the test unless it succeeds. */
  async sh(script: string): Promise<string> {
    const result = await this.exec(['sh', '-c', script])
    if (result.exitCode !== 0) throw new Error(`on ${this.name}: ${script} exited ${result.exitCode}:\n${result.stderr}`)
    return result.stdout
  }

  /** Runs `nixos-container ARGS…` on the host, with the fixture NixOS on NIX_PATH. */
  cli(args: string[], options: ExecOptions = {}): Promise<CliResult> {
    return this.exec([process.execPath, cliPath, ...args], {
      ...options,
      env: {NIX_PATH: `nixpkgs=${path.join(fixtures, 'nixpkgs')}`, ...options.env},
    })
  }

  /** `nixos-container ARGS` entered into the host as cli() runs it, for a terminal on this machine. */
  terminalCommand(args: string): {command: string; env: Record<string, string>} {
    const env = `PATH=${guestPath} HOME=/root TERM=xterm NIX_PATH=nixpkgs=${path.join(fixtures, 'nixpkgs')}`
    return {command: `nsenter -t ${this.leader} -a --wdns=/ env -i ${env} ${process.execPath} ${cliPath} ${args}`, env: {PATH: process.env.PATH ?? guestPath}}
  }

  /** Terminals for other commands of the host than the CLI: new Terminal(host.commands, 'machinectl shell web'). */
  get commands(): TerminalHost {
    return {
      terminalCommand: (command) => ({
        command: `nsenter -t ${this.leader} -a --wdns=/ env -i PATH=${guestPath} HOME=/root TERM=xterm ${command}`,
        env: {PATH: process.env.PATH ?? guestPath},
      }),
    }
  }

  async ok(args: string[], options: ExecOptions = {}): Promise<CliResult> {
    const result = await this.cli(args, options)
    if (result.exitCode !== 0) throw new Error(`nixos-container ${args.join(' ')} exited ${result.exitCode} on ${this.name}:\n${result.stderr}`)
    return result
  }

  /** Writes a file on the host's root file system. */
  writeFile(file: string, text: string): void {
    mkdirSync(path.dirname(path.join(this.root, file)), {recursive: true})
    writeFileSync(path.join(this.root, file), text)
  }

  /** Shuts the host down cleanly (as a poweroff would); its root file system stays. */
  async shutdown(): Promise<void> {
    const pid = this.nspawn?.pid
    if (pid === undefined || !isAlive(pid)) return
    // systemd-nspawn turns SIGTERM into a clean halt of the host's systemd.
    process.kill(pid, 'SIGTERM')
    if (!(await waitFor(() => !isAlive(pid), 30_000, 100))) {
      if (isAlive(this.leader)) process.kill(this.leader, 'SIGKILL')
      await waitFor(() => !isAlive(pid), 10_000, 100)
    }
    for (const cgroup of this.cgroups) removeCgroup(cgroup)
  }

  async reboot(): Promise<void> {
    await this.shutdown()
    await this.start()
  }

  /** Shuts down and removes everything the host was. */
  async dispose(): Promise<void> {
    await this.shutdown()
    await safeRemoveTree(this.dir)
  }
}
