import {addressesOf} from 'nixos-container'

export default async function networkAllocate({provider, requested, inUse, settings}) {
  if (provider !== 'lab') return undefined
  if (requested.hostAddress) return requested // given on the command line: keep them
  const base = settings.base ?? '10.99'
  const used = new Set(inUse.flatMap(addressesOf)) // every address in use, without its prefix length
  for (let n = 1; n <= 254; n++) {
    const pair = {hostAddress: `${base}.${n}.1`, localAddress: `${base}.${n}.2`}
    if (!used.has(pair.hostAddress) && !used.has(pair.localAddress)) return {...requested, ...pair}
  }
  throw new Error(`no free address pair left in ${base}.0.0/16`)
}
