// Who runs us: root may do everything; other users only read what the host lets them read.
export function isRoot(): boolean {
  return process.geteuid?.() === 0
}

/** Whether a failed file access was refused for lack of privileges (not a missing or broken file). */
export function isPermissionDenied(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code === 'EACCES' || code === 'EPERM'
}
