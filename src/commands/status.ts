import {BaseCommand} from '../base-command.js'
import {nameArg} from '../flags.js'
import {statusOutput, type StatusOutput} from '../presenters.js'

export default class StatusCommand extends BaseCommand {
  static summary = 'Print whether a container is up or down.'
  static description = 'Prints "up" or "down": with the systemd supervisor, whether container@NAME.service is active; with the nspawn supervisor, whether any process of the container still runs (found by its cgroup, not only its pid file). A container that runs but not as it should — its systemd-nspawn killed with its init left running, its pid file lost, or its start interrupted before it booted — is "up", and a warning on standard error says what is wrong (with --json, in "problem"); --json also gives what list --json gives for it (addresses, auto-start, flake or system path, generation, supervisor, and its leader PID and start time when up); `start` repairs it, `stop`, `terminate` and `destroy` end it. For a container that does not exist it prints "gone" and fails, as upstream does.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web',
    {description: 'In a script', command: '[ "$(<%= config.bin %> <%= command.id %> web)" = up ] || <%= config.bin %> start web'},
  ]
  static args = nameArg

  async run(): Promise<StatusOutput> {
    const {args} = await this.parse(StatusCommand)
    return statusOutput(args.name, this.jsonEnabled(), await this.context())
  }
}
