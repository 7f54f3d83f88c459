// Building a configuration.nix text through the builder plugin, without ever evaluating the
// guest's own copy (see BuildRequest.configurationFile).
import type {Builder, BuildRequest} from '../contract/builder.js'
import {installConfiguration, withConfigurationFile} from '../lib/nixos-config.js'

/**
 * Builds TEXT as the container's configuration.nix, from a private copy; with `install`, puts it
 * into the root only once the build has succeeded, so a failed or interrupted build leaves the
 * old one (issue 16). Returns the system's store path.
 */
export async function buildConfiguration(builder: Builder, request: BuildRequest, text: string, install: boolean): Promise<string> {
  const systemPath = await withConfigurationFile(text, (configurationFile) => builder.build({...request, configurationFile}))
  if (install) installConfiguration(request.paths.root, text)
  return systemPath
}
