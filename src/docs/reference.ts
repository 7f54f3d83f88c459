// What the man page and README say beyond the commands themselves: one copy, so the two agree.
// The commands' own texts come from their classes (through oclif.manifest.json).

export const tagline = 'run NixOS systems as lightweight systemd-nspawn containers'

export const description = [
  'nixos-container creates, starts, stops, updates and destroys NixOS containers: NixOS systems built by Nix and run with systemd-nspawn, sharing the host\'s /nix/store, each with its own root directory, its own network namespace and a veth link to the host.',
  'It is a drop-in successor to NixOS\'s nixos-container: the same commands, flags, output, exit statuses and files, so containers made by either are managed by the other. It also runs on any Linux host with Nix and systemd-nspawn.',
  'Where systemd is PID 1 a container runs as container@NAME.service: NixOS\'s unit where it exists, else one the tool installs. Elsewhere the tool runs systemd-nspawn itself. --supervisor or NIXOS_CONTAINER_SUPERVISOR chooses explicitly.',
  'Plugins: how addresses are chosen (allocator), how systems are built (builder) and how containers are run (supervisor) are providers offered by plugins, the bundled ones included (allocators upstream and ula, builders channels and flakes, supervisors systemd and nspawn). Each is chosen by its option (--allocator, --builder, --supervisor), else its environment variable, else the settings file, else the default. Plugins also hear of every step of a container\'s life through hooks (pre-create, post-start, …) and may refuse the pre-* steps. nixos-container plugins install|link|uninstall|unlink manages them; plugins run as root, so install only what you would run as root. nixos-container completion bash|zsh|fish prints the completion script: commands, options (before the command too), option values (providers, named hosts, files) and container names.',
  'Every command takes --host [USER@]HOST[:PORT] and then acts on that host\'s containers, by running nixos-container there over the user\'s own ssh (--ssh-option passes options to it): output and exit status are the remote command\'s. create and update build the system here and copy it there with nix copy. list takes several hosts and prints one list with a HOST column.',
  'Every command takes --json and then prints one JSON document on stdout, for errors too ({"error": {"message", "exitCode"}}), and no progress. Options may stand anywhere on the command line, before the command too (nixos-container --host web1 list), up to a -- that ends them; -h is --help. An unknown command is one line on stderr naming it, with the commands it may have meant, and exit status 1.',
]

/** The order commands are documented in: the life of a container. */
export const commandOrder = ['create', 'start', 'status', 'run', 'root-login', 'login', 'logs', 'update', 'generations', 'rollback', 'set',
  'cp', 'clone', 'reset', 'stop', 'restart', 'terminate', 'destroy', 'list', 'show-ip', 'show-host-key']

export interface Entry {
  name: string
  text: string
}

export const environment: Entry[] = [
  {name: 'NIXOS_CONTAINER_SUPERVISOR', text: 'systemd, nspawn or a plugin\'s supervisor: how containers are run (as --supervisor).'},
  {name: 'NIXOS_CONTAINER_ALLOCATOR', text: 'upstream, ula or a plugin\'s allocator: how create chooses addresses (as --allocator).'},
  {name: 'NIXOS_CONTAINER_BUILDER', text: 'channels, flakes or a plugin\'s builder: how create and update build systems (as --builder).'},
  {name: 'NIXOS_CONTAINER_HOST', text: 'the host to act on when no --host is given (as --host; several, for list, separated by commas or spaces).'},
  {name: 'NIXOS_CONTAINER_SETTINGS', text: 'the settings file (default /etc/nixos-container/settings.json).'},
  {name: 'NIXOS_CONTAINER_DATA_DIR', text: 'where installed and linked plugins are recorded (default ~/.local/share/nixos-container).'},
  {name: 'NIXOS_CONTAINER_CONFIG_DIR', text: 'where NAME.conf files live (default /etc/nixos-containers; /etc/containers on NixOS hosts installed before 22.05).'},
  {name: 'NIXOS_CONTAINER_STATE_DIR', text: 'where container roots live (default /var/lib/nixos-containers).'},
  {name: 'NIXOS_CONTAINER_PROFILES_DIR', text: 'per-container system profiles (default /nix/var/nix/profiles/per-container).'},
  {name: 'NIXOS_CONTAINER_GCROOTS_DIR', text: 'per-container GC roots (default /nix/var/nix/gcroots/per-container).'},
  {name: 'NIXOS_CONTAINER_RUNTIME_DIR', text: 'per-container locks, and the pid files and console logs of containers run by the nspawn supervisor (default /run/nixos-containers).'},
  {name: 'NIXOS_CONTAINER_LOCK', text: 'the create lock (default /run/lock/nixos-container).'},
  {name: 'NIX_PATH', text: 'finds <nixpkgs/nixos> for containers built from configuration.nix.'},
  {name: 'NIXOS_CONTAINER_DEBUG', text: 'when set, errors also print a stack trace.'},
]

export const files: Entry[] = [
  {name: '/etc/nixos-containers/NAME.conf', text: 'the container\'s settings, a shell-style KEY=VALUE file read by container@NAME.service: PRIVATE_NETWORK, HOST_ADDRESS, LOCAL_ADDRESS, HOST_BRIDGE, HOST_PORT, AUTO_START, FLAKE, FLAKE_ATTR, and for declarative containers SYSTEM_PATH, EXTRA_NSPAWN_FLAGS and more.'},
  {name: '/var/lib/nixos-containers/NAME', text: 'the container\'s root directory.'},
  {name: '/var/lib/nixos-containers/NAME/etc/nixos/configuration.nix', text: 'the configuration of a container built from --config or --config-file.'},
  {name: '/nix/var/nix/profiles/per-container/NAME/system', text: 'the container\'s system profile; its generations are the container\'s systems.'},
  {name: '/nix/var/nix/gcroots/per-container/NAME', text: 'the container\'s garbage-collector roots.'},
  {name: '/run/lock/nixos-container', text: 'held while create chooses a name and addresses; shared with NixOS\'s tool.'},
  {name: '/etc/systemd/system/container@.service', text: 'the unit the tool installs on systemd hosts without NixOS\'s; its first line marks it as the tool\'s.'},
  {name: '/etc/systemd/system/machines.target.wants/container@NAME.service', text: 'makes an --auto-start container start at boot (in /etc/systemd/system.control where /etc/systemd/system is read-only, as on NixOS).'},
  {name: '/run/nixos-containers/NAME.pid, NAME.log', text: 'the systemd-nspawn process and console log of a container run by the nspawn supervisor. Its processes are found by its cgroup (/sys/fs/cgroup/…/nixos-containers/NAME), so a lost pid file or a killed systemd-nspawn never hides them.'},
  {name: '/run/nixos-containers/NAME.lock', text: 'held by start, stop, restart, terminate, update and destroy of NAME: commands on one container run one after another, each acting on the state the one before left.'},
  {name: '/etc/nixos-container/settings.json', text: 'the host\'s choice of providers and their settings, e.g. {"allocator": "ula", "providers": {"ula": {"prefix": "fd42:1:2::/48"}}}; a missing file means the defaults.'},
  {name: '~/.local/share/nixos-container', text: 'plugins installed with nixos-container plugins install (node_modules) and linked with plugins link (package.json).'},
]

export const exitStatus: Entry[] = [
  {name: '0', text: 'success.'},
  {name: '1', text: 'any error, bad options included (one line on standard error: "nixos-container: MESSAGE"); status also exits 1 for a container that does not exist, after printing "gone".'},
  {name: 'N', text: 'run and root-login exit with the status of the command or shell inside the container.'},
]

export const examples: {text: string; command: string}[] = [
  {text: 'Create a container from a configuration string, start it and talk to it:', command: 'nixos-container create web --config \'services.nginx.enable = true;\'\nnixos-container start web\ncurl http://$(nixos-container show-ip web)/'},
  {text: 'Run a command inside; its exit status is returned:', command: 'nixos-container run web -- systemctl is-active nginx'},
  {text: 'Change the configuration of a running container:', command: 'nixos-container update web --config-file ./web.nix'},
  {text: 'Build from a flake and start at every boot:', command: 'nixos-container create db --flake /etc/hosts-flake#db --auto-start'},
  {text: 'The names of the running containers, for a script:', command: 'nixos-container list --json | jq -r \'.[] | select(.state == "up") | .name\''},
]

export const seeAlso = ['systemd-nspawn(1)', 'machinectl(1)', 'nix-env(1)', 'nix3-build(1)', 'systemd.unit(5)']
