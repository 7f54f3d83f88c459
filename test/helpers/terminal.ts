// The CLI on a real pseudo-terminal (script(1)), as a person at a terminal runs it: what it
// prints can be waited for, keys typed, and the terminal taken away (script killed).
import {execa, type ResultPromise} from 'execa'
import {PassThrough} from 'node:stream'

/** Where the CLI runs: this machine's test host, or a command that enters another host. */
export interface TerminalHost {
  /** The shell command line that runs `nixos-container ARGS` there, and the environment for it. */
  terminalCommand(args: string): {command: string; env: Record<string, string>}
}

export class Terminal {
  private readonly input = new PassThrough()
  private readonly child: ResultPromise
  private output = ''

  constructor(host: TerminalHost, args: string) {
    const {command, env} = host.terminalCommand(args)
    this.child = execa('script', ['-qfec', command, '/dev/null'], {env, input: this.input, reject: false, timeout: 60_000})
    this.child.stdout!.setEncoding('utf8')
    this.child.stdout!.on('data', (chunk: string) => (this.output += chunk))
  }

  /** The pid of script(1), which holds the terminal's master side. */
  get pid(): number {
    return this.child.pid!
  }

  get screen(): string {
    return this.output
  }

  type(text: string): void {
    this.input.write(text)
  }

  /** Resolves once `pattern` has been printed; fails after `timeoutMs`, showing the screen. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!pattern.test(this.output)) {
      if (Date.now() > deadline) throw new Error(`terminal never showed ${pattern}; it shows:\n${this.output}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  /** Ends input and waits for the session to end by itself. */
  async close(): Promise<{exitCode: number; screen: string}> {
    this.input.end()
    const result = await this.child
    return {exitCode: result.exitCode ?? 128, screen: this.output}
  }

  /** Takes the terminal away, as a killed terminal emulator or a dropped SSH connection does. */
  async hangUp(): Promise<void> {
    this.child.kill('SIGKILL')
    await this.child
  }
}

/** `root-login NAME` on a terminal; resolves once a command has run in its shell. */
export async function rootShell(host: TerminalHost, name: string): Promise<Terminal> {
  const shell = new Terminal(host, `root-login ${name}`)
  shell.type('echo root-login-$((6*7))\n')
  await shell.waitFor(/root-login-42/)
  return shell
}

/** `login NAME` on a terminal, as root with the fixture's password; resolves once a command has run. */
export async function loginShell(host: TerminalHost, name: string): Promise<Terminal> {
  const login = new Terminal(host, `login ${name}`)
  await login.waitFor(/login: $/m)
  login.type('root\n')
  await login.waitFor(/Password: $/m)
  login.type('fixture\n')
  login.type('echo login-$((6*7))\n')
  await login.waitFor(/login-42/)
  return login
}

/**
 * What a person at a terminal does: root-login NAME and run a command, then login NAME as root
 * with the fixture's password and run one. Under `machinectl login` (the systemd supervisor) the
 * session outlives the guest's login and is left with Ctrl-] three times.
 */
export async function logInOnTerminals(host: TerminalHost, name: string, {machinectl = false} = {}): Promise<void> {
  const shell = await rootShell(host, name)
  shell.type('exit\n')
  const rootLogin = await shell.close()
  if (rootLogin.exitCode !== 0) throw new Error(`root-login ended with ${rootLogin.exitCode}:\n${rootLogin.screen}`)

  const login = await loginShell(host, name)
  login.type('exit\n')
  if (machinectl) login.type('\x1d\x1d\x1d')
  const ended = await login.close()
  if (machinectl && ended.exitCode !== 0) throw new Error(`machinectl login ended with ${ended.exitCode}:\n${ended.screen}`)
}
