// The steps of our container@.service (see container-unit.ts), run by systemd:
//   unit-helper.js pre-start|exec|post-start|reload NAME
// They reuse the direct supervisor's pieces, so both start a container the same way. Kept free of
// oclif so each step costs little more than a bare Node start.
import {existsSync} from 'node:fs'
import path from 'node:path'

import {configureNetwork, removeStaleLinks} from './network.js'
import {nspawnArguments} from './nspawn-args.js'
import {execedChild, waitFor} from './proc.js'
import {prepareRoot} from './root.js'
import {machinectl, machineLeader, waitUntilUnregistered} from './systemctl.js'
import {
  activate, type Container, errorReport, hasSystem, loadContainer, openDirectContext, requireSystem, resolveHostPaths, updateContainer, UserError,
} from 'nixos-container'

function findOnPath(command: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = path.join(dir, command)
    if (dir && existsSync(candidate)) return candidate
  }
  throw new UserError(`${command} not found on PATH (${process.env.PATH})`)
}

/** The container's PID 1: the child of systemd-nspawn ($MAINPID) that has exec'd the container's init. */
async function leaderOf(container: Container): Promise<number> {
  const nspawn = Number(process.env.MAINPID)
  let leader: number | undefined
  if (nspawn > 0) await waitFor(() => (leader = execedChild(nspawn)) !== undefined, 5000)
  leader ??= await machineLeader(container.name)
  if (leader === undefined) throw new UserError(`container ‘${container.name}’ has no running init`)
  return leader
}

async function preStart(container: Container): Promise<void> {
  const {name, paths, conf} = container
  // A machine of this name still registered (its old unit not yet gone) would make nspawn fail.
  if (!(await waitUntilUnregistered(name))) await machinectl(['terminate', name])
  prepareRoot(paths, conf)
  await removeStaleLinks(name)
  if (!hasSystem(container) && conf.get('FLAKE')) {
    // As NixOS's unit does: a flake container is built on its first start.
    await updateContainer(await openDirectContext({choice: {supervisor: 'nspawn'}}), {name, nixFlags: []})
  }
  requireSystem(container)
}

function execNspawn(container: Container): never {
  const args = nspawnArguments({name: container.name, paths: container.paths, conf: container.conf, systemd: 'unit'})
  const nspawn = findOnPath('systemd-nspawn')
  // Same pid, so systemd sees systemd-nspawn as the main process and takes its READY=1.
  process.execve!(nspawn, [nspawn, ...args], process.env)
  throw new UserError('cannot exec systemd-nspawn')
}

async function reload(container: Container): Promise<void> {
  await activate(await leaderOf(container), container, (line) => line && console.log(line))
}

const steps: Record<string, (container: Container) => Promise<void> | void> = {
  'pre-start': preStart,
  exec: execNspawn,
  'post-start': async (container) => configureNetwork(container.name, container.conf, await leaderOf(container)),
  reload,
}

async function main(argv: string[]): Promise<void> {
  const [step, name] = argv
  const run = steps[step]
  if (!run || !name) throw new UserError(`usage: unit-helper.js ${Object.keys(steps).join('|')} NAME`)
  await run(loadContainer(resolveHostPaths(), name))
}

try {
  await main(process.argv.slice(2))
} catch (error) {
  process.stderr.write(`nixos-container: ${errorReport(error).message}\n`)
  process.exitCode = errorReport(error).exitCode
}
