// Preparing a container's root before boot, as container@.service's pre-start does. The root is the
// guest's, so everything inside it is made through nixos-container's guest-fs (never through a link).
import {existsSync, mkdirSync, readFileSync} from 'node:fs'

import {
  type ConfEntries, type ContainerPaths, createGuestFileIfMissing, makeGuestDirectory, writeGuestFile,
} from 'nixos-container'

export function prepareRoot(paths: ContainerPaths, conf: ConfEntries): void {
  const {root} = paths
  mkdirSync(root, {recursive: true, mode: 0o755})
  for (const dir of ['usr/bin', 'etc', 'var/lib']) makeGuestDirectory(root, dir, 0o755)
  for (const dir of ['var/lib/private', 'root']) makeGuestDirectory(root, dir, 0o700)
  // nspawn wants these to exist; the container's activation fills them in. Whatever is there
  // already (on NixOS, os-release is a link into /etc/static) is left alone.
  for (const file of ['etc/os-release', 'etc/machine-id']) createGuestFileIfMissing(root, file)
  mkdirSync(paths.profileDir, {recursive: true, mode: 0o755})
  mkdirSync(paths.gcroots, {recursive: true, mode: 0o755})
  if (conf.get('COPY_RESOLV_CONF') === '1' && existsSync('/etc/resolv.conf')) {
    // Replaces whatever the guest has there, a link included (as cp --remove-destination would).
    writeGuestFile(root, 'etc/resolv.conf', readFileSync('/etc/resolv.conf'), {replaceLink: true})
  }
}
