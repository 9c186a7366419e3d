export type CheckStatus = 'ok' | 'warn' | 'error' | 'skip';

/** One line of `herald doctor`: what was checked, how it went, and what to do when it is not ok. */
export interface CheckResult {
  check: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}

export const ok = (check: string, message: string): CheckResult => ({ check, status: 'ok', message });
export const skip = (check: string, message: string): CheckResult => ({ check, status: 'skip', message });
export const warn = (check: string, message: string, fix: string): CheckResult => ({
  check,
  status: 'warn',
  message,
  fix,
});
export const fail = (check: string, message: string, fix: string): CheckResult => ({
  check,
  status: 'error',
  message,
  fix,
});

/** Runs a check; a check that throws or hangs is an error naming what happened, never a crash of the doctor. */
export async function guarded(
  check: string,
  run: () => Promise<CheckResult | CheckResult[]>,
  timeoutMs = 15_000,
): Promise<CheckResult[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) =>
      (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1_000} s`)), timeoutMs)),
  );
  try {
    const result = await Promise.race([run(), timeout]);
    return Array.isArray(result) ? result : [result];
  } catch (error) {
    return [
      fail(
        check,
        `could not be checked: ${(error as Error).message}`,
        'see the message; run herald doctor again once it is fixed',
      ),
    ];
  } finally {
    clearTimeout(timer);
  }
}
