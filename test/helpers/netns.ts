// "Another machine on the host's network" for the tests: a network namespace of its own, linked
// to the host by a veth pair, each end with an address in one /24.
import {execa} from 'execa'

export interface ClientNamespace {
  /** The namespace's name (`ip netns exec NAME …`). */
  name: string
  remove: () => Promise<void>
}

/**
 * Makes namespace NAME with link CLIENTLINK (address CLIENTADDRESS/24) whose peer HOSTLINK
 * (HOSTADDRESS/24) stays on the host.
 */
export async function makeClientNamespace(name: string, links: {host: string; client: string}, addresses: {host: string; client: string}): Promise<ClientNamespace> {
  await execa('ip', ['netns', 'add', name])
  await execa('ip', ['link', 'add', links.host, 'type', 'veth', 'peer', 'name', links.client, 'netns', name])
  await execa('ip', ['addr', 'add', `${addresses.host}/24`, 'dev', links.host])
  await execa('ip', ['link', 'set', links.host, 'up'])
  for (const argv of [['addr', 'add', `${addresses.client}/24`, 'dev', links.client], ['link', 'set', links.client, 'up'], ['link', 'set', 'lo', 'up']]) {
    await execa('ip', ['netns', 'exec', name, 'ip', ...argv])
  }
  return {
    name,
    remove: async () => {
      await execa('ip', ['link', 'delete', links.host], {reject: false})
      await execa('ip', ['netns', 'delete', name], {reject: false})
    },
  }
}
