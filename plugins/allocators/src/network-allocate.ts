// network-allocate: answers for the allocators named in package.json "nixos-container".allocator.
import {allocateUla} from './ula.js'
import {allocateUpstream, type AllocationRequest} from './upstream.js'
import type {AddressSet, HookHandler} from 'nixos-container'

const allocators: Record<string, (request: AllocationRequest) => Promise<AddressSet>> = {
  upstream: allocateUpstream,
  ula: allocateUla,
}

const networkAllocate: HookHandler<'network-allocate'> = async (request) => allocators[request.provider]?.(request)
export default networkAllocate
