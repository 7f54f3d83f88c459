// Errors meant for the user: one line, no stack trace, a chosen exit status.
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message)
    this.name = 'UserError'
  }
}

/** A failure inside a backend; the message names the backend so users know where to look. */
export class BackendError extends UserError {
  constructor(readonly backend: string, message: string) {
    super(`${backend}: ${message}`)
    this.name = 'BackendError'
  }
}
