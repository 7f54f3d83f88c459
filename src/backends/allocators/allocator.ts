// The address allocator contract: given what was asked for and what every other container uses,
// return the addresses a new container gets, or throw a UserError.
import type {AddressSet} from '../../lib/addresses.js'

export interface AllocationRequest {
  name: string
  /** Addresses given on the command line (possibly none). */
  requested: AddressSet
  /** The addresses of every existing container. */
  inUse: AddressSet[]
}

export interface Allocator {
  readonly name: string
  allocate(request: AllocationRequest): AddressSet
}
