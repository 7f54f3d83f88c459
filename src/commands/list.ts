import {Flags} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import type {ContainerSummary} from '../lib/containers.js'
import {listOutput} from '../quick.js'

export default class List extends BaseCommand {
  static summary = 'List the containers on this host.'
  static description = 'Prints one container name a line, from the *.conf files in the settings directory. With --long, a table: name, state, address, current generation, uptime. With --json, each container\'s name, state (up/down), addresses (also of a stopped one), auto-start, bridge, ports, flake or system path, whether it is declarative, its current generation, the supervisor, and when up its leader PID and start time. A NAME.conf that cannot be read (a directory, a file it may not read) is named on stderr and left out; the others are listed and the exit status stays 0.'
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'A table with state, address, generation and uptime', command: '<%= config.bin %> <%= command.id %> --long'},
    {description: 'Names of the running containers, for a script', command: `<%= config.bin %> <%= command.id %> --json | jq -r '.[] | select(.state == "up") | .name'`},
  ]

  static flags = {
    long: Flags.boolean({char: 'l', description: 'a table: name, state, address, generation, uptime'}),
  }

  async run(): Promise<ContainerSummary[] | undefined> {
    const {flags} = await this.parse(List)
    return listOutput(this.jsonEnabled(), await this.context(), {long: flags.long})
  }
}
