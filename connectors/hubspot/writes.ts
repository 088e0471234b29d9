import { z } from 'zod';
import type { GatewayContext } from '../../src/context.ts';
import { ErrorCode, GatewayError } from '../../src/errors.ts';
import type { MutationResolvers } from '../../src/generated/resolvers.ts';
import { sourceIdOf } from '../../src/node-id.ts';
import { runWrite } from '../../src/writes/run-write.ts';
import { parseWriteInput } from '../../src/writes/write-input.ts';
import type { HubSpotClient } from './client.ts';
import type { HubSpotLoaders } from './loaders.ts';
import type { HubSpotContact, HubSpotNote } from './models.ts';
import { refreshLoader } from '../../src/writes/refresh-loader.ts';

const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`).nullish();

/** The named fields of `UpdateCrmContactInput`, by HubSpot property. */
const NAMED = {
  email: 'email',
  firstName: 'firstname',
  lastName: 'lastname',
  phone: 'phone',
  jobTitle: 'jobtitle',
  lifecycleStage: 'lifecyclestage',
} as const;

const UpdateContactArgs = z.object({
  input: z
    .object({
      email: z.union([z.string().trim().pipe(z.email('must be an email address')), z.null()]).optional(),
      firstName: text(255),
      lastName: text(255),
      phone: text(64),
      jobTitle: text(255),
      lifecycleStage: z
        .string()
        .regex(/^[a-z]+$/, 'must be a lifecycle stage in HubSpot spelling (`lead`, `customer`...)')
        .nullish(),
      properties: z
        .record(
          z.string(),
          z.union([
            z.string().max(65_536, 'must be at most 65536 characters'),
            z.number(),
            z.boolean(),
            z.null(),
          ]),
        )
        .superRefine((properties, ctx) => {
          for (const name of Object.keys(properties)) {
            if (!/^[a-z0-9_]{1,100}$/.test(name)) {
              ctx.addIssue({
                code: 'custom',
                path: [name],
                message: 'is not a HubSpot internal property name',
              });
            } else if ((Object.values(NAMED) as string[]).includes(name)) {
              ctx.addIssue({
                code: 'custom',
                path: [name],
                message: 'has its own field in the input: set it there',
              });
            }
          }
        })
        .nullish(),
    })
    .refine((i) => Object.values(i as Record<string, unknown>).some((v) => v !== undefined), {
      message: 'give at least one property to change',
    }),
});

const NoteArgs = z.object({
  contactId: z.string(),
  body: z.string().trim().min(1, 'must not be empty').max(65_536, 'must be at most 65536 characters'),
});

const notFound = (what: string, id: string) =>
  new GatewayError(ErrorCode.UPSTREAM_NOT_FOUND, `HubSpot has no ${what} ${JSON.stringify(id)}.`, {
    source: 'hubspot',
  });

/** HubSpot's writes: a PATCH sets values (safe to retry); notes are creates, so the gateway's store keeps keys. */
export const hubspotMutations: MutationResolvers = {
  async updateCrmContact(_parent, args, ctx) {
    const { input } = parseWriteInput(UpdateContactArgs, { input: args.input });
    const id = sourceIdOf('CrmContact', args.id);
    const properties: Record<string, string> = {};
    for (const [field, name] of Object.entries(NAMED)) {
      const value = input[field as keyof typeof NAMED];
      if (value !== undefined) properties[name] = value ?? '';
    }
    for (const [name, value] of Object.entries(input.properties ?? {})) {
      properties[name] = value === null ? '' : String(value);
    }
    const contact = await runWrite<HubSpotClient, HubSpotLoaders, HubSpotContact>(ctx, {
      source: 'hubspot',
      title: 'HubSpot',
      mutation: 'updateCrmContact',
      input: { id, properties },
      idempotencyKey: args.idempotencyKey,
      setsValues: true,
      async write(scope) {
        const updated = await scope.client.updateContact(id, properties, scope.call);
        if (updated === null) throw notFound('contact', args.id);
        return updated;
      },
    });
    return refreshLoader(ctx, 'hubspot', (loaders: HubSpotLoaders) => loaders.contact, contact.id, contact);
  },
  async createCrmNote(_parent, args, ctx) {
    const { body } = parseWriteInput(NoteArgs, { contactId: args.contactId, body: args.body });
    const contactId = sourceIdOf('CrmContact', args.contactId);
    return runWrite<HubSpotClient, HubSpotLoaders, HubSpotNote>(ctx, {
      source: 'hubspot',
      title: 'HubSpot',
      mutation: 'createCrmNote',
      input: { contactId, body },
      idempotencyKey: args.idempotencyKey,
      write: (scope) => scope.client.createNote(contactId, body, new Date(), scope.call),
    });
  },
};

/** Fields of `CrmNote`. */
export function noteContact(note: HubSpotNote, ctx: GatewayContext): Promise<HubSpotContact | null> | null {
  return note.contactId === null
    ? null
    : ctx.source<HubSpotClient, HubSpotLoaders>('hubspot').loaders.contact.load(note.contactId);
}
