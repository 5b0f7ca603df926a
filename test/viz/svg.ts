// Reads a Graphviz SVG the way a person reads the picture: which boxes and arrows it holds.
import { parse, type HTMLElement } from 'node-html-parser';

export interface DrawnNode {
  name: string;
  classes: string[];
  text: string;
}

export interface DrawnEdge {
  tail: string;
  head: string;
  classes: string[];
  text: string;
}

const textOf = (element: HTMLElement) => element.querySelectorAll('text').map((text) => text.text).join('\n');

export function drawnNodes(root: HTMLElement): DrawnNode[] {
  return root.querySelectorAll('g.node').map((group) => ({
    name: group.querySelector('title')!.text,
    classes: group.classList.value,
    text: textOf(group),
  }));
}

export function drawnEdges(root: HTMLElement): DrawnEdge[] {
  return root.querySelectorAll('g.edge').map((group) => {
    const [tail, head] = group.querySelector('title')!.text.split('->') as [string, string];
    return { tail, head, classes: group.classList.value, text: textOf(group) };
  });
}

export function parseSvg(svg: string): HTMLElement {
  return parse(svg);
}
