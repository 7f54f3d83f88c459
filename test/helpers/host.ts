// A throw-away "host" for one test file: every path the CLI uses moved under a temporary
// directory through the NIXOS_CONTAINER_* variables, the fixture NixOS on NIX_PATH, and a helper
// that runs the real CLI (bin/run.js) as a user would.
import {execa} from 'execa'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {isAlive, sleep} from '../../dist/lib/proc.js'
import {mountsBelow} from '../../dist/lib/remove.js'
import {containerCgroups, removeCgroups} from '../../plugins/supervisors/dist/cgroup.js'
import type {TerminalHost} from './terminal.ts'

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const fixtures = path.join(projectRoot, 'test/fixtures')
export const cliPath = path.join(projectRoot, 'bin/run.js')

export interface CliResult {
  exitCode: number
  stdout: string
  stderr: string
}

/** Whether ADDRESS answers a ping within a few seconds (a new IPv6 address first needs its DAD). */
export async function answersPing(address: string, seconds = 5): Promise<boolean> {
  return (await execa('ping', ['-c', '1', '-w', String(seconds), address], {reject: false})).exitCode === 0
}

/** Every host the loaded test files made: the suite's last hook (leftovers.ts) checks each of them. */
export const testHosts: TestHost[] = []

/** Every live pid on the machine. */
function allPids(): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number)
}

export class TestHost implements TerminalHost {
  readonly dir: string
  readonly env: Record<string, string>
  /** The containers this host has had, recorded at cleanup: the final check looks for each. */
  readonly names = new Set<string>()
  cleanedUp = false

  constructor(label: string) {
    this.dir = mkdtempSync(path.join(tmpdir(), `nc-${label}-`))
    testHosts.push(this)
    this.env = {
      NIXOS_CONTAINER_CONFIG_DIR: path.join(this.dir, 'etc/nixos-containers'),
      NIXOS_CONTAINER_STATE_DIR: path.join(this.dir, 'var/lib/nixos-containers'),
      NIXOS_CONTAINER_PROFILES_DIR: path.join(this.dir, 'profiles/per-container'),
      NIXOS_CONTAINER_GCROOTS_DIR: path.join(this.dir, 'gcroots/per-container'),
      NIXOS_CONTAINER_RUNTIME_DIR: path.join(this.dir, 'run/nixos-containers'),
      NIXOS_CONTAINER_LOCK: path.join(this.dir, 'run/lock/nixos-container'),
      // Plugins linked or installed, the settings file and oclif's caches: the test's own.
      NIXOS_CONTAINER_DATA_DIR: path.join(this.dir, 'data'),
      NIXOS_CONTAINER_CACHE_DIR: path.join(this.dir, 'cache'),
      NIXOS_CONTAINER_SETTINGS: path.join(this.dir, 'settings.json'),
      NIX_PATH: `nixpkgs=${path.join(fixtures, 'nixpkgs')}`,
      NIX_CONFIG: 'substituters =',
      // The choices a caller's shell may have made (an admin's NIXOS_CONTAINER_SUPERVISOR=nspawn)
      // must not reach the tests: empty is unset to the tool; a test gives its own where it means to.
      NIXOS_CONTAINER_SUPERVISOR: '',
      NIXOS_CONTAINER_ALLOCATOR: '',
      NIXOS_CONTAINER_BUILDER: '',
      NIXOS_CONTAINER_HOST: '',
    }
  }

  get configDir(): string { return this.env.NIXOS_CONTAINER_CONFIG_DIR }
  get stateDir(): string { return this.env.NIXOS_CONTAINER_STATE_DIR }
  get profilesDir(): string { return this.env.NIXOS_CONTAINER_PROFILES_DIR }
  get gcrootsDir(): string { return this.env.NIXOS_CONTAINER_GCROOTS_DIR }
  get runtimeDir(): string { return this.env.NIXOS_CONTAINER_RUNTIME_DIR }

  conf(name: string): string { return path.join(this.configDir, `${name}.conf`) }
  root(name: string): string { return path.join(this.stateDir, name) }
  profileDir(name: string): string { return path.join(this.profilesDir, name) }

  /** Runs `nixos-container ARGS…`; never throws on a non-zero exit. */
  terminalCommand(args: string): {command: string; env: Record<string, string>} {
    return {command: `${process.execPath} ${cliPath} ${args}`, env: this.env}
  }

  async cli(args: string[], options: {input?: string; env?: Record<string, string>} = {}): Promise<CliResult> {
    const result = await execa(process.execPath, [cliPath, ...args], {
      env: {...this.env, ...options.env},
      input: options.input,
      stdin: options.input === undefined ? 'ignore' : undefined,
      reject: false,
      stripFinalNewline: false,
    })
    return {exitCode: result.exitCode ?? 128, stdout: String(result.stdout), stderr: String(result.stderr)}
  }

  /** Like cli() but fails the test, showing stderr, unless the command succeeds. */
  async ok(args: string[], options: {input?: string; env?: Record<string, string>} = {}): Promise<CliResult> {
    const result = await this.cli(args, options)
    if (result.exitCode !== 0) {
      throw new Error(`nixos-container ${args.join(' ')} exited ${result.exitCode}:\n${result.stderr}`)
    }
    return result
  }

  /** Everything under the host's container directories: what a failed command must not leave. */
  leftovers(): string[] {
    const dirs = [this.configDir, this.stateDir, this.profilesDir, this.gcrootsDir]
    return dirs.flatMap((d) => {
      try {
        return readdirSync(d).map((f) => path.join(d, f))
      } catch {
        return []
      }
    })
  }

  /**
   * The processes of this host's container NAME, from /proc, whatever the CLI believes: its
   * systemd-nspawn (by --directory=), and every process whose root is the container's root
   * directory (by the "/" line of its mountinfo, which still names it once the root is deleted).
   */
  processesOf(name: string): number[] {
    const root = this.root(name)
    const rootTail = path.relative(path.dirname(this.dir), root)
    return allPids().filter((pid) => {
      if (pid === process.pid || !isAlive(pid)) return false
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(`--directory=${root}`)) return true
        const rootMount = readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[4] === '/')
        return rootMount !== undefined && rootMount[3].replace(/\/\/deleted$/, '').endsWith(`/${rootTail}`)
      } catch {
        return false
      }
    })
  }

  /** The live processes in the cgroups of container NAME (the kernel's list; NAME is global on the machine). */
  cgroupProcessesOf(name: string): number[] {
    const found: number[] = []
    const visit = (dir: string): void => {
      try {
        for (const pid of readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number)) found.push(pid)
        for (const entry of readdirSync(dir, {withFileTypes: true})) if (entry.isDirectory()) visit(path.join(dir, entry.name))
      } catch {
        // Gone meanwhile.
      }
    }
    for (const group of containerCgroups(name)) visit(group)
    return found.filter((pid) => pid !== process.pid && isAlive(pid))
  }

  /** Every container name this host has files of: confs, roots, pid and lock files. */
  private knownNames(): string[] {
    const entries = (dir: string): string[] => {
      try {
        return readdirSync(dir)
      } catch {
        return []
      }
    }
    for (const f of entries(this.configDir)) if (f.endsWith('.conf')) this.names.add(f.slice(0, -5))
    for (const f of entries(this.stateDir)) this.names.add(f)
    for (const f of entries(this.runtimeDir)) {
      const match = /^(.+)\.(pid|lock|log)$/.exec(f)
      if (match) this.names.add(match[1])
    }
    return [...this.names]
  }

  /** Stops whatever the tests left running, kills what the CLI could not find, then removes the host. */
  async cleanup(): Promise<void> {
    this.cleanedUp = true
    const names = this.knownNames()
    for (const name of names) if (existsSync(this.conf(name))) await this.cli(['terminate', name])
    // Whatever the CLI missed (a test that broke the state on purpose, a bug): killed by /proc.
    for (const name of names) {
      for (let round = 0; round < 50 && this.processesOf(name).length > 0; round++) {
        for (const pid of this.processesOf(name)) {
          try {
            process.kill(pid, 'SIGKILL')
          } catch {
            // Gone already.
          }
        }
        await sleep(50)
      }
      if (this.processesOf(name).length === 0) removeCgroups(name)
    }
    // Never delete through a mount a test left behind.
    for (const mount of mountsBelow(this.dir)) await execa('umount', ['--lazy', mount], {reject: false})
    rmSync(this.dir, {recursive: true, force: true})
  }
}
