import { isScalar, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { LabFormatError } from './errors.js';

/** A YAML document parsed with positions, so every authoring error can name its line in the lab file. */
export interface YamlBlock {
  readonly root: Node | null;
  /** File line of a node (firstLine is the file line where the YAML text starts). */
  line(node: Node | null | undefined): number;
}

export function parseYaml(text: string, file: string, firstLine: number): YamlBlock {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const line = (node: Node | null | undefined): number => (node?.range ? firstLine + lineCounter.linePos(node.range[0]).line - 1 : firstLine);
  const first = doc.errors[0];
  if (first) {
    const at = firstLine + lineCounter.linePos(first.pos[0]).line - 1;
    // The parser blames the value before a line indented too deep; the line to fix is the deeper one after it.
    if (first.code === 'BLOCK_AS_IMPLICIT_KEY')
      throw new LabFormatError(
        { file, line: at + 1 },
        'this line is indented deeper than the field above it, so it is not valid YAML',
        'Indent every field of a check the same, two spaces under `- kind:`.',
      );
    throw new LabFormatError(
      { file, line: at },
      `this is not valid YAML: ${first.message.split('\n')[0]}`,
      'Check the indentation and quote values that contain ": " or start with a special character.',
    );
  }
  return { root: (doc.contents as Node | null) ?? null, line };
}

export interface Entry {
  readonly key: string;
  readonly value: unknown;
  readonly line: number;
}

/** The entries of a YAML mapping as plain values with the line of each key. */
export function entries(map: YAMLMap, block: YamlBlock): Entry[] {
  return map.items.map((pair) => {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    const valueNode = pair.value as Node | null;
    return { key, value: valueNode && 'toJSON' in valueNode ? valueNode.toJSON() : (valueNode ?? null), line: block.line(keyNode) };
  });
}
