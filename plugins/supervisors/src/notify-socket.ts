// The receiving end of the sd_notify protocol, for systemd-nspawn --notify-ready=yes: nspawn
// passes the container's READY=1 on to $NOTIFY_SOCKET, a Unix datagram socket. Node has no Unix
// datagram sockets of its own; node-unix-socket (N-API, prebuilt for Linux x64/arm64, glibc and
// musl, ~90 kB, no compiler at install time and no ABI tie to one Node major) gives us one.
import {rmSync} from 'node:fs'

import {DgramSocket} from 'node-unix-socket'

export type NotifyMessage = Map<string, string>

/** Parses one sd_notify datagram: newline-separated KEY=VALUE assignments. */
export function parseNotifyMessage(text: string): NotifyMessage {
  const fields = new Map<string, string>()
  for (const line of text.split('\n')) {
    const at = line.indexOf('=')
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1))
  }
  return fields
}

export class NotifySocket {
  private readonly socket = new DgramSocket()
  private readonly received: NotifyMessage[] = []
  private wake?: () => void

  constructor(readonly path: string) {
    rmSync(path, {force: true})
    this.socket.bind(path)
    this.socket.on('data', (data: Buffer) => {
      this.received.push(parseNotifyMessage(data.toString('utf8')))
      this.wake?.()
    })
    // A failed receive must not crash the CLI: waiters time out instead.
    this.socket.on('error', () => {})
  }

  /**
   * Resolves with the first message `accept` takes, or undefined when `stop()` says to give up
   * (checked every `pollMs`, and at once whenever a message arrives).
   */
  async waitFor(accept: (message: NotifyMessage) => boolean, stop: () => boolean, pollMs = 50): Promise<NotifyMessage | undefined> {
    for (;;) {
      const found = this.received.find(accept)
      if (found) return found
      if (stop()) return undefined
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = undefined
    }
  }

  close(): void {
    this.socket.close()
    rmSync(this.path, {force: true})
  }
}
