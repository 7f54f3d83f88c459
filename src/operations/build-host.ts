// --build-host, as nixos-rebuild's: the system is evaluated here (the builder's instantiate), its
// derivations are copied to the build host and built there (`nix-store --realise`), and the result
// is copied to where the container runs. Without --host that is this machine: the chosen builder is
// wrapped (builtElsewhere) so create and update run as they always do, installing configuration.nix
// and recording the flake, and only the build itself happens on the build host. With --host,
// operations/remote.ts uses the same steps and has the build host copy the system to the target.
import type {OperationContext} from './context.js'
import type {Builder, SystemSource} from '../contract/builder.js'
import {UserError} from '../lib/errors.js'
import {flakeFeatures, type LogSink, runNix} from '../lib/nix.js'
import {ensureProfileDir, setProfile} from '../lib/profile.js'
import {checkNixThere, parseHost, type RemoteHost, sshArgv, sshOptionsFor} from '../lib/remote.js'
import {hostDefaults} from '../plugin-host/settings.js'

/** The build host and the ssh options that reach it. */
export interface BuildHost {
  host: RemoteHost
  sshOptions: string[]
}

/** --build-host's value (a named host from the settings file too); this machine is refused. */
export function buildHostOf(spec: string, sshOptions: string[]): BuildHost {
  const host = parseHost(spec, hostDefaults(undefined).named, '--build-host')
  if (host.local) throw new UserError('--build-host: to build here, leave --build-host out')
  return {host, sshOptions}
}

/**
 * `nix copy` of PATH between this machine and HOST, `to` it or from it: only what the receiving
 * store lacks (ssh-ng), all or nothing per store path.
 */
export async function copyStorePath(host: RemoteHost, sshOptions: string[], path: string, {to, derivation = false}: {to: boolean; derivation?: boolean}, log: LogSink): Promise<void> {
  // The options were split at white space as they were taken (lib/remote.ts), as Nix splits NIX_SSHOPTS.
  const options = sshOptionsFor(host, sshOptions)
  // Built by this user here, or there by the ssh user, so no signatures: the receiving Nix
  // decides whether it trusts the copy (the ssh user there must be one of its trusted-users).
  const args = [...flakeFeatures, 'copy', '--no-check-sigs', ...(derivation ? ['--derivation'] : []), to ? '--to' : '--from', `ssh-ng://${host.destination}`, path]
  const failure = `${host.spec}: copying the ${derivation ? 'derivation' : 'system'} ${to ? '' : 'here '}failed`
  await runNix('nix', args, log, failure, {NIX_SSHOPTS: options.join(' ')}).catch((error: Error) => {
    if (!/lacks a valid signature/.test(error.message)) throw error
    throw new UserError(`${error.message} (the Nix there does not trust this copy: make the ssh user one of its trusted-users)`)
  })
}

/** DERIVATION (evaluated here) copied to the build host and built there; returns the system's store path there. */
export async function realisedThere({host, sshOptions}: BuildHost, derivation: string, log: LogSink): Promise<string> {
  await copyStorePath(host, sshOptions, derivation, {to: true, derivation: true}, log)
  const output = await runNix('ssh', sshArgv(host, sshOptions, `nix-store --realise ${derivation}`), log, `${host.spec}: building the system failed`)
  const systemPath = output.split('\n').at(-1) ?? ''
  if (!/^\/nix\/store\/[^/]+$/.test(systemPath)) throw new UserError(`${host.spec}: the build gave no system (${systemPath || 'nothing'})`)
  return systemPath
}

/**
 * BUILDER with its builds done on the build host, for a container of this machine: evaluated here
 * by its instantiate, built there, the system copied back here, then the profile set as any build
 * sets it. A failure leaves the profile as it was.
 */
export function builtElsewhere(builder: Builder, buildHost: BuildHost): Builder {
  const instantiate = builder.instantiate?.bind(builder)
  if (!instantiate) throw new UserError(`--build-host: the builder ${builder.name} cannot evaluate without building (it has no instantiate)`)
  return {
    name: `${builder.name}, built on ${buildHost.host.spec}`,
    handles: (source) => builder.handles(source),
    instantiate,
    async build(request) {
      const systemPath = await realisedThere(buildHost, await instantiate(request), request.log)
      await copyStorePath(buildHost.host, buildHost.sshOptions, systemPath, {to: false}, request.log)
      ensureProfileDir(request.paths.profileDir)
      await setProfile(request.paths.profile, systemPath, request.log)
      return systemPath
    },
  }
}

/**
 * The builder for SOURCE; with a build host, its builds done there (builtElsewhere), and the build
 * host checked first, reachable over ssh and with Nix, before anything is evaluated or made (one
 * line naming it, exit 255).
 */
export async function builderFor(plugins: OperationContext['plugins'], source: SystemSource, buildHost?: BuildHost): Promise<Builder> {
  if (!buildHost) return plugins.builder(source)
  if (source.kind === 'store-path') throw new UserError('--build-host builds the system: give --config, --config-file or --flake, not --system-path')
  const builder = builtElsewhere(await plugins.builder(source), buildHost)
  await checkNixThere(buildHost.host, buildHost.sshOptions)
  return builder
}
