// builder-load: hands out the builder named in package.json "nixos-container".builder.
import type {Builder, HookHandler} from 'nixos-container'

const builders: Record<string, () => Promise<Builder>> = {
  channels: async () => (await import('./channels.js')).channelsBuilder,
  flakes: async () => (await import('./flakes.js')).flakesBuilder,
}

const builderLoad: HookHandler<'builder-load'> = async ({provider}) => builders[provider]?.()
export default builderLoad
