import { randomBytes, randomUUID } from 'node:crypto';

// Prefixed UUIDs: readable in logs, valid as BullMQ job ids (no ':' and never all digits).
export const newId = (prefix: 'itm' | 'dlv' | 'out' | 'nl' | 'ctc' | 'aut' | 'usr' | 'src' | 'med'): string =>
  `${prefix}_${randomUUID().replaceAll('-', '')}`;

/** Identifies one schedule of an item or a newsletter; a job carrying an older token does nothing. */
export const newScheduleToken = (): string => randomBytes(6).toString('hex');
