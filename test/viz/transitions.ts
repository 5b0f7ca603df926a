// Every transition an ASL definition declares, read straight from the JSON, to compare with a drawing.

export interface Transition {
  tail: string;
  head: string;
  kind: 'next' | 'choice' | 'default' | 'catch';
}

type State = Record<string, unknown> & { Choices?: { Next: string }[]; Catch?: { Next: string }[] };

export function declaredTransitions(definition: { States: Record<string, State> }): Transition[] {
  const transitions: Transition[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    if (typeof state.Next === 'string') transitions.push({ tail: name, head: state.Next, kind: 'next' });
    for (const rule of state.Choices ?? []) transitions.push({ tail: name, head: rule.Next, kind: 'choice' });
    if (typeof state.Default === 'string') transitions.push({ tail: name, head: state.Default, kind: 'default' });
    for (const catcher of state.Catch ?? []) transitions.push({ tail: name, head: catcher.Next, kind: 'catch' });
  }
  return transitions;
}
