import {BaseCommand} from '../base-command.js'
import type {ContainerSummary} from '../lib/containers.js'
import {listOutput} from '../quick.js'

export default class List extends BaseCommand {
  static summary = 'List the containers on this host.'
  static description = 'Prints one container name a line, from the *.conf files in the settings directory. With --json, each container\'s name, state (up/down), addresses, auto-start, bridge, ports, flake or system path, and whether it is declarative. A NAME.conf that cannot be read (a directory, a file it may not read) is named on stderr and left out; the others are listed and the exit status stays 0.'
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'Names of the running containers, for a script', command: `<%= config.bin %> <%= command.id %> --json | jq -r '.[] | select(.state == "up") | .name'`},
  ]

  async run(): Promise<ContainerSummary[] | undefined> {
    await this.parse(List)
    return listOutput(this.jsonEnabled(), await this.context())
  }
}
