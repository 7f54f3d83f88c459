// The supervisor contract: how containers are started, stopped and observed on this host.
import type {Container} from '../lib/containers.js'
import type {ResourceLimits} from '../lib/limits.js'

export type RunState = 'up' | 'down'

export interface StartOptions {
  /** Give up (and stop the container again) when it has not booted by then. */
  timeoutMs: number
  log: (line: string) => void
}

export interface StopOptions {
  /** After this long a clean shutdown becomes a forced one. */
  timeoutMs: number
}

export interface Supervisor {
  readonly name: string
  /** Whether the container runs. Cheap: at most one short-lived process. */
  state(container: Container): Promise<RunState>
  /** The states of many containers at once (list); optional, else state() is called for each. */
  states?(containers: Container[]): Promise<RunState[]>
  /**
   * What is wrong with a container that runs (state 'up') but not as it should: its nspawn killed
   * with its init left running, a start interrupted before it booted. One clause for `status` to
   * say; `start` repairs it, `stop`, `terminate` and `destroy` end it. Undefined when all is well.
   */
  problem?(container: Container): Promise<string | undefined>
  /** The container's PID 1 as seen from the host, or undefined when it is not running. */
  leader(container: Container): Promise<number | undefined>
  /**
   * Waits (up to timeoutMs) for a container that is booting to finish; returns its leader once it
   * has booted, or undefined when it is not running (or still booting at the deadline).
   * Without it, a running container counts as booted.
   */
  waitReady?(container: Container, timeoutMs: number): Promise<number | undefined>
  /** Starts and returns once the container has booted; returns the leader. */
  start(container: Container, options: StartOptions): Promise<number>
  /** Clean shutdown (SIGRTMIN+3 to the container's init); returns once it is gone. */
  stop(container: Container, options: StopOptions): Promise<void>
  /** Immediate kill; returns once the container's processes are gone. */
  terminate(container: Container): Promise<void>
  /** Reloads a running container after its system changed (activates the new system in it). */
  reload?(container: Container, log: (line: string) => void): Promise<void>
  /** How to get a login prompt in the container, when the supervisor has its own way (machinectl login). */
  loginCommand?(container: Container, leader: number): Promise<string[] | undefined>
  /** The argv that prints the container's console log (default: tail of the direct supervisor's NAME.log). */
  consoleLogCommand?(container: Container, options: {follow: boolean; lines: number}): string[] | undefined
  /**
   * Puts LIMITS (memory, CPU, tasks: all of them, an absent one lifted) in force for the container:
   * at once if it runs, and for its later starts where the supervisor keeps them itself.
   */
  applyLimits?(container: Container, limits: ResourceLimits): Promise<void>
  /**
   * The cgroup.procs files a session started from the host (run, root-login) joins, so that the
   * container's limits hold for it and it counts among its processes; none when the supervisor's
   * container gets its sessions in by itself.
   */
  sessionCgroups?(container: Container): Promise<string[]>
  /** What a running container uses now. */
  usage?(container: Container): Promise<{memoryBytes?: number}>
  /** A container's conf has been written (by create, or anew by update): hook it into the host as it says (start at boot when AUTO_START=1). */
  register?(container: Container): Promise<void>
  /** The container is about to be removed: undo register(). */
  unregister?(container: Container): Promise<void>
}

export async function statesOf(supervisor: Supervisor, containers: Container[]): Promise<RunState[]> {
  if (supervisor.states) return supervisor.states(containers)
  return Promise.all(containers.map((c) => supervisor.state(c)))
}
