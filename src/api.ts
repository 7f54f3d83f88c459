// The public API: what plugins import from 'nixos-container' (package.json "exports"). The
// contract is the hook table in contract/hooks.ts and the Builder and Supervisor interfaces; the
// helpers below are the pieces the bundled providers in plugins/ are built from, offered to
// third-party providers on the same terms. Anything not exported here is internal.

// The contract.
export type {
  ConfRecord, HookEvent, HookHandler, HookOptions, HookReturn, NixosContainerHooks, NoticeEvent, ProviderDeclaration, ProviderKind,
  ProviderSettings, VetoEvent,
} from './contract/hooks.js'
export type {Builder, BuildRequest, SystemSource} from './contract/builder.js'
export {type RunState, type StartOptions, type StopOptions, statesOf, type Supervisor} from './contract/supervisor.js'

// Containers, their files and NAME.conf.
export {
  type Container, hasSystem, loadContainer, requireSystem, systemInsideContainer, systemPathInside,
} from './lib/containers.js'
export {containerPaths, type ContainerPaths, type HostPaths, resolveHostPaths} from './lib/paths.js'
// Files inside a container root: only through these (the guest controls everything under it).
export {
  checkGuestWritable, createGuestFileIfMissing, GuestRoot, type GuestJournal, makeGuestDirectory, openGuestJournal, readGuestFile,
  withGuestDirectory, withGuestRoot, writeGuestFile,
} from './lib/guest-fs.js'
export {type ConfEntries, listValue} from './lib/conf.js'
export {addressesOf, type AddressSet, isIPv4WithPrefix, isIPv6WithPrefix, upstreamPool, withoutPrefix} from './lib/addresses.js'
export {ports} from './lib/ports.js'
export {startPortForwarder, stopPortForwarder} from './lib/port-bind.js'
export {hostClash, hostNetworks, type HostNetworks, requireNoHostClash} from './lib/host-networks.js'
export {limitsOfConf, type ResourceLimits} from './lib/limits.js'
export {errorReport, type ErrorCode, reportError, UserError} from './lib/errors.js'
export {systemdIsRunning} from './lib/systemd.js'
export {removeNspawnLeftovers} from './lib/remove.js'
export {cliEntryPoint, unitStepCommand} from './lib/entry.js'
export {machinedRuns} from './lib/machined.js'
export {type CommandResult, failureReason, runCommand} from './lib/command.js'
export {children, commandLine, execedChild, executable, isAlive, listedAlive, othersHidden, readProcFile, runsSystemd, sleep, waitFor} from './lib/proc.js'

// Building systems.
export {flakeFeatures, type LogSink, runNix} from './lib/nix.js'
export {currentSystem, ensureProfileDir, setProfile} from './lib/profile.js'

// Operations a supervisor's own helpers may need outside a command (e.g. in a systemd unit).
export {activate} from './operations/exec.js'
export {updateContainer} from './operations/update.js'
export {ensureSystem} from './operations/system.js'
export {openDirectContext} from './operations/open-context.js'
