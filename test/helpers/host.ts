// A throw-away "host" for one test file: every path the CLI uses moved under a temporary
// directory through the NIXOS_CONTAINER_* variables, the fixture NixOS on NIX_PATH, and a helper
// that runs the real CLI (bin/run.js) as a user would.
import {execa} from 'execa'
import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {mountsBelow} from '../../dist/lib/remove.js'

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

export class TestHost {
  readonly dir: string
  readonly env: Record<string, string>

  constructor(label: string) {
    this.dir = mkdtempSync(path.join(tmpdir(), `nc-${label}-`))
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

  /** Stops whatever the tests left running, then removes the host. */
  async cleanup(): Promise<void> {
    let names: string[] = []
    try {
      names = readdirSync(this.configDir).filter((f) => f.endsWith('.conf')).map((f) => f.slice(0, -5))
    } catch {
      // Nothing was created.
    }
    for (const name of names) await this.cli(['terminate', name])
    // Never delete through a mount a test left behind.
    for (const mount of mountsBelow(this.dir)) await execa('umount', ['--lazy', mount], {reject: false})
    rmSync(this.dir, {recursive: true, force: true})
  }
}
