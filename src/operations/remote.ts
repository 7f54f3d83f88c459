// What commands do with --host (lib/remote.ts runs the tool there): most pass their command line
// on as it is; list combines several hosts; create and update build the system here with the
// builder plugin, copy its closure with `nix copy --to ssh-ng://HOST` and give the remote tool
// --system-path, so nothing is built there and a dropped copy leaves nothing made on either side.
// --build-host evaluates here and builds on the build host (build-host.ts).
import {existsSync} from 'node:fs'
import path from 'node:path'

import {buildConfiguration} from './build-configuration.js'
import {type BuildHost, builderFor, buildHostOf, copyStorePath, realisedThere} from './build-host.js'
import type {OperationContext} from './context.js'
import type {Builder, SystemSource} from '../contract/builder.js'
import {takeFromArgv} from '../lib/argv.js'
import type {ContainerSummary} from '../lib/containers.js'
import {errorReport, UserError} from '../lib/errors.js'
import {flakeFeatures, runNix} from '../lib/nix.js'
import {type ConfigSource, configurationText, withConfigurationFile} from '../lib/nixos-config.js'
import type {ContainerPaths} from '../lib/paths.js'
import {type RemoteHost, type RemoteTarget, runRemote, shellQuote, sshArgv} from '../lib/remote.js'
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

export interface RemoteBuild {
  /** create or update. */
  id: 'create' | 'update'
  name: string
  /** undefined: the command names no source (update without one: refused, see below). */
  source?: SystemSource
  config?: ConfigSource
  nixFlags: string[]
  /** --build-host: evaluated here, built there, copied from there to the target. */
  buildHost?: string
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
    ? await copiedThere(context, host, target.sshOptions, await buildHere(context, request))
    : await builtElsewhereFor(context, buildHostOf(request.buildHost, target.sshOptions), request, host)
  return (await runRemote(host, target.sshOptions, [request.id, ...request.argv, '--system-path', systemPath])).exitCode
}

/** PATH copied to HOST (build-host.ts copyStorePath) as a step of its own; returns PATH. */
async function copiedThere({progress}: OperationContext, host: RemoteHost, sshOptions: string[], path: string): Promise<string> {
  await progress.run([{title: `Copying the system to ${host.spec}`, run: (log) => copyStorePath(host, sshOptions, path, {to: true}, log)}])
  return path
}

/**
 * --build-host with --host: the build host is checked (builderFor), the system's
 * derivation evaluated here, built there (build-host.ts realisedThere), and the result copied from
 * there to TARGET by the build host's own ssh, unless the build host is the target. Nothing of
 * the system is built or stored here.
 */
async function builtElsewhereFor(context: OperationContext, buildHost: BuildHost, request: RemoteBuild, target: RemoteHost): Promise<string> {
  // The builder as --build-host wraps it, the build host checked: nothing is evaluated for one that cannot build.
  const evaluator = await builderFor(context.plugins, sourceOf(request), buildHost)
  const derivation = await buildHere(context, request, evaluator)
  const {host, sshOptions} = buildHost
  let systemPath = ''
  await context.progress.run([{
    title: `Building the system on ${host.spec}`,
    run: async (log) => void (systemPath = await realisedThere(buildHost, derivation, log)),
  }])
  if (host.destination === target.destination && host.port === target.port) return systemPath
  const nixSshOpts = target.port === undefined ? '' : `NIX_SSHOPTS=${shellQuote(`-p ${target.port}`)} `
  await context.progress.run([{
    title: `Copying the system from ${host.spec} to ${target.spec}`,
    run: async (log) => void await runNix('ssh', sshArgv(host, sshOptions,
      `${nixSshOpts}nix ${flakeFeatures.map(shellQuote).join(' ')} copy --no-check-sigs --to ${shellQuote(`ssh-ng://${target.destination}`)} ${systemPath}`),
    log, `${host.spec}: copying the system to ${target.spec} failed`),
  }])
  return systemPath
}

/** What REQUEST builds: its source, else configuration.nix when it has --config; a build elsewhere needs one. */
function sourceOf(request: RemoteBuild): SystemSource {
  const source = request.source ?? (request.config ? {kind: 'configuration'} as const : undefined)
  if (!source) throw new UserError(`${request.id} --build-host builds the system: give --config, --config-file or --flake`)
  return source
}

/**
 * The system, built as a local create or update would build it, in a profile removed afterwards;
 * given an EVALUATOR (a builder with instantiate), only its derivation, nothing built.
 */
async function buildHere({plugins, progress}: OperationContext, request: RemoteBuild, evaluator?: Builder): Promise<string> {
  const source = sourceOf(request)
  if (source.kind === 'store-path') return source.systemPath
  const builder = evaluator ?? await plugins.builder(source)
  const instantiate = evaluator?.instantiate?.bind(evaluator)
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
            ? await instantiate(build)
            : await withConfigurationFile(text, (configurationFile) => instantiate({...build, configurationFile}))
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
