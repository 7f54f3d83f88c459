// A second machine for --host: a systemd test host (systemd-host.ts) with its own /nix store, sshd
// and this tool on its PATH, reached over a veth: 10.233.249.1 here, 10.233.249.2 there. Its host
// key and the client key are made per run; ssh is given them through --ssh-option, as a user would.
import {execa} from 'execa'
import {chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {cliPath, projectRoot} from './host.ts'
import {SystemdHost} from './systemd-host.ts'

export const hereAddress = '10.233.249.1'
export const remoteAddress = '10.233.249.2'
/** Where nothing listens: for the unreachable host. */
export const deadAddress = '10.233.249.3'
const link = 've-nc-sshhost'
/** The tool on the remote's PATH: this checkout, run by the project's Node. */
export const remoteTool = '/usr/local/bin/nixos-container'

export class SshHost {
  readonly keys: string
  readonly host: SystemdHost

  private constructor(host: SystemdHost) {
    this.host = host
    this.keys = mkdtempSync(path.join(tmpdir(), 'nc-sshkeys-'))
  }

  static async boot(): Promise<SshHost> {
    const host = await SystemdHost.boot('nc-sshhost', {imageScript: path.join(projectRoot, 'test/harness/build-sshhost.sh'), ownStore: true, veth: true})
    const ssh = new SshHost(host)
    try {
      await ssh.setUp()
    } catch (error) {
      await ssh.dispose()
      throw error
    }
    return ssh
  }

  private async setUp(): Promise<void> {
    await execa('ip', ['addr', 'add', `${hereAddress}/24`, 'dev', link])
    await execa('ip', ['link', 'set', link, 'up'])
    await this.host.sh(`ip addr add ${remoteAddress}/24 dev host0 && ip link set host0 up`)
    for (const key of ['host', 'client', 'stranger']) {
      await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `nc-test-${key}`, '-f', path.join(this.keys, key)])
    }
    const hostKey = readFileSync(path.join(this.keys, 'host'), 'utf8')
    this.host.writeFile('/etc/ssh/nc_host_key', hostKey)
    chmodSync(path.join(this.host.root, 'etc/ssh/nc_host_key'), 0o600)
    this.host.writeFile('/root/.ssh/authorized_keys', readFileSync(path.join(this.keys, 'client.pub'), 'utf8'))
    writeFileSync(path.join(this.keys, 'known_hosts'), `${remoteAddress} ${readFileSync(path.join(this.keys, 'host.pub'), 'utf8')}`)
    this.installTool(`exec ${process.execPath} ${cliPath} "$@"`)
    await this.host.sh('mkdir -p /run/sshd && chmod 700 /root/.ssh && systemd-run --unit=nc-sshd --quiet /usr/sbin/sshd -D -e -f /dev/null ' +
      `-h /etc/ssh/nc_host_key -o ListenAddress=${remoteAddress} -o PermitRootLogin=prohibit-password -o PasswordAuthentication=no ` +
      '-o KbdInteractiveAuthentication=no -o UsePAM=no -o AuthorizedKeysFile=/root/.ssh/authorized_keys')
    // Up once it accepts a connection.
    for (let i = 0; i < 50; i++) {
      if ((await execa('ssh', [...this.sshArgs(), `root@${remoteAddress}`, 'true'], {reject: false})).exitCode === 0) return
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    throw new Error(`sshd on ${remoteAddress} did not answer`)
  }

  /** The remote's `nixos-container`: a script with BODY. */
  installTool(body: string): void {
    this.host.writeFile(remoteTool, `#!/bin/sh\n${body}\n`)
    chmodSync(path.join(this.host.root, remoteTool), 0o755)
  }

  restoreTool(): void {
    this.installTool(`exec ${process.execPath} ${cliPath} "$@"`)
  }

  /** ssh's options for this host, with KEY as the identity. */
  sshArgs(key = 'client'): string[] {
    return ['-F', '/dev/null', '-i', path.join(this.keys, key), '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes',
      '-o', `UserKnownHostsFile=${path.join(this.keys, 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'ConnectTimeout=3']
  }

  /** --host and --ssh-option for the CLI. */
  flags(key = 'client', address = remoteAddress): string[] {
    return ['--host', `root@${address}`, '--ssh-option', this.sshArgs(key).join(' ')]
  }

  /** Throttles this machine's side of the link (tc), or lifts it: a copy then takes seconds. */
  async throttle(rate?: string): Promise<void> {
    await execa('tc', ['qdisc', 'del', 'dev', link, 'root'], {reject: false})
    if (rate) await execa('tc', ['qdisc', 'add', 'dev', link, 'root', 'tbf', 'rate', rate, 'burst', '16kb', 'latency', '2s'])
  }

  async dispose(): Promise<void> {
    await this.host.dispose()
    rmSync(this.keys, {recursive: true, force: true})
  }
}

/** Every descendant of PID, with its command name (by the parent in /proc/N/stat: a thread's children too). */
export function descendants(pid: number): {pid: number; comm: string}[] {
  const processes = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).flatMap((entry) => {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      return [{pid: Number(entry), comm: stat.slice(stat.indexOf('(') + 1, close), parent: Number(stat.slice(close + 2).split(' ')[1])}]
    } catch {
      return []
    }
  })
  const below = (parent: number): {pid: number; comm: string}[] =>
    processes.filter((p) => p.parent === parent).flatMap((p) => [{pid: p.pid, comm: p.comm}, ...below(p.pid)])
  return below(pid)
}
