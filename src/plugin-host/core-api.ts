// Third-party plugins import the core API as 'nixos-container' (package.json "exports", see
// api.ts). A plugin installed with `plugins install` sits in the data directory's node_modules and
// a linked one in its own checkout: neither has a nixos-container package above it, and npm would
// have to fetch one from the registry (a copy of another version, with classes of its own). So
// before plugin code loads, the CLI resolves that name, for every module, as its own package does
// (a self-reference, through "exports"): a plugin gets the very modules the CLI runs.
import module from 'node:module'

/** A module inside our package: resolving from here, 'nixos-container' is ourselves. */
const inside = import.meta.url
const ours = (specifier: string): boolean => specifier === 'nixos-container' || specifier.startsWith('nixos-container/')

let exposed = false

export function exposeCoreApi(): void {
  if (exposed) return
  exposed = true
  // registerHooks (Node 22.15+) runs in this thread; register() is the older, off-thread way.
  if (typeof module.registerHooks === 'function') {
    module.registerHooks({resolve: (specifier, context, nextResolve) => nextResolve(specifier, ours(specifier) ? {...context, parentURL: inside} : context)})
    return
  }
  const loader = `export function resolve(s, c, next) { return next(s, s === 'nixos-container' || s.startsWith('nixos-container/') ? {...c, parentURL: ${JSON.stringify(inside)}} : c) }`
  module.register(`data:text/javascript,${encodeURIComponent(loader)}`)
}
