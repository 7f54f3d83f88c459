// The steps of our container@.service (see container-unit.ts), run by systemd as
//   nixos-container __container-unit pre-start|start|reload NAME
// (bin/run.js hands them here before loading oclif).
// `start` boots the container exactly as the direct supervisor does (boot.ts) and exits once it
// has booted: the unit is Type=forking, and systemd takes systemd-nspawn from PIDFile= as its
// main process. (Handing it over with MAINPID= from a Type=notify helper leaves systemd
// supervising a process that is not its child, which it cannot wait for: stop then SIGKILLs it.)
// Kept free of oclif so each step costs little more than a bare Node start.
import {bootContainer} from './boot.js'
import {machinectl, machineLeader, waitUntilUnregistered} from './systemctl.js'
import {
  activate, type Container, ensureSystem, execedChild, loadContainer, reportError, requireNoHostClash, resolveHostPaths, unitStepCommand, UserError, waitFor,
} from 'nixos-container'

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
  const {name} = container
  // A machine of this name still registered (its old unit not yet gone) would make nspawn fail.
  if (!(await waitUntilUnregistered(name))) await machinectl(['terminate', name])
  // As NixOS's unit does: a flake container is built on its first start.
  await ensureSystem(container)
  // Also when systemd starts it (at boot, systemctl start): never route the host's networks away.
  await requireNoHostClash(container)
}

async function start(container: Container): Promise<void> {
  // systemd's TimeoutStartSec= bounds the whole start; this only keeps a hung boot from outliving it.
  await bootContainer(container, {timeoutMs: 5 * 60_000, log: (line) => console.log(line), systemd: 'unit', console: 'inherit'})
}

async function reload(container: Container): Promise<void> {
  await activate(await leaderOf(container), container, (line) => line && console.log(line))
}

const steps: Record<string, (container: Container) => Promise<void> | void> = {
  'pre-start': preStart,
  start,
  reload,
}

/** Runs the step ARGV names (STEP NAME); errors become one line on stderr and the exit status. */
export async function runUnitStep(argv: string[]): Promise<void> {
  try {
    const [step, name] = argv
    const run = steps[step]
    if (!run || !name) throw new UserError(`usage: nixos-container ${unitStepCommand} ${Object.keys(steps).join('|')} NAME`)
    await run(loadContainer(resolveHostPaths(), name))
  } catch (error) {
    reportError(error, false)
  }
}
