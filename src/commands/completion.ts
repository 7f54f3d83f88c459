import * as Args from '@oclif/core/args'

import {BaseCommand} from '../base-command.js'
import {completionScript, type Shell, shells} from '../completion/scripts.js'

export default class Completion extends BaseCommand {
  static summary = 'Print the shell completion script for bash, zsh or fish.'
  static description = 'Prints a script that completes, on <TAB>, commands, options (also before the command), option values (providers for --supervisor, --allocator and --builder, named hosts for --host and --build-host, files for --config-file and the other paths, host interfaces, capabilities) and container names (NAME: for cp, which also completes files). The script asks `nixos-container __complete` what to offer, so it stays right as commands, plugins and containers change. The Nix package and the npm package also ship the three scripts, made by this command (share/bash-completion/completions, share/zsh/site-functions, share/fish/vendor_completions.d; completions/ in the npm package).'
  static aliases = ['autocomplete']
  static examples = [
    {description: 'bash, for this shell', command: 'source <(<%= config.bin %> <%= command.id %> bash)'},
    {description: 'bash, for every new shell of this user', command: '<%= config.bin %> <%= command.id %> bash > ~/.local/share/bash-completion/completions/<%= config.bin %>'},
    {description: 'zsh (a directory on $fpath, before compinit runs)', command: '<%= config.bin %> <%= command.id %> zsh > "${fpath[1]}/_<%= config.bin %>"'},
    {description: 'fish', command: '<%= config.bin %> <%= command.id %> fish > ~/.config/fish/completions/<%= config.bin %>.fish'},
  ]
  static args = {
    shell: Args.string({description: 'the shell: bash, zsh or fish', required: true, options: [...shells]}),
  }

  async run(): Promise<{shell: Shell; script: string}> {
    const {args} = await this.parse(Completion)
    const shell = args.shell as Shell
    const script = completionScript(shell, this.config.bin)
    if (!this.jsonEnabled()) process.stdout.write(script)
    return {shell, script}
  }
}
