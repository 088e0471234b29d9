import { badUserInput } from './errors.ts';

/**
 * Global object ids for `Node`: base64url of `<TypeName>:<source id>`. Opaque to
 * clients, unique across sources (HubSpot and Zendesk both number their
 * objects), and decodable without a lookup.
 */
export function toGlobalId(typeName: string, sourceId: string): string {
  return Buffer.from(`${typeName}:${sourceId}`, 'utf8').toString('base64url');
}

/** Decodes a global id, or throws BAD_USER_INPUT. */
export function fromGlobalId(id: string, argument = 'id'): { typeName: string; sourceId: string } {
  const decoded = /^[A-Za-z0-9_-]+$/.test(id) ? Buffer.from(id, 'base64url').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const typeName = decoded.slice(0, colon);
  if (colon < 1 || colon === decoded.length - 1 || !/^[A-Z][A-Za-z0-9]*$/.test(typeName)) {
    throw badUserInput(
      `Argument "${argument}" is not an id this gateway issued: pass the \`id\` of a Node.`,
      {
        argument,
      },
    );
  }
  return { typeName, sourceId: decoded.slice(colon + 1) };
}

/**
 * The source id an id argument names: a global id of `typeName` is decoded;
 * anything else is taken as the source's own id (`in_...`), so both work.
 */
export function sourceIdOf(typeName: string, id: string): string {
  try {
    const decoded = fromGlobalId(id);
    return decoded.typeName === typeName ? decoded.sourceId : id;
  } catch {
    return id;
  }
}
