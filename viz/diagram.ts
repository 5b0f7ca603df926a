// DOT -> SVG with Graphviz compiled to WebAssembly (@viz-js/viz): no system binary, no browser.
import { instance, type Viz } from '@viz-js/viz';
import { aslToDot, type DotOptions } from './dot.ts';

export class DiagramError extends Error {
  override name = 'DiagramError';
}

// Loading the WebAssembly module costs tens of milliseconds; one instance serves every render.
let viz: Promise<Viz> | undefined;

/** Lays out and draws a DOT graph. The same DOT always gives the same SVG bytes. */
export async function dotToSvg(dot: string): Promise<string> {
  viz ??= instance();
  const result = (await viz).render(dot, { format: 'svg', engine: 'dot' });
  if (result.status === 'failure') {
    throw new DiagramError(`Graphviz could not render the diagram: ${result.errors.map((error) => error.message).join('; ')}`);
  }
  return result.output;
}

/** The SVG diagram of an ASL definition, optionally highlighting what an execution did. */
export async function renderDiagram(definition: unknown, options: DotOptions = {}): Promise<string> {
  return dotToSvg(aslToDot(definition, options));
}
