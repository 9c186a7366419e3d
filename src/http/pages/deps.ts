import type { Context } from '../../app/context.js';
import type { PageReader } from '../../net/link-card.js';
import type { StaffPermission } from '../../domain/permissions.js';
import type { LoginLimiter } from './login-limit.js';
import type { Sessions } from './session.js';
import type { StaticAssets } from './static-assets.js';
import type { Views } from './views.js';

export interface NavLink {
  href: string;
  /** i18n key. */
  label: string;
  /** Shown to those who have it. */
  permission: StaffPermission;
}

/** What every page handler needs. */
export interface WebDeps {
  ctx: Context;
  views: Views;
  sessions: Sessions;
  limiter: LoginLimiter;
  assets: StaticAssets;
  nav: NavLink[];
  /** Reads (and keeps) the pages items link to, for the previews' link cards. */
  pageReader: PageReader;
}
