// supervisor-load: hands out the supervisor named in package.json "nixos-container".supervisor.
// Each is imported only when selected.
import type {HookHandler, Supervisor} from 'nixos-container'

const supervisors: Record<string, () => Promise<Supervisor>> = {
  systemd: async () => (await import('./systemd.js')).systemdSupervisor,
  nspawn: async () => (await import('./nspawn.js')).nspawnSupervisor,
}

const supervisorLoad: HookHandler<'supervisor-load'> = async ({provider}) => supervisors[provider]?.()
export default supervisorLoad
