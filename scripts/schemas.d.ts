// Types of scripts/schemas.js, for the tests that import it.
export const projectDir: string
export function generateSchemas(): Record<string, string>
