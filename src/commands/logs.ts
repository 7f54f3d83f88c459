import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../base-command.js'
import {nameArg} from '../flags.js'
import {showLogs} from '../operations/logs.js'

export default class Logs extends BaseCommand {
  static summary = 'Show what a container logged: its journal, or its console.'
  static description = 'Prints the container\'s journal (its /var/log/journal, which systemd-nspawn --link-journal=try-guest keeps where the host can read it, as `journalctl -M NAME` shows it), or its console when it keeps no journal or with --console: the nspawn supervisor\'s /run/nixos-containers/NAME.log, or the journal of container@NAME.service under systemd. With --follow it goes on printing what is added until interrupted. --since, --until, --grep and --priority choose journal entries as journalctl does; they do not apply to the console. With --json, one JSON object a line: journalctl\'s own JSON fields for the journal, {"source":"console","message":…} for the console. Works on stopped containers too.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web',
    {description: 'Follow the journal as it grows', command: '<%= config.bin %> <%= command.id %> web -f'},
    {description: 'The last 20 lines of the console', command: '<%= config.bin %> <%= command.id %> web --console -n 20'},
    {description: 'Errors and worse of the last hour', command: '<%= config.bin %> <%= command.id %> web --since -1h -p err'},
    {description: 'What mentions nginx between two times', command: `<%= config.bin %> <%= command.id %> web --since '2026-12-01 10:00' --until '2026-12-01 11:00' --grep nginx`},
    {description: 'Messages of one service, for a script', command: `<%= config.bin %> <%= command.id %> web --json | jq -r 'select(.SYSLOG_IDENTIFIER == "nginx") | .MESSAGE'`},
  ]
  static args = nameArg
  static flags = {
    follow: Flags.boolean({char: 'f', description: 'keep printing new lines until interrupted'}),
    lines: Flags.integer({char: 'n', helpValue: '<lines>', description: 'how many of the last lines to show (default 50; all of them with --since, --until or --grep)', min: 0}),
    console: Flags.boolean({description: 'show the console (what systemd-nspawn printed) instead of the journal'}),
    since: Flags.string({char: 'S', helpValue: '<time>', helpGroup: 'JOURNAL', description: 'entries from this time on, as journalctl reads it ("2026-12-01 10:00", "yesterday", "-1h")'}),
    until: Flags.string({char: 'U', helpValue: '<time>', helpGroup: 'JOURNAL', description: 'entries up to this time, as journalctl reads it'}),
    grep: Flags.string({char: 'g', helpValue: '<pattern>', helpGroup: 'JOURNAL', description: 'entries whose message matches this regular expression (journalctl --grep)'}),
    priority: Flags.string({char: 'p', helpValue: '<priority>', helpGroup: 'JOURNAL', description: 'entries of this priority or more urgent, or a range FROM..TO (emerg … debug, or 0 … 7)'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Logs)
    process.exitCode = await showLogs(await this.context(), {
      name: args.name,
      follow: flags.follow,
      lines: flags.lines,
      source: flags.console ? 'console' : undefined,
      filters: {since: flags.since, until: flags.until, grep: flags.grep, priority: flags.priority},
      json: this.jsonEnabled(),
    })
  }
}
