// The orders of a tenant for a month, as the warehouse would page them out: a readable stream of
// order rows, produced a page at a time so a big tenant never sits in memory whole. Here the
// orders are generated, deterministically, from the tenant's name.
import { Readable } from 'node:stream';

const PAGE_SIZE = 100;
const products = ['EMB-3', 'RED-1', 'HOOK-9', 'LAMP-2', 'DESK-7', 'CHAIR-4'];

function tenantSeed(tenant) {
  let seed = 17;
  for (const char of tenant) seed = (seed * 31 + char.charCodeAt(0)) % 2147483647;
  return seed;
}

/** How many orders `tenant` placed in a month (the ones named `big-…` place thousands). */
function orderCount(tenant) {
  return tenant.startsWith('big-') ? 3000 : 20 + (tenantSeed(tenant) % 40);
}

/** A readable stream of `{ id, placedAt, sku, qty, total }` for `tenant` in `month` (YYYY-MM). */
function orderRows(tenant, month) {
  const count = orderCount(tenant);
  const seed = tenantSeed(tenant);
  const start = Date.parse(`${month}-01T00:00:00Z`);
  let next = 0;
  return new Readable({
    objectMode: true,
    read() {
      // One page per read, on a later turn, as a database cursor would deliver it.
      setImmediate(() => {
        const end = Math.min(next + PAGE_SIZE, count);
        for (; next < end; next++) {
          const qty = 1 + ((seed + next) % 4);
          this.push({
            id: `${tenant}-${month}-${String(next).padStart(5, '0')}`,
            placedAt: new Date(start + next * 60_000).toISOString(),
            sku: products[(seed + next) % products.length],
            qty,
            total: qty * (5 + ((seed * (next + 1)) % 200)),
          });
        }
        if (next >= count) this.push(null);
      });
    },
  });
}

export { orderRows, orderCount };
