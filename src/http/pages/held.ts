import type { StoredAccount } from '../../store/accounts.js';
import type { Views } from './views.js';

interface DeliveryLine {
  kind: string;
  targetId: string;
  status: string;
  target: string;
  error: string | null;
  errorKind: string | null;
  nextAttemptAt: string | null;
}

/**
 * A waiting post for an account that needs reconnecting is held, not failing: the page says so in plain
 * words instead of the hold's technical reason (accountHeld in src/domain/account-hold.ts).
 */
export function markHeld<T extends DeliveryLine>(
  views: Views,
  accounts: StoredAccount[],
  lines: T[],
): Array<T & { held: string | null }> {
  const waiting = new Set(accounts.filter((a) => a.state === 'needs_reconnect').map((a) => a.id));
  return lines.map((line) =>
    line.kind === 'channel' && line.status === 'pending' && waiting.has(line.targetId)
      ? {
          ...line,
          error: null,
          errorKind: null,
          nextAttemptAt: null,
          held: views.t('connect.held', { account: line.target }),
        }
      : { ...line, held: null },
  );
}
