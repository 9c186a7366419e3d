import { randomUUID } from 'node:crypto';

// Prefixed UUIDs: readable in logs, valid as BullMQ job ids (no ':' and never all digits).
export const newId = (prefix: 'itm' | 'dlv' | 'out' | 'nl' | 'ctc' | 'aut' | 'usr' | 'src' | 'med'): string =>
  `${prefix}_${randomUUID().replaceAll('-', '')}`;
