import { z } from 'zod';
import { ErrorCode, GatewayError } from '../../src/errors.ts';
import type { MutationResolvers } from '../../src/generated/resolvers.ts';
import { sourceIdOf } from '../../src/node-id.ts';
import { runWrite } from '../../src/writes/run-write.ts';
import { parseWriteInput } from '../../src/writes/write-input.ts';
import { TITLE } from './client.ts';
import type { AppClient } from './client.ts';
import type { AppLoaders } from './loaders.ts';
import { APP_PLANS } from './models.ts';
import type { AppUser } from './models.ts';
import { refreshLoader } from '../../src/writes/refresh-loader.ts';

const UpdateUserArgs = z.object({
  input: z
    .object({
      plan: z.enum(APP_PLANS).nullish(),
      company: z.string().trim().max(255, 'must be at most 255 characters').nullish(),
    })
    .refine((i) => i.plan != null || i.company !== undefined, { message: 'give plan or company' }),
});

/** The product's write: a PATCH that sets values, safe to retry; keys are kept by the gateway's store. */
export const appMutations: MutationResolvers = {
  async updateAppUser(_parent, args, ctx) {
    const { input } = parseWriteInput(UpdateUserArgs, { input: args.input });
    const id = sourceIdOf('AppUser', args.id);
    const changes = { plan: input.plan ?? undefined, company: input.company === '' ? null : input.company };
    const user = await runWrite<AppClient, AppLoaders, AppUser>(ctx, {
      source: 'app',
      title: TITLE,
      mutation: 'updateAppUser',
      input: { id, changes },
      idempotencyKey: args.idempotencyKey,
      setsValues: true,
      async write(scope) {
        const updated = await scope.client.updateUser(id, changes, scope.call);
        if (updated === null) {
          throw new GatewayError(
            ErrorCode.UPSTREAM_NOT_FOUND,
            `The product has no user ${JSON.stringify(args.id)}.`,
            {
              source: 'app',
            },
          );
        }
        return updated;
      },
    });
    return refreshLoader(ctx, 'app', (loaders: AppLoaders) => loaders.user, user.user_id, user);
  },
};
