import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { checkUrl, ForbiddenDestinationError } from './address-guard.ts';
import { secretProblem } from './signer.ts';

const list = z.array(z.string().trim().min(1).max(200)).max(100).optional();

/** One endpoint as OUTBOUND_ENDPOINTS_FILE declares it. */
const FileEndpoint = z.strictObject({
  /** Stable id of your choosing (letters, digits, `_`, `-`), kept across restarts. */
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, _ or -'),
  url: z.string().min(1).max(2048),
  description: z.string().max(500).optional(),
  filter: z.strictObject({ sources: list, types: list, emails: list }).optional(),
  secret: z.string().superRefine((secret, ctx) => {
    const problem = secretProblem(secret);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  }),
  enabled: z.boolean().optional(),
});
export type FileEndpoint = z.infer<typeof FileEndpoint>;

const EndpointsFile = z
  .strictObject({ endpoints: z.array(FileEndpoint).max(1000) })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.endpoints.forEach((endpoint, i) => {
      if (seen.has(endpoint.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['endpoints', i, 'id'],
          message: `"${endpoint.id}" is declared twice`,
        });
      }
      seen.add(endpoint.id);
    });
  });

/** The file's path and the endpoints it declares. */
export interface EndpointsFileSetting {
  path: string;
  endpoints: FileEndpoint[];
}

/**
 * `OUTBOUND_ENDPOINTS_FILE`: a JSON file `{"endpoints":[{"id","url","secret","description"?,"filter"?,"enabled"?}]}`,
 * read and validated at start-up; every problem names its place in the file.
 */
export const endpointsFileSetting = z
  .string()
  .trim()
  .optional()
  .transform((path, ctx): EndpointsFileSetting | undefined => {
    if (path === undefined || path === '') return undefined;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      });
      return z.NEVER;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `${path} is not JSON: ${(error as Error).message}` });
      return z.NEVER;
    }
    const parsed = EndpointsFile.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`,
      );
      ctx.addIssue({
        code: 'custom',
        message: `${path} is not a valid endpoints file: ${problems.join('; ')}`,
      });
      return z.NEVER;
    }
    return { path, endpoints: parsed.data.endpoints };
  });

/** Problems between the file and the rest of the configuration: a URL no delivery could reach, a source that does not exist. */
export function endpointsFileProblems(
  setting: EndpointsFileSetting | undefined,
  allowPrivate: boolean,
  sources: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const endpoint of setting?.endpoints ?? []) {
    const unknown = (endpoint.filter?.sources ?? []).filter((s) => !sources.includes(s));
    if (unknown.length > 0) {
      problems.push(
        `OUTBOUND_ENDPOINTS_FILE (${setting?.path}): endpoint "${endpoint.id}": filter.sources names no source of this gateway: ${unknown.map((s) => JSON.stringify(s)).join(', ')}. Fix: use one of ${sources.join(', ')}.`,
      );
    }
    try {
      checkUrl(endpoint.url, allowPrivate);
    } catch (error) {
      if (!(error instanceof ForbiddenDestinationError)) throw error;
      problems.push(
        `OUTBOUND_ENDPOINTS_FILE (${setting?.path}): endpoint "${endpoint.id}": ${error.message} Fix: correct its url in the file.`,
      );
    }
  }
  return problems;
}
