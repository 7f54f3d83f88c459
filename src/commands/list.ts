import {BaseCommand} from '../base-command.js'
import {currentSystem} from '../backends/builders/profile.js'
import {type ContainerSummary, listContainerNames, loadContainer, summarize} from '../lib/containers.js'

export default class List extends BaseCommand {
  static summary = 'List the containers on this host.'
  static description = 'Prints one container name a line, from the *.conf files in the settings directory. With --json, each container\'s name, state (up/down), addresses, auto-start, bridge, ports, flake or system path, and whether it is declarative.'
  static examples = [
    '<%= config.bin %> <%= command.id %>',
    {description: 'Names of the running containers, for a script', command: `<%= config.bin %> <%= command.id %> --json | jq -r '.[] | select(.state == "up") | .name'`},
  ]

  async run(): Promise<ContainerSummary[]> {
    await this.parse(List)
    const {host} = this.context()
    const names = listContainerNames(host)
    if (!this.jsonEnabled()) {
      for (const name of names) this.log(name)
      return []
    }
    const {backends} = this.context()
    return names.map((name) => {
      const container = loadContainer(host, name)
      return summarize(container, backends.supervisor.state(container), currentSystem(container.paths.profile))
    })
  }
}
