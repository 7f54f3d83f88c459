// AUTO_START=1 as a real boot-time start: container@NAME.service wanted by machines.target.
// The link lives where `systemctl enable` would put it; on NixOS, whose /etc/systemd/system is a
// read-only link into the store, in /etc/systemd/system.control, which systemd also reads and
// which survives reboots. It works for NixOS's unit, which has no [Install] section, as for ours.
import {accessSync, constants, lstatSync, mkdirSync, rmSync, symlinkSync} from 'node:fs'
import path from 'node:path'

import {installedTemplate} from './container-unit.js'
import {containerUnit, systemctl} from './systemctl.js'
import {type Container, UserError} from 'nixos-container'

/** Where systemd reads the host's unit configuration that survives a reboot: ours first, NixOS's read-only one aside. */
export const unitConfigDirs = ['/etc/systemd/system', '/etc/systemd/system.control']
const wantsDirs = unitConfigDirs.map((dir) => path.join(dir, 'machines.target.wants'))

function writableDir(dir: string): boolean {
  try {
    if (lstatSync(dir).isSymbolicLink()) return false
    accessSync(dir, constants.W_OK)
    return true
  } catch {
    return false
  }
}

/** The one of unitConfigDirs to write to. */
export function unitConfigDir(): string {
  return writableDir(unitConfigDirs[0]) ? unitConfigDirs[0] : unitConfigDirs[1]
}

function wantsDir(): string {
  return path.join(unitConfigDir(), 'machines.target.wants')
}

function linkExists(file: string): boolean {
  try {
    lstatSync(file)
    return true
  } catch {
    return false
  }
}

/** Whether container@NAME is wanted by machines.target through a link of ours. */
export function autoStartLinked(name: string): boolean {
  return wantsDirs.some((dir) => linkExists(path.join(dir, containerUnit(name))))
}

/** Makes the boot-time start match the conf's AUTO_START; reloads systemd when it changed anything. */
export async function syncAutoStart(container: Container): Promise<void> {
  const wanted = container.conf.get('AUTO_START') === '1'
  if (wanted === autoStartLinked(container.name)) return
  if (wanted) {
    await ensureMachinesTargetAtBoot()
    const template = installedTemplate()
    if (!template) throw new UserError('no container@.service to start at boot')
    const dir = wantsDir()
    try {
      mkdirSync(dir, {recursive: true})
      symlinkSync(template, path.join(dir, containerUnit(container.name)))
    } catch (error) {
      throw new UserError(`cannot enable auto-start of container ‘${container.name}’: ${(error as Error).message}`)
    }
  } else {
    removeAutoStart(container.name)
  }
  await systemctl(['daemon-reload'])
}

/** machines.target is what starts containers at boot; distributions enable it, but make sure. */
async function ensureMachinesTargetAtBoot(): Promise<void> {
  const {stdout} = await systemctl(['is-enabled', 'machines.target'])
  if (['enabled', 'static', 'linked', 'alias', 'generated'].includes(stdout.trim())) return
  const enabled = await systemctl(['enable', 'machines.target'])
  if (!enabled.ok) throw new UserError(`cannot enable machines.target for auto-start: ${enabled.reason}`)
}

/** Removes the boot-time start; true if there was one. */
export function removeAutoStart(name: string): boolean {
  const links = wantsDirs.map((dir) => path.join(dir, containerUnit(name))).filter(linkExists)
  for (const link of links) rmSync(link, {force: true})
  return links.length > 0
}
