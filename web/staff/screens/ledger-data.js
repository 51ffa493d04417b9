// Reading a ledger chain page by page (GET /v1/staff/ledger?kind=&after=), for the screens that list
// what the chains record: legal holds, provisions, incidents, and the auditor's chain view.

import { withQuery } from "../ui.js";

const PAGE = 500;
const MOST = 20; // pages: 10,000 entries is more than a screen should show at once

export async function ledgerPage(ctx, kind, after = 0, limit = PAGE) {
  const { body } = await ctx.api("GET", withQuery("/v1/staff/ledger", { kind, after, limit }));
  return body;
}

/** Every entry of one chain, oldest first. */
export async function ledgerEntries(ctx, kind) {
  const entries = [];
  let after = 0;
  for (let page = 0; page < MOST; page += 1) {
    const body = await ledgerPage(ctx, kind, after);
    entries.push(...body.items);
    if (body.next_cursor === null || body.next_cursor === undefined || !body.items.length) break;
    after = body.next_cursor;
  }
  return entries;
}
