import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../base-command.js'
import {
  configSource, containerOptionFlags, containerOptionsOf, explicitSource, limitChanges, limitFlags, nameArg, nixFlags, nixPassThrough, providerFlags, buildHostFlag, sourceFlags, takePairFlags,
} from '../flags.js'
import {noOptions} from '../lib/container-options.js'
import {buildHostOf} from '../operations/build-host.js'
import {createContainer, type CreateRequest, type CreateResult} from '../operations/create.js'
import {buildAndForward, withoutBuildFlags} from '../operations/remote.js'

export default class Create extends BaseCommand {
  static summary = 'Create a container and build its NixOS system.'
  static needsRoot = true
  static description = `Records the container in NAME.conf (with a free pair of addresses unless you give both), then builds its system: from --config/--config-file (written into the container's /etc/nixos/configuration.nix and evaluated with <nixpkgs/nixos>), from a flake with --flake, or an already built --system-path. Prints "host IP is H, container IP is L" on stderr. If the build fails, nothing of the container is left behind.

The CONTAINER options give an imperative container what a declarative one can have (bind mounts, the host's network, private users, an ephemeral root, TUN, capabilities, other systemd-nspawn flags); they are recorded in NAME.conf as the NixOS module writes them (EXTRA_NSPAWN_FLAGS, PRIVATE_USERS, PRIVATE_NETWORK=0), so NixOS's container@.service and both supervisors read them alike, and take effect at each start. With --use-host-network it prints "using host network" instead of the addresses.

Addresses come in pairs 10.233.N.1 (host) / 10.233.N.2 (container), N = 1…254, as upstream's, from the pool 10.233.0.0/16; other or more pools come from --pool or the allocator's "pools" setting (one pair per /24). A pair that the host itself has or routes elsewhere (a LAN or VPN in the same range) is skipped; when the pools are full, create says so and names the setting.`
  static examples = [
    {description: 'A container with an SSH server', command: `<%= config.bin %> <%= command.id %> web --config 'services.openssh.enable = true;'`},
    {description: 'From a module file, with a unique name printed on stdout', command: '<%= config.bin %> <%= command.id %> web --config-file ./web.nix --ensure-unique-name'},
    {description: 'From a flake attribute', command: '<%= config.bin %> <%= command.id %> web --flake github:me/hosts#web'},
    {description: 'With fixed addresses and host port 5432 forwarded to it', command: '<%= config.bin %> <%= command.id %> db --host-address 10.250.0.1 --local-address 10.250.0.2 --port tcp:5432:5432'},
    {description: 'With a host directory for its data, the host\'s CA certificates read-only, and private users', command: '<%= config.bin %> <%= command.id %> db --config-file ./db.nix --bind /srv/db:/var/lib/postgresql --bind-ro /etc/ssl/certs --private-users pick'},
    {description: 'From a range of your choosing, on a host whose LAN uses 10.233.0.0/16', command: '<%= config.bin %> <%= command.id %> web --config-file ./web.nix --pool 172.30.0.0/16'},
    {description: 'At most 1 GiB of memory and half a CPU', command: '<%= config.bin %> <%= command.id %> ci --config-file ./ci.nix --memory 1G --cpus 0.5'},
    {description: 'On another machine, built here and copied there (nix copy over ssh)', command: '<%= config.bin %> <%= command.id %> web --config-file ./web.nix --host root@server1'},
    {description: 'On another machine, built on a build server and copied from there, as nixos-rebuild --build-host does', command: '<%= config.bin %> <%= command.id %> web --config-file ./web.nix --host root@server1 --build-host root@builder'},
    {description: 'Here, built on a build server and copied back (nixos-rebuild --build-host without --target-host)', command: '<%= config.bin %> <%= command.id %> web --config-file ./web.nix --build-host root@builder'},
    {description: 'Port 8080 forwarded to its port 80, answered on the host\'s loopback too (curl localhost:8080)', command: '<%= config.bin %> <%= command.id %> web --config-file ./web.nix --port tcp:8080:80 --port-bind 127.0.0.1'},
    {description: 'On the host\'s network, with a VPN', command: '<%= config.bin %> <%= command.id %> vpn --config-file ./vpn.nix --use-host-network --enable-tun'},
  ]
  static args = nameArg
  static flags = {
    ...sourceFlags,
    ...buildHostFlag,
    'system-path': Flags.string({helpValue: '<path>', description: 'use this already built NixOS system (a store path)'}),
    'ensure-unique-name': Flags.boolean({description: 'if NAME is taken, use NAME-0, NAME-1, … and print the name used on stdout'}),
    'auto-start': Flags.boolean({description: 'start the container when the host boots (AUTO_START=1; container@NAME.service becomes wanted by machines.target)'}),
    bridge: Flags.string({helpValue: '<interface>', description: 'attach the container\'s veth to this host bridge (HOST_BRIDGE)'}),
    port: Flags.string({helpValue: '<ports>', description: 'forward host ports: [tcp:|udp:]HOST[:CONTAINER], comma-separated (HOST_PORT)'}),
    pool: Flags.string({helpValue: '<cidr>', multiple: true, description: 'allocate the address pair from this IPv4 range (/24 or larger; repeatable, tried in order) instead of the allocator\'s pools (default 10.233.0.0/16, or "pools" in the settings file)'}),
    'host-address': Flags.string({helpValue: '<address>', description: 'the host\'s address on the veth link (with --local-address)'}),
    'local-address': Flags.string({helpValue: '<address>', description: 'the container\'s address (with --host-address)'}),
    'host-address6': Flags.string({helpValue: '<address>', description: 'the host\'s IPv6 address on the veth link (HOST_ADDRESS6)'}),
    'local-address6': Flags.string({helpValue: '<address>', description: 'the container\'s IPv6 address (LOCAL_ADDRESS6)'}),
    ...containerOptionFlags,
    'use-host-network': Flags.boolean({helpGroup: 'CONTAINER', description: 'share the host\'s network: no veth and no addresses of its own (PRIVATE_NETWORK=0)'}),
    ...limitFlags,
    signal: Flags.string({hidden: true, description: 'accepted for compatibility; unused'}),
    ...nixFlags,
    ...providerFlags,
  }

  static remote = 'own' as const

  async run(): Promise<CreateResult | undefined> {
    const {rest, pairs} = takePairFlags(this.argv)
    const {args, flags} = await this.parse(Create, rest)
    const config = configSource(flags)
    const source = explicitSource(flags, config) ?? {kind: 'configuration'}
    const buildHost = flags['build-host']
    if (this.remoteTarget) {
      const request = {id: 'create', name: args.name, source, config, nixFlags: nixPassThrough(flags, pairs), buildHost, argv: withoutBuildFlags(rest)} as const
      process.exitCode = await buildAndForward(await this.context(), this.remoteTarget, request)
      return undefined
    }
    const request: CreateRequest = {
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
      limits: limitChanges(flags),
      pools: flags.pool,
      options: containerOptionsOf(flags) ?? noOptions,
      buildHost: buildHost === undefined ? undefined : buildHostOf(buildHost, this.sshOptions),
    }
    const result = await createContainer(await this.context(), request)
    if (flags['ensure-unique-name'] && !this.jsonEnabled()) this.log(result.name)
    return result
  }
}
