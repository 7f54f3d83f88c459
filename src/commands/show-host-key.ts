import {BaseCommand} from '../base-command.js'
import {nameArg} from '../flags.js'
import {loadContainer} from '../lib/containers.js'
import {UserError} from '../lib/errors.js'
import {readGuestFile} from '../lib/guest-fs.js'
import {resolveHostPaths} from '../lib/paths.js'

export default class ShowHostKey extends BaseCommand {
  static summary = 'Print a container\'s SSH host public key.'
  static description = 'Prints the container\'s /etc/ssh/ssh_host_ed25519_key.pub, or the ECDSA key when there is no Ed25519 one; fails when the container has neither (e.g. sshd has never run).'
  static examples = [`echo "web $(<%= config.bin %> <%= command.id %> web)" >> ~/.ssh/known_hosts`]
  static args = nameArg

  async run(): Promise<{name: string; key: string}> {
    const {args} = await this.parse(ShowHostKey)
    const {paths} = loadContainer(resolveHostPaths(), args.name)
    for (const type of ['ed25519', 'ecdsa']) {
      // The guest's file: read confined to its root (a link planted there is refused), and small.
      const key = readGuestFile(paths.root, `/etc/ssh/ssh_host_${type}_key.pub`, 16 * 1024)?.toString('utf8')
      if (key === undefined) continue
      if (!this.jsonEnabled()) process.stdout.write(key)
      return {name: args.name, key: key.trim()}
    }
    throw new UserError(`container ‘${args.name}’ has no SSH host key`)
  }
}
