/** A backup or restore that cannot go ahead, in plain words (what is wrong and what to do). */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}
