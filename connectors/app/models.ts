import { z } from 'zod';

/**
 * Zod models of the product API's objects (the contract is connectors/app/README.md).
 * Only the fields the gateway uses are required; anything else the product
 * adds later passes through untouched.
 */

/** The product's plans, in upgrade order. */
export const APP_PLANS = ['free', 'starter', 'pro', 'enterprise'] as const;
export const AppPlan = z.enum(APP_PLANS);
export type AppPlan = z.infer<typeof AppPlan>;

const timestamp = z.iso.datetime({ offset: true });

export const AppUser = z.looseObject({
  user_id: z.string().min(1),
  email: z.string().min(1),
  first_name: z.string(),
  last_name: z.string(),
  company: z.string().nullable().default(null),
  plan: AppPlan,
  created_at: timestamp,
  updated_at: timestamp,
  /** Set once the user deleted their account; absent or null while it is active. */
  deleted_at: timestamp.nullable().default(null),
});
export type AppUser = z.infer<typeof AppUser>;

/** `GET /v1/users`: one page and the cursor of the next, null on the last page. */
export const AppUserPage = z.looseObject({
  data: z.array(AppUser),
  next_cursor: z.string().min(1).nullable(),
});
export type AppUserPage = z.infer<typeof AppUserPage>;

/** `POST /v1/users/batch`: the users found, in no particular order. */
export const AppUserBatch = z.looseObject({ data: z.array(AppUser) });

/** The product API's error body. */
export const AppErrorBody = z.looseObject({
  error: z.looseObject({
    code: z.string(),
    message: z.string().optional(),
    param: z.string().optional(),
  }),
});

/** Emails are matched case-insensitively everywhere: this is the one normal form. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
