import * as Args from '@oclif/core/args'

import {BaseCommand} from '../base-command.js'
import {resolveHostPaths} from '../lib/paths.js'
import {copyFiles, type CopyResult} from '../operations/copy.js'

export default class Cp extends BaseCommand {
  static needsRoot = true
  static summary = 'Copy files and directories in and out of a container.'
  static description = 'One side is NAME:/PATH in the container, the other a path on the host; the container may be running or stopped. Directories are copied whole, with their modes; links inside them are copied as links. Nothing in the container can steer the copy to a host file: a link on the way to PATH is refused (as `machinectl copy-from` resolves paths inside the container, never on the host), files are replaced atomically, and files copied out lose their setuid and setgid bits. Devices, FIFOs and sockets are skipped.'
  static examples = [
    '<%= config.bin %> <%= command.id %> web:/var/log/nginx/error.log .',
    {description: 'A directory into the container', command: '<%= config.bin %> <%= command.id %> ./site web:/var/www'},
  ]
  static args = {
    source: Args.string({description: 'what to copy: NAME:/PATH or a host path', required: true}),
    destination: Args.string({description: 'where to: a host path or NAME:/PATH', required: true}),
  }

  async run(): Promise<CopyResult> {
    const {args} = await this.parse(Cp)
    const result = copyFiles(resolveHostPaths(), args.source, args.destination)
    if (result.skipped > 0 && !this.jsonEnabled()) process.stderr.write(`nixos-container: warning: skipped ${result.skipped} device, FIFO or socket file(s)\n`)
    return result
  }
}
