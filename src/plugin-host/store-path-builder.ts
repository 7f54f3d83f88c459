// --system-path: the system is already built; only the profile is set. Not a provider: nothing
// is built, so every builder choice leaves it alone.
import type {Builder} from '../contract/builder.js'
import {ensureProfileDir, setProfile} from '../lib/profile.js'
import {checkSystemPath} from '../lib/source-checks.js'

export const storePathBuilder: Builder = {
  name: 'store-path',
  handles: (source) => source.kind === 'store-path',
  async build({paths, source, log}) {
    if (source.kind !== 'store-path') throw new Error('store-path builder cannot build ' + source.kind)
    checkSystemPath(source.systemPath)
    ensureProfileDir(paths.profileDir)
    await setProfile(paths.profile, source.systemPath, log)
    return source.systemPath
  },
}
