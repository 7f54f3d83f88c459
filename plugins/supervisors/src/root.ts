// Preparing a container's root before boot, as container@.service's pre-start does.
import {copyFileSync, existsSync, mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import type {ConfEntries, ContainerPaths} from 'nixos-container'

export function prepareRoot(paths: ContainerPaths, conf: ConfEntries): void {
  const {root} = paths
  mkdirSync(root, {recursive: true, mode: 0o755})
  for (const dir of ['usr/bin', 'etc', 'var/lib']) mkdirSync(path.join(root, dir), {recursive: true, mode: 0o755})
  for (const dir of ['var/lib/private', 'root']) mkdirSync(path.join(root, dir), {recursive: true, mode: 0o700})
  // nspawn wants these to exist; the container's activation fills them in.
  for (const file of ['etc/os-release', 'etc/machine-id']) {
    const target = path.join(root, file)
    if (!existsSync(target)) writeFileSync(target, '')
  }
  mkdirSync(paths.profileDir, {recursive: true, mode: 0o755})
  mkdirSync(paths.gcroots, {recursive: true, mode: 0o755})
  if (conf.get('COPY_RESOLV_CONF') === '1' && existsSync('/etc/resolv.conf')) {
    copyFileSync('/etc/resolv.conf', path.join(root, 'etc/resolv.conf'))
  }
}
