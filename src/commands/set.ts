import {BaseCommand} from '../base-command.js'
import {limitFlags, limitChanges, nameArg} from '../flags.js'
import {setLimits, type SetLimitsResult} from '../operations/limits.js'

export default class SetCommand extends BaseCommand {
  static needsRoot = true
  static summary = 'Change a container\'s resource limits.'
  static description = 'Records the limits in NAME.conf (MEMORY_MAX, CPUS, TASKS_MAX) and, if the container runs, puts them in force at once: with the systemd supervisor as properties of container@NAME.service (MemoryMax=, CPUQuota=, TasksMax=), with the nspawn supervisor in the container\'s cgroup. Every start applies what NAME.conf records. `none` lifts a limit. `status --json` shows the limits and the memory in use.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web --memory 2G --cpus 1.5',
    {description: 'Lift the memory limit, cap the number of processes', command: '<%= config.bin %> <%= command.id %> web --memory none --tasks-max 500'},
  ]
  static args = nameArg
  static flags = {...limitFlags}

  async run(): Promise<SetLimitsResult> {
    const {args, flags} = await this.parse(SetCommand)
    return setLimits(await this.context(), {name: args.name, changes: limitChanges(flags)})
  }
}
