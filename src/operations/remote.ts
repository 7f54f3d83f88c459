// What commands do with --host (lib/remote.ts runs the tool there): most pass their command line
// on as it is; list combines several hosts; create and update build the system here with the
// builder plugin, copy its closure with `nix copy --to ssh-ng://HOST` and give the remote tool
// --system-path, so nothing is built there and a dropped copy leaves nothing made on either side.
// --build-host (with --host or without) evaluates here and builds on the build host.
import {existsSync} from 'node:fs'
import path from 'node:path'

import {buildConfiguration} from './build-configuration.js'
import type {OperationContext} from './context.js'
import type {SystemSource} from '../contract/builder.js'
import {takeFromArgv} from '../lib/argv.js'
import type {ContainerSummary} from '../lib/containers.js'
import {errorReport, UserError} from '../lib/errors.js'
import {flakeFeatures, runNix} from '../lib/nix.js'
import {type ConfigSource, configurationText, withConfigurationFile} from '../lib/nixos-config.js'
import type {ContainerPaths} from '../lib/paths.js'
import {checkNixThere, parseHost, type RemoteHost, type RemoteTarget, runRemote, shellQuote, sshArgv, sshOptionsFor} from '../lib/remote.js'
import {hostDefaults} from '../plugin-host/settings.js'
import {withScratchDirectory} from '../lib/scratch.js'

/** Commands that read this process's stdin there, and those that need a terminal there. */
const readsStdin = new Set(['run', 'cp', 'login', 'root-login'])
const interactive = new Set(['login', 'root-login'])

/** The one remote host of a command other than list (several are list's alone). */
export function singleHost(target: RemoteTarget, id: string): RemoteHost {
  if (target.hosts.length > 1) throw new UserError(`--host: ${id} acts on one host; only list takes several`)
  return target.hosts[0]
}

/** Runs `nixos-container ID ARGV…` on the host; its exit status, output and errors are ours. */
export async function forwardCommand(target: RemoteTarget, id: string, argv: string[], {json = false} = {}): Promise<number> {
  const host = singleHost(target, id)
  // run gets a terminal there when it has one here, as it does locally; --json captures instead.
  const tty = interactive.has(id) || (id === 'run' && !json && Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY))
  return (await runRemote(host, target.sshOptions, [id, ...argv], {stdin: readsStdin.has(id), tty})).exitCode
}

export type HostSummary = ContainerSummary & {host: string}

/**
 * list over several hosts: each host's `list --json` (the local one's in this process), as one
 * list with the host named. A host that fails is one line on stderr; the others are still listed.
 */
export async function listHosts(localSummaries: () => Promise<ContainerSummary[]>, target: RemoteTarget, {json = false, long = false} = {}): Promise<{rows: HostSummary[]; failed: number}> {
  const results = await Promise.all(target.hosts.map(async (host): Promise<HostSummary[] | Error> => {
    try {
      const summaries = host.local
        ? await localSummaries()
        : await remoteList(host, target.sshOptions)
      return (summaries ?? []).map((summary) => ({host: host.spec, ...summary}))
    } catch (error) {
      return error as Error
    }
  }))
  let failed = 0
  for (const [i, result] of results.entries()) {
    if (!(result instanceof Error)) continue
    failed++
    const {message} = errorReport(result)
    process.stderr.write(`nixos-container: ${message.startsWith(target.hosts[i].spec + ':') ? message : `${target.hosts[i].spec}: ${message}`}; not listed\n`)
  }
  const rows = results.filter((r): r is HostSummary[] => !(r instanceof Error)).flat()
  if (!json) for (const line of hostListing(rows, long)) process.stdout.write(line + '\n')
  return {rows, failed}
}

async function remoteList(host: RemoteHost, sshOptions: string[]): Promise<ContainerSummary[]> {
  const {exitCode, stdout} = await runRemote(host, sshOptions, ['list', '--json'], {captureStdout: true})
  if (exitCode !== 0) throw new UserError(`${host.spec}: list exited with status ${exitCode}`)
  try {
    return JSON.parse(stdout) as ContainerSummary[]
  } catch {
    throw new UserError(`${host.spec}: list --json printed no JSON`)
  }
}

/** HOST and NAME columns; with --long, also state, address and generation. */
function hostListing(rows: HostSummary[], long: boolean): string[] {
  const header = long ? ['HOST', 'NAME', 'STATE', 'ADDRESS', 'GENERATION'] : ['HOST', 'NAME']
  const cells = [header, ...rows.map((r) => [
    r.host, r.name,
    ...(long ? [r.state, r.localAddress ?? r.localAddress6 ?? '-', r.generation === undefined ? '-' : String(r.generation)] : []),
  ])]
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column].length)))
  return cells.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  '))
}

/** What create and update build: the system of container NAME from SOURCE, maybe on a build host. */
export interface SystemBuild {
  /** create or update. */
  id: 'create' | 'update'
  name: string
  /** undefined: the command names no source (update without one: refused, see below). */
  source?: SystemSource
  config?: ConfigSource
  nixFlags: string[]
  /** --build-host: evaluated here, built there, copied from there to the target. */
  buildHost?: string
}

export interface RemoteBuild extends SystemBuild {
  /** The command line for the remote tool (the name included), the build's flags taken out. */
  argv: string[]
}

/**
 * create/update with --host: checks the remote tool and Nix first (nothing is built for a host
 * that cannot take it), builds here into a scratch profile (or, with --build-host, there),
 * copies the closure, then runs the remote command with --system-path. The copy is all or nothing
 * per store path, and the remote container is made only after it: a dropped connection leaves
 * nothing to undo, a retry completes.
 */
export async function buildAndForward(context: OperationContext, target: RemoteTarget, request: RemoteBuild): Promise<number> {
  const host = singleHost(target, request.id)
  await runRemote(host, target.sshOptions, ['--version'], {captureStdout: true, needsNix: true})
  const systemPath = request.buildHost === undefined
    ? await nixCopy(context, host, target.sshOptions, await buildHere(context, request), {to: true})
    : await builtElsewhereFor(context, target.sshOptions, buildHostOf(request.buildHost), request, host)
  return (await runRemote(host, target.sshOptions, [request.id, ...request.argv, '--system-path', systemPath])).exitCode
}

/**
 * --build-host without --host (the target is this machine, as nixos-rebuild --build-host alone):
 * evaluated here, built on the build host, and its closure copied back here (only what this store
 * lacks). Returns the system as a --system-path source: create and update go on as with one. A
 * failure leaves nothing here but store paths: the container is made or changed only after.
 */
export async function builtOnBuildHost(context: OperationContext, sshOptions: string[], request: SystemBuild & {buildHost: string}): Promise<SystemSource> {
  const systemPath = await builtElsewhereFor(context, sshOptions, buildHostOf(request.buildHost), request)
  return {kind: 'store-path', systemPath}
}

function buildHostOf(spec: string): RemoteHost {
  const buildHost = parseHost(spec, hostDefaults(undefined).named, '--build-host')
  if (buildHost.local) throw new UserError('--build-host: to build here, leave --build-host out')
  return buildHost
}

/**
 * `nix copy` of PATH between this machine and HOST (ssh-ng: only what the receiving side lacks),
 * `to` it or from it; returns PATH.
 */
async function nixCopy({progress}: OperationContext, host: RemoteHost, sshOptions: string[], path: string, {to, title, derivation = false}: {to: boolean; title?: string; derivation?: boolean}): Promise<string> {
  const options = sshOptionsFor(host, sshOptions)
  if (options.some((o) => /\s/.test(o))) throw new UserError('--ssh-option: Nix splits NIX_SSHOPTS at spaces: an option with a space cannot reach nix copy')
  const what = derivation ? 'derivation' : 'system'
  await progress.run([{
    title: title ?? (to ? `Copying the system to ${host.spec}` : `Copying the system from ${host.spec} here`),
    // Built by this user here, or there by the ssh user, so no signatures: the receiving Nix
    // decides whether it trusts the copy (the ssh user there must be one of its trusted-users).
    run: async (log) => void await runNix('nix', [...flakeFeatures, 'copy', '--no-check-sigs', ...(derivation ? ['--derivation'] : []), to ? '--to' : '--from', `ssh-ng://${host.destination}`, path], log,
      `${host.spec}: copying the ${what} ${to ? '' : 'here '}failed`, {NIX_SSHOPTS: options.join(' ')}),
  }]).catch((error: Error) => {
    if (!/lacks a valid signature/.test(error.message)) throw error
    throw new UserError(`${error.message} (the Nix there does not trust this copy: make the ssh user one of its trusted-users)`)
  })
  return path
}

/**
 * --build-host, as nixos-rebuild's: the build host is checked (reachable, with Nix), the system's
 * derivation evaluated here (the builder's instantiate), its closure of derivations copied to the
 * build host, built there with `nix-store --realise`, and the result copied to where it runs:
 * TARGET (by the build host's own ssh, unless the build host is the target), or without a target
 * back here. Nothing of the system is built here; with a target, nothing of it is stored here.
 */
async function builtElsewhereFor(context: OperationContext, sshOptions: string[], buildHost: RemoteHost, request: SystemBuild, target?: RemoteHost): Promise<string> {
  if (sourceOf(request).kind === 'store-path') throw new UserError('--build-host builds the system: give --config, --config-file or --flake, not --system-path')
  await checkNixThere(buildHost, sshOptions)
  const derivation = await buildHere(context, request, {instantiate: true})
  await nixCopy(context, buildHost, sshOptions, derivation, {to: true, title: `Copying the system's derivation to ${buildHost.spec}`, derivation: true})
  let systemPath = ''
  await context.progress.run([{
    title: `Building the system on ${buildHost.spec}`,
    run: async (log) => {
      const output = await runNix('ssh', sshArgv(buildHost, sshOptions, `nix-store --realise ${derivation}`), log, `${buildHost.spec}: building the system failed`)
      systemPath = output.split('\n').at(-1) ?? ''
    },
  }])
  if (!/^\/nix\/store\/[^/]+$/.test(systemPath)) throw new UserError(`${buildHost.spec}: the build gave no system (${systemPath || 'nothing'})`)
  if (target === undefined) return nixCopy(context, buildHost, sshOptions, systemPath, {to: false})
  if (buildHost.destination === target.destination && buildHost.port === target.port) return systemPath
  const nixSshOpts = target.port === undefined ? '' : `NIX_SSHOPTS=${shellQuote(`-p ${target.port}`)} `
  await context.progress.run([{
    title: `Copying the system from ${buildHost.spec} to ${target.spec}`,
    run: async (log) => void await runNix('ssh', sshArgv(buildHost, sshOptions,
      `${nixSshOpts}nix ${flakeFeatures.map(shellQuote).join(' ')} copy --no-check-sigs --to ${shellQuote(`ssh-ng://${target.destination}`)} ${systemPath}`),
    log, `${buildHost.spec}: copying the system to ${target.spec} failed`),
  }])
  return systemPath
}

/** What REQUEST builds: its source, else configuration.nix when it has --config; a build elsewhere needs one. */
function sourceOf(request: SystemBuild): SystemSource {
  const source = request.source ?? (request.config ? {kind: 'configuration'} as const : undefined)
  if (!source) throw new UserError(`${request.id} --build-host builds the system: give --config, --config-file or --flake`)
  return source
}

/**
 * The system, built as a local create or update would build it, in a profile removed afterwards;
 * with `instantiate`, only its derivation (the builder's instantiate), nothing built.
 */
async function buildHere({plugins, progress}: OperationContext, request: SystemBuild, {instantiate = false} = {}): Promise<string> {
  const source = sourceOf(request)
  if (source.kind === 'store-path') return source.systemPath
  const builder = await plugins.builder(source)
  if (instantiate && !builder.instantiate) throw new UserError(`--build-host: the builder ${builder.name} cannot evaluate without building (it has no instantiate)`)
  return withScratchDirectory('remote-build', async (dir) => {
    // Only the profile is written (configuration.nix is built from a private copy, not installed).
    const inScratch = (file: string): string => path.join(dir, file)
    const paths: ContainerPaths = {
      name: request.name, conf: inScratch('conf'), root: inScratch('root'), profileDir: inScratch('profile'), profile: inScratch('profile/system'),
      gcroots: inScratch('gcroots'), pidFile: inScratch('pid'), logFile: inScratch('log'),
    }
    let result = ''
    await progress.run([{
      title: `${instantiate ? 'Evaluating' : 'Building'} the system of container ${request.name} here (${builder.name})`,
      run: async (log) => {
        const build = {name: request.name, paths, source, nixFlags: request.nixFlags, log}
        if (instantiate) {
          const text = source.kind === 'configuration' ? configurationText(request.name, request.config) : undefined
          result = text === undefined
            ? await builder.instantiate!(build)
            : await withConfigurationFile(text, (configurationFile) => builder.instantiate!({...build, configurationFile}))
          return
        }
        result = source.kind === 'configuration'
          ? await buildConfiguration(builder, build, configurationText(request.name, request.config), false)
          : await builder.build(build)
      },
    }])
    if (!existsSync(result)) throw new UserError(`the ${instantiate ? 'evaluation gave no derivation' : 'build gave no system'} (${result || 'nothing'})`)
    return result
  })
}

/** The build's own flags (source, Nix pass-through, builder), which stay here: ARGV without them. */
export function withoutBuildFlags(argv: string[]): string[] {
  const valued = new Set(['--config', '--config-file', '--flake', '--nixos-path', '--system-path', '--log-format', '--update-input', '--builder', '--build-host'])
  const boolean = new Set(['--impure', '--commit-lock-file', '--no-registries', '--no-update-lock-file', '--no-write-lock-file', '--no-allow-dirty', '--recreate-lock-file', '--refresh'])
  return takeFromArgv(argv, (arg) => {
    if (boolean.has(arg)) return 1
    const name = arg.split('=')[0]
    if (valued.has(name)) return arg.includes('=') ? 1 : 2
    return 0
  })
}
