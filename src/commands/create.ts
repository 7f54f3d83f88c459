import {Flags} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {configSource, explicitSource, nameArg, nixFlags, nixPassThrough, providerFlags, sourceFlags, takePairFlags} from '../flags.js'
import {createContainer, type CreateResult} from '../operations/create.js'

export default class Create extends BaseCommand {
  static summary = 'Create a container and build its NixOS system.'
  static needsRoot = true
  static description = `Records the container in NAME.conf (with a free pair of addresses unless you give both), then builds its system: from --config/--config-file (written into the container's /etc/nixos/configuration.nix and evaluated with <nixpkgs/nixos>), from a flake with --flake, or an already built --system-path. Prints "host IP is H, container IP is L" on stderr. If the build fails, nothing of the container is left behind.

Addresses come in pairs 10.233.N.1 (host) / 10.233.N.2 (container), N = 1…254 as upstream, then continue in 10.234.N …, 10.254.N, so more than 254 containers can exist.`
  static examples = [
    {description: 'A container with an SSH server', command: `<%= config.bin %> <%= command.id %> web --config 'services.openssh.enable = true;'`},
    {description: 'From a module file, with a unique name printed on stdout', command: '<%= config.bin %> <%= command.id %> web --config-file ./web.nix --ensure-unique-name'},
    {description: 'From a flake attribute', command: '<%= config.bin %> <%= command.id %> web --flake github:me/hosts#web'},
    {description: 'With fixed addresses and host port 5432 forwarded to it', command: '<%= config.bin %> <%= command.id %> db --host-address 10.250.0.1 --local-address 10.250.0.2 --port tcp:5432:5432'},
  ]
  static args = nameArg
  static flags = {
    ...sourceFlags,
    'system-path': Flags.string({helpValue: '<path>', description: 'use this already built NixOS system (a store path)'}),
    'ensure-unique-name': Flags.boolean({description: 'if NAME is taken, use NAME-0, NAME-1, … and print the name used on stdout'}),
    'auto-start': Flags.boolean({description: 'start the container when the host boots (AUTO_START=1; container@NAME.service becomes wanted by machines.target)'}),
    bridge: Flags.string({helpValue: '<interface>', description: 'attach the container\'s veth to this host bridge (HOST_BRIDGE)'}),
    port: Flags.string({helpValue: '<ports>', description: 'forward host ports: [tcp:|udp:]HOST[:CONTAINER], comma-separated (HOST_PORT)'}),
    'host-address': Flags.string({helpValue: '<address>', description: 'the host\'s address on the veth link (with --local-address)'}),
    'local-address': Flags.string({helpValue: '<address>', description: 'the container\'s address (with --host-address)'}),
    'host-address6': Flags.string({helpValue: '<address>', description: 'the host\'s IPv6 address on the veth link (HOST_ADDRESS6)'}),
    'local-address6': Flags.string({helpValue: '<address>', description: 'the container\'s IPv6 address (LOCAL_ADDRESS6)'}),
    signal: Flags.string({hidden: true, description: 'accepted for compatibility; unused'}),
    ...nixFlags,
    ...providerFlags,
  }

  async run(): Promise<CreateResult> {
    const {rest, pairs} = takePairFlags(this.argv)
    const {args, flags} = await this.parse(Create, rest)
    const config = configSource(flags)
    const source = explicitSource(flags, config) ?? {kind: 'configuration'}
    const result = await createContainer(await this.context(), {
      name: args.name,
      ensureUniqueName: flags['ensure-unique-name'],
      addresses: {
        hostAddress: flags['host-address'],
        localAddress: flags['local-address'],
        hostAddress6: flags['host-address6'],
        localAddress6: flags['local-address6'],
      },
      bridge: flags.bridge,
      ports: flags.port,
      autoStart: flags['auto-start'],
      source,
      config,
      nixFlags: nixPassThrough(flags, pairs),
    })
    if (flags['ensure-unique-name'] && !this.jsonEnabled()) this.log(result.name)
    return result
  }
}
