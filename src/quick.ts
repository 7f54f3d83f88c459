// The read-only commands scripts call most (list, status, show-ip) must start fast, and loading
// @oclif/core costs several times a bare Node start. bin/run.js therefore hands these commands,
// when given nothing but a name and --json, straight to this module; everything else (help,
// other flags, mistakes) goes through oclif. Both print through presenters.ts and report errors
// through lib/errors.ts. Plugins are found from their package.json files here, and only the
// selected supervisor's plugin is loaded (see plugin-host/).
import {reportError} from './lib/errors.js'
import {runRemote, takeRemoteFlags} from './lib/remote.js'
import {hostDefaults} from './plugin-host/settings.js'
import {listOutput, showIpOutput, statusOutput} from './presenters.js'

const quickCommands: Record<string, {takesName: boolean; run: (name: string, json: boolean) => unknown}> = {
  list: {takesName: false, run: (_name, json) => listOutput(json)},
  status: {takesName: true, run: (name, json) => statusOutput(name, json)},
  'show-ip': {takesName: true, run: showIpOutput},
}

/** Runs argv if it is a quick command; returns false to let oclif handle it. */
export async function runQuick(argv: string[]): Promise<boolean> {
  const [id, ...given] = argv
  const command = quickCommands[id]
  if (!command) return false
  // One remote --host (or NIXOS_CONTAINER_HOST): the tool there answers; several hosts, and a bad
  // --host, are oclif's (list combines them, errors are reported there).
  let remote: ReturnType<typeof takeRemoteFlags>
  try {
    remote = takeRemoteFlags(given, process.env, hostDefaults(id))
  } catch {
    return false
  }
  const rest = remote.argv
  const json = rest.includes('--json')
  if (remote.target && (remote.target.hosts.length > 1 || !remote.target.hosts[0].local)) {
    if (remote.target.hosts.length > 1) return false
    try {
      process.exitCode = (await runRemote(remote.target.hosts[0], remote.target.sshOptions, [id, ...rest])).exitCode
    } catch (error) {
      reportError(error, json)
    }
    return true
  }
  const positional = rest.filter((a) => a !== '--json')
  if (positional.some((a) => a.startsWith('-')) || positional.length !== (command.takesName ? 1 : 0)) return false
  try {
    const result = await command.run(positional[0], json)
    if (json) process.stdout.write(JSON.stringify(result ?? [], null, 2) + '\n')
  } catch (error) {
    reportError(error, json)
  }
  return true
}
