import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { TRANSFER_RECORDS } from '../../workflow/transfer-records.ts';
import { DiagramError, dotToSvg, renderDiagram } from '../../viz/diagram.ts';
import { drawnEdges, drawnNodes, parseSvg } from './svg.ts';
import { declaredTransitions } from './transitions.ts';

describe('viz/diagram', () => {
  let definition: { StartAt: string; States: Record<string, Record<string, unknown>> };
  let svg: string;

  before(async () => {
    definition = JSON.parse(await readFile(TRANSFER_RECORDS.definition, 'utf8'));
    svg = await renderDiagram(definition);
  });

  it('draws every state of the transfer-records ASL as a node', () => {
    const names = drawnNodes(parseSvg(svg)).map((node) => node.name);
    expect(names).to.include.members(Object.keys(definition.States));
    expect(Object.keys(definition.States)).to.have.length(7);
  });

  it('draws an edge for every Next, Choice rule, Default and Catch', () => {
    const edges = drawnEdges(parseSvg(svg));
    const transitions = declaredTransitions(definition as never);
    expect(transitions.map((t) => t.kind)).to.include.members(['next', 'choice', 'default', 'catch']);
    for (const transition of transitions) {
      const edge = edges.find((e) => e.tail === transition.tail && e.head === transition.head && e.classes.includes(transition.kind));
      expect(edge, `${transition.kind} ${transition.tail} -> ${transition.head}`).to.not.equal(undefined);
    }
  });

  it('labels the Choice rule by its condition, and the Default', () => {
    const edges = drawnEdges(parseSvg(svg));
    const choice = edges.find((edge) => edge.classes.includes('choice'))!;
    expect(choice.text).to.equal('not $.List[0] == "DONE"');
    expect(edges.find((edge) => edge.classes.includes('default'))!.text).to.equal('Default');
  });

  it('labels Catch edges with their errors and draws each state\'s retriers as one self-loop with their errors and attempts', () => {
    const edges = drawnEdges(parseSvg(svg));
    const caught = edges.find((edge) => edge.classes.includes('catch'))!;
    expect(caught).to.include({ tail: 'Seed the DynamoDB Table', head: 'Reject Invalid Input' });
    expect(caught.text).to.contain('InvalidInput');
    const retries = edges.filter((edge) => edge.classes.includes('retry'));
    // Two loops on one state would cross each other's labels (the seed's two retriers did).
    expect(retries.map((edge) => [edge.tail, edge.head])).to.deep.equal([
      ['Seed the DynamoDB Table', 'Seed the DynamoDB Table'],
      ['Read Next Message from DynamoDB', 'Read Next Message from DynamoDB'],
      ['Send Message to SQS', 'Send Message to SQS'],
    ]);
    expect(retries[0]!.text).to.contain('retry up to 3×').and.contain('Lambda.TooManyRequestsException').and.contain('SeedWriteIncomplete');
    expect(retries[0]!.text.indexOf('Lambda.TooManyRequestsException')).to.be.below(retries[0]!.text.lastIndexOf('retry up to 3×'));
    expect(retries[2]!.text).to.contain('retry up to 5×').and.contain('SQS.AmazonSQSException');
  });

  it('marks the start and every end', () => {
    const root = parseSvg(svg);
    const nodes = drawnNodes(root);
    const start = nodes.find((node) => node.classes.includes('start'))!;
    const end = nodes.find((node) => node.classes.includes('end'))!;
    const edges = drawnEdges(root);
    expect(edges.some((edge) => edge.tail === start.name && edge.head === definition.StartAt)).to.equal(true);
    const intoEnd = edges.filter((edge) => edge.head === end.name).map((edge) => edge.tail);
    expect(intoEnd).to.have.members(['Reject Invalid Input', 'Succeed']);
  });

  it('gives each state type its own shape', () => {
    const shapes = new Map<string, string>();
    const root = parseSvg(svg);
    for (const group of root.querySelectorAll('g.node.state')) {
      const type = group.classList.value.find((name) => ['task', 'choice', 'pass', 'succeed', 'fail'].includes(name))!;
      const outline = group.querySelector('path, polygon, ellipse')!;
      shapes.set(type, `${outline.tagName}:${outline.getAttribute('points')?.split(' ').length ?? ''}:${outline.getAttribute('fill')}`);
    }
    expect(new Set(shapes.values()).size).to.equal(5);
  });

  it('renders the same bytes every time', async () => {
    expect(await renderDiagram(definition)).to.equal(svg);
  });

  it('throws DiagramError on DOT Graphviz cannot read', async () => {
    const error = await dotToSvg('digraph { a -> }').catch((caught: Error) => caught);
    expect(error).to.be.instanceOf(DiagramError);
    expect((error as Error).name).to.equal('DiagramError');
  });
});
