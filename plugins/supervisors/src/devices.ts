// The devices a container under container@NAME.service may open. Our unit, as NixOS's, closes
// all but the usual ones (DevicePolicy=closed: /dev/null, /dev/zero, ptys, …). --enable-tun
// (--bind=/dev/net/tun in EXTRA_NSPAWN_FLAGS, as the module's enableTun writes it) also needs the
// device allowed, which the module does with allowedDevices: here a drop-in of the container's
// unit that adds it. A drop-in only adds to the unit's own DeviceAllow= list, so NixOS's unit
// keeps what it allows. It is kept in step with NAME.conf at create, update and start, and lives
// with the host's unit configuration, so a start at boot finds it too.
import {mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {unitConfigDir, unitConfigDirs} from './autostart.js'
import {containerUnit, systemctl} from './systemctl.js'
import {type ConfEntries, type Container, listValue, UserError} from 'nixos-container'

const dropInName = 'nixos-container-devices.conf'

/** Whether the conf asks for TUN: /dev/net/tun bound into the container. */
export function wantsTun(conf: ConfEntries): boolean {
  return listValue(conf, 'EXTRA_NSPAWN_FLAGS').some((flag) => /^--bind(-ro)?=\/dev\/net\/tun(:|$)/.test(flag))
}

/** The drop-in's text for CONF, or undefined when it needs none. */
export function devicesDropIn(conf: ConfEntries): string | undefined {
  return wantsTun(conf) ? '[Service]\nDeviceAllow=/dev/net/tun rwm\n' : undefined
}

const dropInFile = (dir: string, name: string): string => path.join(dir, `${containerUnit(name)}.d`, dropInName)

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

const present = (name: string): string[] => unitConfigDirs.map((dir) => dropInFile(dir, name)).filter((file) => read(file) !== undefined)

/** Removes the container's device drop-ins (and their directories, when that leaves them empty); true if there was one. */
export function removeDevices(name: string): boolean {
  const files = present(name)
  for (const file of files) {
    rmSync(file, {force: true})
    try {
      rmdirSync(path.dirname(file))
    } catch {
      // Other drop-ins of the unit (systemctl set-property, the admin's) stay.
    }
  }
  return files.length > 0
}

/** Puts the container's device drop-in in place (or removes it); systemd reloads only if that changed anything. */
export async function syncDevices(container: Container): Promise<void> {
  const wanted = devicesDropIn(container.conf)
  const file = dropInFile(unitConfigDir(), container.name)
  const files = present(container.name)
  const inStep = wanted === undefined ? files.length === 0 : files.length === 1 && files[0] === file && read(file) === wanted
  if (inStep) return
  try {
    removeDevices(container.name)
    if (wanted !== undefined) {
      mkdirSync(path.dirname(file), {recursive: true})
      writeFileSync(file, wanted)
    }
  } catch (error) {
    throw new UserError(`cannot set the devices of container ‘${container.name}’: ${(error as Error).message}`)
  }
  const reload = await systemctl(['daemon-reload'])
  if (!reload.ok) throw new UserError(`systemctl daemon-reload failed: ${reload.reason}`)
}
