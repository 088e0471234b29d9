import { Kind, parse, print, visit } from 'graphql';
import type { DefinitionNode, FragmentDefinitionNode, OperationDefinitionNode } from 'graphql';

/** One operation of a ```graphql block of a Markdown file, ready to send on its own. */
export interface DocumentedOperation {
  /** 1-based number of the ```graphql block in the file. */
  block: number;
  /** 1-based line of the operation in the file. */
  line: number;
  /** The comment just above the operation, if any, and its root fields with their arguments: how a reader finds it. */
  title: string;
  kind: 'query' | 'mutation' | 'subscription';
  /** The operation as written, with the fragments of its block that it uses. */
  query: string;
  /** Variables that are non-null and have no default: the example cannot run as written. */
  requiredVariables: string[];
}

const FENCE = /^```graphql[^\n]*\n([\s\S]*?)^```/gm;

/**
 * Every operation of every ```graphql block of `markdown`. A block may hold
 * several operations, anonymous ones included, which a server would refuse as
 * one document: each is returned on its own. Throws, naming the block and line,
 * when a block does not parse.
 */
export function documentedOperations(markdown: string): DocumentedOperation[] {
  const operations: DocumentedOperation[] = [];
  let block = 0;
  for (const fence of markdown.matchAll(FENCE)) {
    block++;
    const body = fence[1] ?? '';
    const bodyLine = markdown.slice(0, fence.index).split('\n').length + 1;
    let definitions: readonly DefinitionNode[];
    try {
      definitions = parse(body).definitions;
    } catch (error) {
      throw new Error(`README block ${block} (line ${bodyLine}) does not parse: ${String(error)}`, {
        cause: error,
      });
    }
    const fragments = new Map(
      definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    let previousEnd = 0;
    for (const definition of definitions) {
      const start = definition.loc?.start ?? 0;
      const end = definition.loc?.end ?? body.length;
      const before = body.slice(previousEnd, start);
      previousEnd = end;
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const text = body.slice(start, end);
      const comment = before
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('#'))
        .at(-1);
      operations.push({
        block,
        line: bodyLine + body.slice(0, start).split('\n').length - 1,
        title: [comment?.replace(/^#\s*/, ''), rootFields(definition)].filter(Boolean).join(': '),
        kind: definition.operation,
        query: [
          text,
          ...usedFragments(definition, fragments).map((f) => body.slice(f.loc?.start, f.loc?.end)),
        ].join('\n\n'),
        requiredVariables: (definition.variableDefinitions ?? [])
          .filter((v) => v.type.kind === Kind.NON_NULL_TYPE && v.defaultValue === undefined)
          .map((v) => `$${v.variable.name.value}`),
      });
    }
  }
  return operations;
}

/** The fragments `operation` spreads, directly or through other fragments. */
function usedFragments(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const walk = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !used.has(fragment.name.value)) {
          used.set(fragment.name.value, fragment);
          walk(fragment);
        }
      },
    });
  walk(operation);
  return [...used.values()];
}

/** `customerChanged(email: "…")`, `orderCreated`: the operation's root fields as written. */
function rootFields(operation: OperationDefinitionNode): string {
  return operation.selectionSet.selections
    .map((selection) => {
      if (selection.kind !== Kind.FIELD) return print(selection).split('\n')[0];
      const args = selection.arguments ?? [];
      return args.length > 0
        ? `${selection.name.value}(${args.map(print).join(', ')})`
        : selection.name.value;
    })
    .join(', ');
}
