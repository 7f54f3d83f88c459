// NAME.pid in the runtime directory: the container's systemd-nspawn, written by whoever boots it
// (the direct supervisor, or our container@.service, whose PIDFile= it is). Its first line is the
// pid; a second line "ready" says the container has reported that it booted. A pid file is
// trusted only while that pid is still our systemd-nspawn for this machine, so a dead container,
// a host reboot or a reused pid all read as "down".
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {commandLine, isAlive} from 'nixos-container'

import type {Container} from 'nixos-container'

/** The nspawn process of a running container, validated against /proc. */
export function nspawnPid(container: Container): number | undefined {
  // No pid file is the usual case of a stopped container: asked first, not learnt from a thrown ENOENT.
  if (!existsSync(container.paths.pidFile)) return undefined
  let pid: number
  try {
    pid = Number(readFileSync(container.paths.pidFile, 'utf8').split('\n')[0])
  } catch {
    return undefined
  }
  return Number.isInteger(pid) && pid > 0 && isNspawnOf(container, pid) ? pid : undefined
}

/** Whether `pid` is a live systemd-nspawn running this container (its machine name and root). */
export function isNspawnOf(container: Container, pid: number): boolean {
  if (!isAlive(pid)) return false
  const argv = commandLine(pid)
  if (!argv || path.basename(argv[0]) !== 'systemd-nspawn') return false
  return argv.includes(`--machine=${container.name}`) && argv.includes(`--directory=${container.paths.root}`)
}

/** Marks a booted container: its pid file gets a second line once READY=1 has come. */
export function markReady(container: Container, nspawn: number): void {
  writePidFile(container, `${nspawn}\nready\n`)
}

export function isReady(container: Container): boolean {
  try {
    return readFileSync(container.paths.pidFile, 'utf8').split('\n')[1] === 'ready'
  } catch {
    return false
  }
}

/** Records a systemd-nspawn that has just been started (not yet booted). */
export function recordNspawn(container: Container, nspawn: number): void {
  writePidFile(container, `${nspawn}\n`)
}

/** Written aside and renamed: systemd (PIDFile=) and other commands never read half a file. */
function writePidFile(container: Container, text: string): void {
  const temporary = `${container.paths.pidFile}.${process.pid}.tmp`
  writeFileSync(temporary, text)
  renameSync(temporary, container.paths.pidFile)
}

