/**
 * One value per account, created on first use and shared by every call after (a session with its clients and
 * cached identity); a creation that fails is forgotten, so the next call tries again.
 */
export function perAccount<T>(create: (accountId: string) => Promise<T>): (accountId: string) => Promise<T> {
  const values = new Map<string, Promise<T>>();
  return (accountId) => {
    let value = values.get(accountId);
    if (!value) {
      value = create(accountId);
      values.set(accountId, value);
      value.catch(() => values.delete(accountId));
    }
    return value;
  };
}
