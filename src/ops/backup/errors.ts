import { HeraldError } from '../../domain/errors.js';
/** A backup or restore that cannot go ahead, in plain words (what is wrong and what to do). */
export class BackupError extends HeraldError {
  constructor(message: string) {
    super(message, { code: 'backup_failed' });
  }
}
