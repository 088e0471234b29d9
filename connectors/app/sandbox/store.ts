/**
 * The emulator's users and the product API's read semantics over them:
 * newest-first listing with opaque keyset cursors, email lookup, batch reads.
 */
import type { AppPlan } from '../models.ts';

/** A user as the product API shows it (`deleted_at` only on deleted users). */
export interface UserObject {
  user_id: string;
  email: string;
  first_name: string;
  last_name: string;
  company: string | null;
  plan: AppPlan;
  created_at: string;
  updated_at: string;
  deleted_at?: string;
}

/** An API error, rendered by the routes as `{ error: { code, message, param? } }`. */
export class AppApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly param: string | undefined;

  constructor(status: number, code: string, message: string, param?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.param = param;
  }

  get body(): { error: { code: string; message: string; param?: string } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.param === undefined ? {} : { param: this.param }),
      },
    };
  }
}

/** 400 `invalid_request` naming the parameter. */
export function invalidRequest(param: string, message: string): AppApiError {
  return new AppApiError(400, 'invalid_request', message, param);
}

/** `2026-06-20T19:08:41Z`: the API's timestamps, to the second. */
export function isoSeconds(unix: number): string {
  return new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const unixOf = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/** Newest first; ties by id, descending, so the order is total and a cursor is a position. */
function compareDesc(a: UserObject, b: UserObject): number {
  const byTime = unixOf(b.created_at) - unixOf(a.created_at);
  if (byTime !== 0) return byTime;
  return a.user_id < b.user_id ? 1 : a.user_id > b.user_id ? -1 : 0;
}

/** The position after `user` in list order, opaque to clients. */
export function encodeListCursor(user: UserObject): string {
  return Buffer.from(`u1:${unixOf(user.created_at)}:${user.user_id}`, 'utf8').toString('base64url');
}

function decodeListCursor(cursor: string): { createdAt: number; userId: string } {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^u1:(\d+):(usr_\w+)$/.exec(decoded);
  if (match === null) {
    throw invalidRequest('cursor', 'cursor is not a next_cursor this API returned.');
  }
  return { createdAt: Number(match[1]), userId: match[2] ?? '' };
}

/** Every user the product has, active and deleted. */
export class UserStore {
  readonly byId = new Map<string, UserObject>();
  /** World person id → user id. */
  readonly userOfPerson = new Map<string, string>();
  private sorted: UserObject[] | undefined;

  put(user: UserObject, personId?: string): void {
    if (!this.byId.has(user.user_id)) this.sorted = undefined;
    this.byId.set(user.user_id, user);
    if (personId !== undefined) this.userOfPerson.set(personId, user.user_id);
  }

  get(id: string): UserObject | undefined {
    return this.byId.get(id);
  }

  /** The active user of a world person, if they have one. */
  activeOf(personId: string): UserObject | undefined {
    const user = this.byId.get(this.userOfPerson.get(personId) ?? '');
    return user?.deleted_at === undefined ? user : undefined;
  }

  /** Every user, newest first. */
  all(): readonly UserObject[] {
    this.sorted ??= [...this.byId.values()].sort(compareDesc);
    return this.sorted;
  }

  /** The active user with this email, case-insensitively. */
  activeByEmail(email: string): UserObject | undefined {
    const wanted = email.trim().toLowerCase();
    return this.all().find((u) => u.deleted_at === undefined && u.email.toLowerCase() === wanted);
  }

  /** `GET /v1/users`: active users, newest first, `limit` after `cursor`. */
  list(limit: number, cursor: string | undefined, email: string | undefined) {
    const after = cursor === undefined ? undefined : decodeListCursor(cursor);
    const wanted = email?.trim().toLowerCase();
    const data: UserObject[] = [];
    let more = false;
    for (const user of this.all()) {
      if (user.deleted_at !== undefined) continue;
      if (wanted !== undefined && user.email.toLowerCase() !== wanted) continue;
      if (after !== undefined) {
        const t = unixOf(user.created_at);
        if (t > after.createdAt || (t === after.createdAt && user.user_id >= after.userId)) continue;
      }
      if (data.length === limit) {
        more = true;
        break;
      }
      data.push(user);
    }
    const last = data.at(-1);
    return { data, next_cursor: more && last !== undefined ? encodeListCursor(last) : null };
  }
}
