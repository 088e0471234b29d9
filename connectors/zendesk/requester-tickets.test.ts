import DataLoader from 'dataloader';
import { describe, expect, it } from 'vitest';
import type { CursorPage, ZendeskClient } from './client.ts';
import type { TicketListArgs } from './loaders.ts';
import { ZendeskTicket } from './models.ts';
import { requesterTicketsLoader } from './requester-tickets.ts';

const ticket = (id: number, requester: number) =>
  ZendeskTicket.parse({
    id,
    url: `https://acme.zendesk.com/api/v2/tickets/${String(id)}.json`,
    status: 'open',
    requester_id: requester,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  });

function setup(answer: { tickets: ZendeskTicket[]; complete: boolean }) {
  const searches: string[][] = [];
  const listed: TicketListArgs[] = [];
  const client = {
    searchTicketsByRequesters: (ids: readonly string[]) => {
      searches.push([...ids]);
      return Promise.resolve(answer);
    },
  } as unknown as ZendeskClient;
  const lists = new DataLoader<TicketListArgs, CursorPage<ZendeskTicket>, string>(
    (keys) => {
      listed.push(...keys);
      return Promise.resolve(
        keys.map(() => ({ items: [ticket(999, 0)], hasMore: false, afterCursor: 'zendesk-cursor' })),
      );
    },
    { cacheKeyFn: (k) => JSON.stringify(k) },
  );
  const primed: number[] = [];
  const loader = requesterTicketsLoader(client, {}, lists, (t) => primed.push(t.id));
  return { loader, searches, listed, primed };
}

describe('requester tickets, batched', () => {
  it('groups one search’s tickets by requester id, whatever order they come in', async () => {
    const { loader, searches, listed, primed } = setup({
      tickets: [ticket(7, 2), ticket(3, 1), ticket(5, 2), ticket(1, 1), ticket(9, 1)],
      complete: true,
    });
    const [one, two, three] = await Promise.all([
      loader.load({ requesterId: '1', size: 2 }),
      loader.load({ requesterId: '2', size: 2 }),
      loader.load({ requesterId: '3', size: 2 }),
    ]);
    expect(searches).toEqual([['1', '2', '3']]);
    expect(listed).toEqual([]);
    expect(one).toEqual({ items: [ticket(1, 1), ticket(3, 1)], hasMore: true, afterCursor: null });
    expect(two).toEqual({ items: [ticket(5, 2), ticket(7, 2)], hasMore: false, afterCursor: null });
    expect(three).toEqual({ items: [], hasMore: false, afterCursor: null });
    expect(primed.sort((a, b) => a - b)).toEqual([1, 3, 5, 7, 9]);
  });

  it('falls back to each user’s own list when the search was cut short, and for a lone user', async () => {
    const cut = setup({ tickets: [ticket(1, 1)], complete: false });
    const pages = await Promise.all([
      cut.loader.load({ requesterId: '1', size: 2 }),
      cut.loader.load({ requesterId: '2', size: 2, status: 'open' }),
    ]);
    expect(pages.map((p) => p.afterCursor)).toEqual(['zendesk-cursor', 'zendesk-cursor']);
    expect(cut.listed).toEqual([
      { size: 2, status: undefined, requesterId: '1' },
      { size: 2, status: 'open', requesterId: '2' },
    ]);
    const lone = setup({ tickets: [], complete: true });
    await lone.loader.load({ requesterId: '4', size: 5 });
    expect(lone.searches).toEqual([]);
    expect(lone.listed).toEqual([{ size: 5, status: undefined, requesterId: '4' }]);
  });
});
