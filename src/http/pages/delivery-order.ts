import type { Delivery } from '../../domain/delivery.js';
import { PLATFORM_IDS } from '../../domain/platform.js';
import type { StoredAccount } from '../../store/accounts.js';

// Every row of deliveries lists its targets in one order: channel accounts in the platform table's order,
// then by account name, then the feed and the newsletter. A row never reshuffles as deliveries finish.

const OTHER_KINDS = ['feed', 'newsletter'];

export type DeliveryOrder = <D extends Pick<Delivery, 'kind' | 'target'>>(deliveries: D[]) => D[];

export function deliveryOrder(accounts: StoredAccount[]): DeliveryOrder {
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const rank = (d: Pick<Delivery, 'kind' | 'target'>): [number, string] => {
    if (d.kind !== 'channel') return [PLATFORM_IDS.length + 1 + OTHER_KINDS.indexOf(d.kind), d.target];
    const account = byId.get(d.target);
    if (!account) return [PLATFORM_IDS.length, d.target];
    return [PLATFORM_IDS.indexOf(account.platform), account.name];
  };
  return (deliveries) =>
    [...deliveries].sort((a, b) => {
      const [ra, na] = rank(a);
      const [rb, nb] = rank(b);
      return ra - rb || na.localeCompare(nb) || a.target.localeCompare(b.target);
    });
}
