import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../base-command.js'
import {forwardCommand, type HostSummary, listHosts} from '../operations/remote.js'
import {type ListEntry, listOutput, listSummaries} from '../presenters.js'

export default class List extends BaseCommand {
  static summary = 'List the containers on this host.'
  static description = 'Prints one container name a line, from the *.conf files in the settings directory. With --long, a table: name, state, address, current generation, uptime. With --json, each container\'s name, state (up/down), addresses (also of a stopped one), auto-start, bridge, ports, flake or system path, whether it is declarative, its current generation, the supervisor, and when up its leader PID and start time. A NAME.conf that cannot be read (a directory, a file it may not read) is named on stderr and left out; the others are listed and the exit status stays 0. With several --host, one list of every host\'s containers with a HOST column (a `host` field with --json); a host that cannot be reached is named on stderr, the others are still listed, and the exit status is 1.'
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'The containers of this machine and of two others, with a HOST column', command: '<%= config.bin %> <%= command.id %> --host local --host root@web1 --host root@web2:2222'},
    {description: 'A table with state, address, generation and uptime', command: '<%= config.bin %> <%= command.id %> --long'},
    {description: 'Names of the running containers, for a script', command: `<%= config.bin %> <%= command.id %> --json | jq -r '.[] | select(.state == "up") | .name'`},
  ]

  static flags = {
    long: Flags.boolean({char: 'l', description: 'a table: name, state, address, generation, uptime'}),
  }

  static remote = 'own' as const

  async run(): Promise<ListEntry[] | HostSummary[]> {
    const {flags} = await this.parse(List)
    const json = this.jsonEnabled()
    const target = this.remoteTarget
    if (!target) return listOutput(json, () => this.context(), {long: flags.long})
    // One host: as if run there. Several: one list with a HOST column; a failed host fails the exit status.
    if (target.hosts.length === 1) this.exit(await forwardCommand(target, 'list', this.argv, {json}))
    const {rows, failed} = await listHosts(() => listSummaries(() => this.context()), target, {json, long: flags.long})
    if (failed > 0) process.exitCode = 1
    return rows
  }
}
