import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../base-command.js'
import {
  configSource, containerOptionFlags, containerOptionsOf, explicitSource, nameArg, nixFlags, nixPassThrough, providerFlags, buildHostFlag, sourceFlags, takePairFlags,
} from '../flags.js'
import {describeChanges} from '../lib/system-changes.js'
import {buildHostOf} from '../operations/build-host.js'
import {buildAndForward, forwardCommand, withoutBuildFlags} from '../operations/remote.js'
import {updateContainer, type UpdateResult} from '../operations/update.js'

export default class Update extends BaseCommand {
  static summary = 'Rebuild a container\'s system and activate it if running.'
  static needsRoot = true
  static description = `Rebuilds the container's system as a new generation of its profile: from the flake recorded at create (FLAKE and FLAKE_ATTR) unless --flake, --config or --config-file say otherwise; --config/--config-file rewrite its configuration.nix first (kept as it was if the build fails). If the container is running, the new system is activated inside it with switch-to-configuration test (with the systemd supervisor through \`systemctl reload container@NAME.service\`, whose ExecReload does it). Given any CONTAINER option (--bind, --ephemeral, …), it records the container's options anew, as create does (those not given are removed; --use-host-network cannot be changed): they take effect at the container's next start. A failed build changes neither the profile nor the running system. Before activating, it prints on stderr what changes (store paths that come and go, package versions, as \`nix store diff-closures\` sees them; --quiet hides it); --dry-run builds and prints the same on stdout, changing nothing.`
  static examples = [
    '<%= config.bin %> <%= command.id %> web',
    {description: 'Replace the configuration', command: `<%= config.bin %> <%= command.id %> web --config 'services.nginx.enable = true;'`},
    {description: 'Follow a newer revision of the flake', command: '<%= config.bin %> <%= command.id %> web --flake github:me/hosts#web --update-input nixpkgs'},
    {description: 'On another machine: built here, copied there, activated there', command: `<%= config.bin %> <%= command.id %> web --host root@server1 --config 'services.nginx.enable = true;'`},
    {description: 'On another machine, built on a build server (as nixos-rebuild --build-host)', command: `<%= config.bin %> <%= command.id %> web --host root@server1 --build-host root@builder --config-file ./web.nix`},
    {description: 'Here, rebuilt from what it records (its flake or configuration.nix) on a build server and copied back', command: '<%= config.bin %> <%= command.id %> web --build-host root@builder'},
    {description: 'On another machine, rebuilt there from what it recorded (its flake or configuration.nix)', command: '<%= config.bin %> <%= command.id %> web --host root@server1'},
    {description: 'See what an update would change, changing nothing', command: '<%= config.bin %> <%= command.id %> web --dry-run'},
    {description: 'Give it a host directory from its next start on (its other container options are set anew too)', command: '<%= config.bin %> <%= command.id %> web --bind /srv/www:/var/www && <%= config.bin %> restart web'},
  ]
  static args = nameArg
  static flags = {
    ...sourceFlags,
    ...buildHostFlag,
    'system-path': Flags.string({helpValue: '<path>', description: 'switch to this already built NixOS system (a store path)'}),
    'dry-run': Flags.boolean({description: 'build the new system and print what would change (store paths, package versions) on stdout; change nothing'}),
    quiet: Flags.boolean({description: 'do not print what changes before activating'}),
    ...containerOptionFlags,
    ...nixFlags,
    builder: providerFlags.builder,
  }

  static remote = 'own' as const

  async run(): Promise<UpdateResult | undefined> {
    const {rest, pairs} = takePairFlags(this.argv)
    const {args, flags} = await this.parse(Update, rest)
    const config = configSource(flags)
    const source = explicitSource(flags, config)
    const buildHost = flags['build-host']
    if (this.remoteTarget && source === undefined && config === undefined && buildHost === undefined) {
      // No source: the host rebuilds from what it recorded (its flake, or the container's
      // configuration.nix, with its own channels), exactly as `update NAME` run there would.
      this.exit(await forwardCommand(this.remoteTarget, 'update', this.argv, {json: this.jsonEnabled()}))
    }
    if (this.remoteTarget) {
      const request = {id: 'update', name: args.name, source, config, nixFlags: nixPassThrough(flags, pairs), buildHost, argv: withoutBuildFlags(rest)} as const
      process.exitCode = await buildAndForward(await this.context(), this.remoteTarget, request)
      return undefined
    }
    const result = await updateContainer(await this.context(), {
      name: args.name, source, config, nixFlags: nixPassThrough(flags, pairs), dryRun: flags['dry-run'], quiet: flags.quiet,
      options: containerOptionsOf(flags), buildHost: buildHost === undefined ? undefined : buildHostOf(buildHost, this.sshOptions),
    })
    if (result.dryRun && !this.jsonEnabled()) for (const line of describeChanges(result.changes)) this.log(line)
    return result
  }
}
