import {writeFileSync} from 'node:fs'
import {SshHost} from './helpers/ssh-host.ts'
const ssh = await SshHost.boot()
writeFileSync('/tmp/wt15dbg/info', JSON.stringify({leader: ssh.host.leader, flags: ssh.flags(), args: ssh.sshArgs()}))
process.on('SIGTERM', async () => { await ssh.dispose(); process.exit(0) })
setInterval(() => {}, 1000)
