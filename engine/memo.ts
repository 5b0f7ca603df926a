// A pure function of a text, remembered: what a definition's texts (ARNs, references, keys) or a
// run's long strings give is worked out once. Bounded, as the texts come from every definition a
// long-lived process runs: when full, all are forgotten at once (a run uses few).

/** `compute`, remembering its result for up to `max` texts. */
export function rememberedByText<T>(compute: (text: string) => T, max: number): (text: string) => T {
  const kept = new Map<string, T>();
  return (text) => {
    let value = kept.get(text);
    if (value === undefined) {
      value = compute(text);
      if (kept.size >= max) kept.clear();
      kept.set(text, value);
    }
    return value;
  };
}
