// Where containers live on the host. Defaults are NixOS's (stateVersion >= 22.05); every path can be
// moved by environment so tests and non-NixOS hosts can keep containers elsewhere.
import {existsSync, readdirSync} from 'node:fs'
import path from 'node:path'

export interface HostPaths {
  /** NAME.conf files (EnvironmentFile= of container@NAME). */
  configDir: string
  /** Container root file systems (the guests': touch what is inside only through lib/guest-fs.ts). */
  stateDir: string
  /** Per-container Nix profiles (bind-mounted as the container's /nix/var/nix/profiles). */
  profilesDir: string
  /** Per-container GC roots (bind-mounted as the container's /nix/var/nix/gcroots). */
  gcrootsDir: string
  /** Our runtime state: pid files and console logs of directly supervised containers. */
  runtimeDir: string
  /** The lock shared with upstream's `create`. */
  lockFile: string
  /** Which providers this host uses, and their settings (see plugin-host/settings.ts). */
  settingsFile: string
}

export interface ContainerPaths {
  name: string
  conf: string
  root: string
  profileDir: string
  /** The system profile; its target is the container's current system. */
  profile: string
  gcroots: string
  pidFile: string
  logFile: string
}

const legacyConfigDir = '/etc/containers'
/** Files of podman's that share upstream's old settings directory; never containers of ours. */
export const foreignConfFiles = new Set(['libpod.conf', 'containers.conf', 'registries.conf'])

/** NixOS hosts installed before 22.05 keep containers in /etc/containers and /var/lib/containers. */
function usesLegacyLayout(): boolean {
  if (existsSync('/etc/nixos-containers')) return false
  try {
    return readdirSync(legacyConfigDir).some((f) => f.endsWith('.conf') && !foreignConfFiles.has(f))
  } catch {
    return false
  }
}

export function resolveHostPaths(env: NodeJS.ProcessEnv = process.env): HostPaths {
  const explicitConfig = env.NIXOS_CONTAINER_CONFIG_DIR
  const legacy = !explicitConfig && usesLegacyLayout()
  return {
    configDir: explicitConfig || (legacy ? legacyConfigDir : '/etc/nixos-containers'),
    stateDir: env.NIXOS_CONTAINER_STATE_DIR || (legacy ? '/var/lib/containers' : '/var/lib/nixos-containers'),
    profilesDir: env.NIXOS_CONTAINER_PROFILES_DIR || '/nix/var/nix/profiles/per-container',
    gcrootsDir: env.NIXOS_CONTAINER_GCROOTS_DIR || '/nix/var/nix/gcroots/per-container',
    runtimeDir: env.NIXOS_CONTAINER_RUNTIME_DIR || '/run/nixos-containers',
    lockFile: env.NIXOS_CONTAINER_LOCK || '/run/lock/nixos-container',
    settingsFile: env.NIXOS_CONTAINER_SETTINGS || '/etc/nixos-container/settings.json',
  }
}

/** NAME.conf alone: what plain `list` and existence checks need of each container. */
export function confPath(host: HostPaths, name: string): string {
  return path.join(host.configDir, `${name}.conf`)
}

export function containerPaths(host: HostPaths, name: string): ContainerPaths {
  const root = path.join(host.stateDir, name)
  const profileDir = path.join(host.profilesDir, name)
  return {
    name,
    conf: confPath(host, name),
    root,
    profileDir,
    profile: path.join(profileDir, 'system'),
    gcroots: path.join(host.gcrootsDir, name),
    pidFile: path.join(host.runtimeDir, `${name}.pid`),
    logFile: path.join(host.runtimeDir, `${name}.log`),
  }
}
