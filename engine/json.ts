// The one test for a JSON object (neither an array nor null) the engine's modules share.
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
