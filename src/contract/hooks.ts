// The plugin contract: the oclif custom hooks nixos-container fires, what each receives and what
// it may return. A plugin registers handlers in its package.json ("oclif": {"hooks": {…}}) and
// declares the providers it offers under "nixos-container", so they can be listed without
// loading its code. See docs/plugins.md.
import type {Builder} from './builder.js'
import type {Supervisor} from './supervisor.js'
import type {AddressSet} from '../lib/addresses.js'

export type ProviderKind = 'allocator' | 'builder' | 'supervisor'
export const providerKinds: readonly ProviderKind[] = ['allocator', 'builder', 'supervisor']

/** package.json "nixos-container": the providers a plugin offers, by kind. */
export type ProviderDeclaration = Partial<Record<ProviderKind, string[]>>

/** NAME.conf as a plain object (KEY → value), as container@NAME.service reads it. */
export type ConfRecord = Record<string, string>

/** A provider's own section of the settings file ("providers": {"NAME": {…}}). */
export type ProviderSettings = Record<string, unknown>

interface ProviderRequest {
  /** The selected provider's name: handlers of other providers return undefined. */
  provider: string
  settings: ProviderSettings
}

interface ContainerEvent {
  name: string
  conf: ConfRecord
}

/** Every hook: its options and what a handler returns. */
export interface NixosContainerHooks {
  /** Addresses for a new container. Only the selected allocator's handler answers. */
  'network-allocate': {
    options: ProviderRequest & {
      name: string
      /** Addresses given on the command line (already checked; keep them). */
      requested: AddressSet
      /** Every existing container's addresses. */
      inUse: AddressSet[]
    }
    return: AddressSet | undefined
  }
  /** The selected builder: an object implementing Builder. */
  'builder-load': {options: ProviderRequest; return: Builder | undefined}
  /** The selected supervisor: an object implementing Supervisor. */
  'supervisor-load': {options: ProviderRequest; return: Supervisor | undefined}

  /** Before anything of the container is written, addresses chosen; throw to refuse. */
  'pre-create': {options: ContainerEvent; return: void}
  /** The container exists and its system is built. */
  'post-create': {options: ContainerEvent & {systemPath: string}; return: void}
  /** Throw to refuse the start. */
  'pre-start': {options: ContainerEvent; return: void}
  /** The container has booted; leader = its PID 1 as seen from the host. */
  'post-start': {options: ContainerEvent & {leader: number}; return: void}
  /** Throw to refuse the stop (terminate and destroy are not refused: force = true). */
  'pre-stop': {options: ContainerEvent & {force: boolean}; return: void}
  'post-stop': {options: ContainerEvent & {force: boolean}; return: void}
  /** Throw to refuse the destroy. */
  'pre-destroy': {options: ContainerEvent; return: void}
  /** Every file of the container is gone; conf is what it was. */
  'post-destroy': {options: ContainerEvent; return: void}
  /** Throw to refuse the update. */
  'pre-update': {options: ContainerEvent; return: void}
  /** The new system is built (and activated when the container runs). */
  'post-update': {options: ContainerEvent & {systemPath: string; activated: boolean}; return: void}
}

export type HookEvent = keyof NixosContainerHooks
export type HookOptions<E extends HookEvent> = NixosContainerHooks[E]['options']
export type HookReturn<E extends HookEvent> = NixosContainerHooks[E]['return']

/** A handler, as a plugin's hook module exports it (default export). Under oclif, options.config
 * is oclif's Config; where list/status or the systemd unit call provider hooks without oclif, it
 * is undefined. */
export type HookHandler<E extends HookEvent> = (options: HookOptions<E> & {config?: unknown}) => Promise<HookReturn<E>>

/** Lifecycle points whose failure refuses the operation, and those whose failure is only reported. */
export type VetoEvent = 'pre-create' | 'pre-start' | 'pre-stop' | 'pre-destroy' | 'pre-update'
export type NoticeEvent = 'post-create' | 'post-start' | 'post-stop' | 'post-destroy' | 'post-update'

/** Which hook hands out a provider of each kind. */
export const providerHook = {
  allocator: 'network-allocate',
  builder: 'builder-load',
  supervisor: 'supervisor-load',
} as const satisfies Record<ProviderKind, HookEvent>
