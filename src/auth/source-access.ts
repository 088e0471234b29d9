import { ErrorCode, GatewayError } from '../errors.ts';
import type { Source } from '../sources.ts';
import type { Principal } from './principal.ts';
import { readScopeOf, writeScopeOf } from './scopes.ts';
import type { Scope } from './scopes.ts';

/**
 * Which scope reading each source needs: the domain its connector declares
 * for the unified `Customer` (`billing`, `crm`, ...). The gateway never names
 * a SaaS; a source that declares no domain can only be read with `admin`.
 */
export class SourceAccess {
  readonly #needs: ReadonlyMap<string, Scope>;
  readonly #writeNeeds: ReadonlyMap<string, Scope>;

  constructor(sources: readonly Pick<Source, 'name' | 'connector'>[]) {
    this.#needs = new Map(
      sources.map((s) => [s.name, s.connector.customer ? readScopeOf(s.connector.customer.domain) : 'admin']),
    );
    this.#writeNeeds = new Map(
      sources.map((s) => [
        s.name,
        s.connector.customer ? writeScopeOf(s.connector.customer.domain) : 'admin',
      ]),
    );
  }

  /** The scope writing to `source` needs (`<domain>:write`; `admin` for a source with no domain). */
  writeScopeOf(source: string): Scope {
    return this.#writeNeeds.get(source) ?? 'admin';
  }

  mayWrite(principal: Principal, source: string): boolean {
    return principal.scopes.has(this.writeScopeOf(source));
  }

  /** The FORBIDDEN error of a mutation of `source` that `principal` may not make. */
  forbiddenWrite(source: string): GatewayError {
    const scope = this.writeScopeOf(source);
    return new GatewayError(
      ErrorCode.FORBIDDEN,
      `Your credentials may not write to source "${source}": that needs the "${scope}" scope.`,
      { source, details: { scope } },
    );
  }

  /** The scope reading `source` needs. */
  scopeOf(source: string): Scope {
    return this.#needs.get(source) ?? 'admin';
  }

  mayRead(principal: Principal, source: string): boolean {
    return principal.scopes.has(this.scopeOf(source));
  }

  /** Every source `principal` may read. */
  readable(principal: Principal): string[] {
    return [...this.#needs.keys()].filter((source) => this.mayRead(principal, source));
  }

  /** The FORBIDDEN error of a field served by `source` that `principal` may not read. */
  forbidden(source: string): GatewayError {
    const scope = this.scopeOf(source);
    return new GatewayError(
      ErrorCode.FORBIDDEN,
      `Your credentials may not read source "${source}": that needs the "${scope}" scope.`,
      { source, details: { scope } },
    );
  }
}
