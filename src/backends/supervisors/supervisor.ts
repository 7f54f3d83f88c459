// The supervisor contract: how containers are started, stopped and observed on this host.
import type {Container} from '../../lib/containers.js'

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
  /** Cheap: no process may be started per container. */
  state(container: Container): RunState
  /** The container's PID 1 as seen from the host, or undefined when it is not running. */
  leader(container: Container): number | undefined
  /** Starts and returns once the container has booted; returns the leader. */
  start(container: Container, options: StartOptions): Promise<number>
  /** Clean shutdown (SIGRTMIN+3 to the container's init); returns once it is gone. */
  stop(container: Container, options: StopOptions): Promise<void>
  /** Immediate kill; returns once the container is gone. */
  terminate(container: Container): Promise<void>
}
