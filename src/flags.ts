// Flags shared by several commands, and upstream's Nix pass-through flags. Two of those take two
// values (--option NAME VALUE, --override-input INPUT REF), which oclif cannot parse, so they are
// taken out of argv before oclif sees it, keeping their order.
import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'

import type {SystemSource} from './contract/builder.js'
import {type ContainerOptions, parseBind} from './lib/container-options.js'
import {type LimitChanges, parseCpus, parseSize, parseTasks} from './lib/limits.js'
import {takeFromArgv} from './lib/argv.js'
import {UserError} from './lib/errors.js'
import {parseFlakeRef} from './lib/flake-ref.js'
import {type ConfigSource, resolveConfigFile} from './lib/nixos-config.js'

export const nameArg = {
  name: Args.string({description: 'container name', required: true, ignoreStdin: true}),
}

const pairFlags = new Set(['--option', '--override-input'])

export interface SplitArgv {
  rest: string[]
  pairs: string[]
}

/** Removes `--option K V` and `--override-input I REF` from argv (up to a `--`). */
export function takePairFlags(argv: string[]): SplitArgv {
  const pairs: string[] = []
  const rest = takeFromArgv(argv, (arg, next) => {
    if (!pairFlags.has(arg)) return 0
    if (next.length < 2) throw new UserError(`${arg} needs two values`)
    pairs.push(arg, ...next)
    return 3
  })
  return {rest, pairs}
}

export const nixFlags = {
  'log-format': Flags.string({helpGroup: 'NIX', helpValue: '<format>', description: 'passed to Nix: log format (raw, internal-json, bar, bar-with-logs)'}),
  option: Flags.string({helpGroup: 'NIX', helpValue: '<name> <value>', multiple: true, description: 'passed to Nix: set a nix.conf option (takes two values)'}),
  impure: Flags.boolean({helpGroup: 'NIX', description: 'passed to Nix: allow impure evaluation of the flake'}),
  'update-input': Flags.string({helpGroup: 'NIX', helpValue: '<input>', multiple: true, description: 'passed to Nix: update one flake input'}),
  'override-input': Flags.string({helpGroup: 'NIX', helpValue: '<input> <flakeref>', multiple: true, description: 'passed to Nix: override a flake input (takes two values)'}),
  'commit-lock-file': Flags.boolean({helpGroup: 'NIX', description: 'passed to Nix: commit changes to flake.lock'}),
  'no-registries': Flags.boolean({helpGroup: 'NIX', description: 'passed to Nix: do not use flake registries'}),
  'no-update-lock-file': Flags.boolean({helpGroup: 'NIX', description: 'passed to Nix: do not update flake.lock'}),
  'no-write-lock-file': Flags.boolean({helpGroup: 'NIX', description: 'passed to Nix: do not write flake.lock'}),
  'no-allow-dirty': Flags.boolean({helpGroup: 'NIX', description: 'passed to Nix: refuse a dirty Git tree'}),
  'recreate-lock-file': Flags.boolean({helpGroup: 'NIX', description: 'passed to Nix: recreate flake.lock'}),
  refresh: Flags.boolean({helpGroup: 'NIX', description: 'passed to Nix: fetch the flake and its inputs again, whatever is cached (flakes only)'}),
}

type NixFlagValues = {[K in keyof typeof nixFlags]?: unknown}

/** The pass-through flags in upstream's order: single flags first, then the two-value ones. */
export function nixPassThrough(flags: NixFlagValues, pairs: string[]): string[] {
  const out: string[] = []
  if (flags['log-format']) out.push('--log-format', String(flags['log-format']))
  if (flags.impure) out.push('--impure')
  for (const input of (flags['update-input'] as string[] | undefined) ?? []) out.push('--update-input', input)
  for (const name of ['commit-lock-file', 'no-registries', 'no-update-lock-file', 'no-write-lock-file', 'no-allow-dirty', 'recreate-lock-file', 'refresh'] as const) {
    if (flags[name]) out.push(`--${name}`)
  }
  return [...out, ...pairs]
}

/** create/update: where the system is built (evaluated here, built there, copied from there to --host, or back here). */
export const buildHostFlag = {
  'build-host': Flags.string({
    helpValue: '[<user>@]<host>[:<port>]',
    description: 'evaluate here, build on this host over ssh (nix-store --realise there) and copy the system from there to --host, or without --host back here, as nixos-rebuild --build-host does (it needs Nix, not this tool)',
  }),
}

export const sourceFlags = {
  config: Flags.string({helpValue: '<nix>', description: 'NixOS configuration (Nix attributes) added to the container\'s configuration.nix'}),
  'config-file': Flags.string({helpValue: '<file>', description: 'a NixOS module file the container\'s configuration.nix imports'}),
  flake: Flags.string({helpValue: '<ref>[#<attr>]', description: 'build nixosConfigurations.ATTR of this flake (REF#ATTR; ATTR defaults to "container")'}),
  'nixos-path': Flags.string({helpValue: '<path>', description: 'NixOS to evaluate configuration.nix with (default <nixpkgs/nixos>)'}),
}

/** --config and --config-file as a ConfigSource, with upstream's refusal of both at once. */
export function configSource(flags: {config?: string; 'config-file'?: string}): ConfigSource | undefined {
  if (flags.config !== undefined && flags['config-file'] !== undefined) {
    throw new UserError('--config and --config-file are mutually incompatible. Please define one or the other, but not both')
  }
  if (flags['config-file'] !== undefined) return {kind: 'file', file: resolveConfigFile(flags['config-file'])}
  if (flags.config !== undefined) return {kind: 'string', text: flags.config}
  return undefined
}

export const timeoutFlag = {
  timeout: Flags.integer({helpValue: '<seconds>', description: 'seconds to wait before giving up', default: 90, min: 1}),
}

/**
 * The build source the command line asks for: --system-path, --flake, or configuration.nix with
 * --nixos-path; undefined when it names none (create then builds configuration.nix, update what
 * the container was built from).
 */
export function explicitSource(flags: {flake?: string; 'system-path'?: string; 'nixos-path'?: string}, config: ConfigSource | undefined): SystemSource | undefined {
  if (flags['system-path'] !== undefined) {
    if (config || flags.flake !== undefined) throw new UserError('--system-path cannot be combined with --config, --config-file or --flake')
    return {kind: 'store-path', systemPath: flags['system-path']}
  }
  if (flags.flake !== undefined) {
    if (config) throw new UserError('--flake cannot be combined with --config or --config-file')
    return {kind: 'flake', ...parseFlakeRef(flags.flake)}
  }
  if (flags['nixos-path'] !== undefined) return {kind: 'configuration', nixosPath: flags['nixos-path']}
  return undefined
}

/** Choosing a provider on the command line; the same choice can come from the environment or the settings file. */
export const providerFlags = {
  allocator: Flags.string({
    helpGroup: 'PROVIDER',
    helpValue: '<name>',
    description: 'how addresses are chosen: upstream (10.233.N.1/.2, the default), ula (the same plus IPv6 ULA addresses), or one a plugin adds. Also NIXOS_CONTAINER_ALLOCATOR.',
  }),
  builder: Flags.string({
    helpGroup: 'PROVIDER',
    helpValue: '<name>',
    description: 'how the system is built: channels (configuration.nix with <nixpkgs/nixos>) or flakes, by default after what is built, or one a plugin adds. Also NIXOS_CONTAINER_BUILDER.',
  }),
}

/** Resource limits, for create and set (see lib/limits.ts). */
export const limitFlags = {
  memory: Flags.string({helpValue: '<size>', helpGroup: 'LIMITS', description: 'most memory the container may use, such as 512M or 2G (none: no limit)'}),
  cpus: Flags.string({helpValue: '<n>', helpGroup: 'LIMITS', description: 'CPU time it may use, in CPUs, such as 0.5 or 2 (none: no limit)'}),
  'tasks-max': Flags.string({helpValue: '<n>', helpGroup: 'LIMITS', description: 'most processes and threads it may run (none: no limit)'}),
}

/** The limits the flags ask for, parsed (one clear line for a bad value). */
export function limitChanges(flags: {memory?: string; cpus?: string; 'tasks-max'?: string}): LimitChanges {
  return {
    memoryBytes: flags.memory === undefined ? undefined : parseSize('--memory', flags.memory),
    cpus: flags.cpus === undefined ? undefined : parseCpus('--cpus', flags.cpus),
    tasksMax: flags['tasks-max'] === undefined ? undefined : parseTasks('--tasks-max', flags['tasks-max']),
  }
}

/**
 * What a declarative container can have (issue 13), for create and update. --use-host-network is
 * create's alone: a container's addresses are made with it.
 */
export const containerOptionFlags = {
  bind: Flags.string({helpValue: '<host[:guest]>', multiple: true, helpGroup: 'CONTAINER', description: 'bind-mount a host directory or file into the container, read-write (repeatable; in EXTRA_NSPAWN_FLAGS as the module writes it)'}),
  'bind-ro': Flags.string({helpValue: '<host[:guest]>', multiple: true, helpGroup: 'CONTAINER', description: 'bind-mount a host directory or file into the container, read-only (repeatable)'}),
  ephemeral: Flags.boolean({helpGroup: 'CONTAINER', description: 'run on a throw-away copy of its root: nothing written inside survives a stop'}),
  'private-users': Flags.string({helpValue: '<pick|identity|uid[:range]>', helpGroup: 'CONTAINER', description: 'user namespacing (PRIVATE_USERS): root in the container is an unprivileged uid on the host; `pick` chooses a free range'}),
  'enable-tun': Flags.boolean({helpGroup: 'CONTAINER', description: 'give the container /dev/net/tun and CAP_NET_ADMIN, for VPNs'}),
  capability: Flags.string({helpValue: '<CAP_NAME>', multiple: true, helpGroup: 'CONTAINER', description: 'grant the container this capability too (repeatable)'}),
  'extra-nspawn-flags': Flags.string({helpValue: '<flags>', helpGroup: 'CONTAINER', description: 'more systemd-nspawn flags, space-separated, passed as they are (EXTRA_NSPAWN_FLAGS)'}),
  'port-bind': Flags.string({helpValue: '<addr|iface>', multiple: true, helpGroup: 'CONTAINER', description: 'answer the --port forwards on this host address or interface too, such as 127.0.0.1 or lo, which systemd-nspawn\'s own forwards leave out (PORT_BIND; repeatable)'}),
}

interface ContainerOptionValues {
  bind?: string[]
  'bind-ro'?: string[]
  'use-host-network'?: boolean
  ephemeral?: boolean
  'private-users'?: string
  'enable-tun'?: boolean
  capability?: string[]
  'extra-nspawn-flags'?: string
  'port-bind'?: string[]
}

/** The container options the flags ask for; undefined when none was given (update keeps what there is). */
export function containerOptionsOf(flags: ContainerOptionValues): ContainerOptions | undefined {
  const given = [flags.bind, flags['bind-ro'], flags.capability, flags['port-bind']].some((list) => (list ?? []).length > 0) ||
    Boolean(flags['use-host-network'] || flags.ephemeral || flags['enable-tun']) ||
    flags['private-users'] !== undefined || flags['extra-nspawn-flags'] !== undefined
  if (!given) return undefined
  return {
    binds: [...(flags.bind ?? []).map((spec) => parseBind('--bind', spec, false)), ...(flags['bind-ro'] ?? []).map((spec) => parseBind('--bind-ro', spec, true))],
    hostNetwork: flags['use-host-network'] ?? false,
    ephemeral: flags.ephemeral ?? false,
    privateUsers: flags['private-users'],
    enableTun: flags['enable-tun'] ?? false,
    capabilities: flags.capability ?? [],
    extraNspawnFlags: (flags['extra-nspawn-flags'] ?? '').split(/\s+/).filter(Boolean),
    portBinds: flags['port-bind'] ?? [],
  }
}
