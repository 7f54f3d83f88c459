// Our own container@.service, for systemd hosts that do not have NixOS's. It runs the same steps
// as the direct supervisor (prepare the root, the same systemd-nspawn command line, the same
// network setup), through unit-helper.js, and has the service settings of NixOS's unit.
// A unit of that name that we did not install (NixOS's, an admin's) is used as it is, never touched.
import {existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {systemctl} from './systemctl.js'
import {cliEntryPoint, resolveHostPaths, unitStepCommand, UserError} from 'nixos-container'

const templateName = 'container@.service'
/** First line of every unit we install: what tells ours from one we must leave alone. */
export const ourMarker = '# Installed by nixos-container (TypeScript).'
const installDir = '/etc/systemd/system'
/** systemd's unit search path for the system manager, highest priority first. */
const unitDirs = ['/etc/systemd/system.control', '/run/systemd/transient', '/etc/systemd/system',
  '/run/systemd/system', '/usr/local/lib/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system']

/** The path variables a unit must see to find the same containers as the CLI that installed it. */
const pathVariables = ['NIXOS_CONTAINER_CONFIG_DIR', 'NIXOS_CONTAINER_STATE_DIR', 'NIXOS_CONTAINER_PROFILES_DIR',
  'NIXOS_CONTAINER_GCROOTS_DIR', 'NIXOS_CONTAINER_RUNTIME_DIR', 'NIXOS_CONTAINER_LOCK', 'NIXOS_CONTAINER_SETTINGS', 'NIXOS_CONTAINER_DATA_DIR']

/** Where systemd would load container@.service from, if anywhere. */
export function installedTemplate(): string | undefined {
  return unitDirs.map((dir) => path.join(dir, templateName)).find((file) => existsSync(file))
}

export function isOurs(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').startsWith(ourMarker)
  } catch {
    return false
  }
}

/** The unit's PATH, which is also where it looks for the tool. */
const unitSearchPath = ['/run/current-system/sw/bin', '/nix/var/nix/profiles/default/bin', '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']

/**
 * How the unit runs the tool. Through the `nixos-container` on its PATH when that leads to this
 * install: a name package managers keep pointing at the current version (/usr/local/bin from npm,
 * a Nix profile), so a unit written now keeps working after an upgrade or a move of the install,
 * also at boot, before any command could rewrite it. Otherwise (a checkout not on PATH) by this
 * install's absolute paths; the next command that checks the unit rewrites it if they change.
 */
export function unitEntry(): string[] {
  const ours = realpathSync(cliEntryPoint)
  for (const dir of unitSearchPath) {
    const candidate = path.join(dir, 'nixos-container')
    try {
      if (realpathSync(candidate) === ours) return [candidate]
    } catch {
      // Not there.
    }
  }
  return [process.execPath, cliEntryPoint]
}

const quote = (value: string): string => (/^[\w@%+=:,./-]+$/.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`)

export function renderUnit(env: NodeJS.ProcessEnv = process.env): string {
  const host = resolveHostPaths(env)
  const helper = [...unitEntry(), unitStepCommand].map(quote).join(' ')
  const environment = pathVariables.filter((key) => env[key]).map((key) => `Environment=${quote(`${key}=${env[key]}`)}\n`).join('')
  return `${ourMarker} It is rewritten when the tool changes.
# To keep your own version instead, delete that first line: the tool then leaves this file alone.
[Unit]
Description=Container '%i'
Documentation=man:nixos-container(8) man:systemd-nspawn(1)
Wants=network.target
After=network.target systemd-machined.service
Before=machines.target
PartOf=machines.target
RequiresMountsFor=${host.stateDir}/%i

[Service]
# The start helper exits once the container has booted; systemd-nspawn is then the main process.
Type=forking
PIDFile=${host.runtimeDir}/%i.pid
Environment=root=${host.stateDir}/%i INSTANCE=%i
Environment=PATH=${unitSearchPath.join(':')}
${environment}EnvironmentFile=-${host.configDir}/%i.conf
ExecStartPre=${helper} pre-start %i
# The helper boots the container: network before its init runs, then waits for its READY=1.
ExecStart=${helper} start %i
ExecReload=${helper} reload %i
SyslogIdentifier=container %i
TimeoutStartSec=1min
# systemd-nspawn exits with 133 when the container reboots: start it again.
SuccessExitStatus=133
RestartForceExitStatus=133
Restart=on-failure
Slice=machine.slice
Delegate=yes
# As NixOS's unit: only the usual devices (null, zero, ptys, …); --enable-tun adds /dev/net/tun
# in a drop-in (devices.ts).
DevicePolicy=closed
# SIGTERM to systemd-nspawn becomes SIGRTMIN+3 for the container's init: a clean halt.
KillMode=mixed
KillSignal=TERM

[Install]
WantedBy=machines.target
`
}

export type TemplateKind = 'ours' | 'foreign'

/**
 * Makes sure systemd has a container@.service: a foreign one is used as it is; ours is
 * (re)written when missing or outdated, then systemd reloads its units.
 */
export async function ensureTemplate(): Promise<TemplateKind> {
  const existing = installedTemplate()
  if (existing && !isOurs(existing)) return 'foreign'
  const wanted = renderUnit()
  if (existing && readFileSync(existing, 'utf8') === wanted) return 'ours'
  const target = existing ?? path.join(installDir, templateName)
  try {
    mkdirSync(path.dirname(target), {recursive: true})
    // Written aside and renamed, so concurrent starts never see half a unit.
    const temporary = `${target}.${process.pid}.tmp`
    writeFileSync(temporary, wanted)
    renameSync(temporary, target)
  } catch (error) {
    throw new UserError(`cannot install ${target}: ${(error as Error).message}`)
  }
  const reload = await systemctl(['daemon-reload'])
  if (!reload.ok) throw new UserError(`systemctl daemon-reload failed: ${reload.reason}`)
  return 'ours'
}
