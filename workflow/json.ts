// The one test for a JSON object (neither an array nor null) for every folder above workflow/
// (the engine, which imports nothing, has its own: engine/json.ts).
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
