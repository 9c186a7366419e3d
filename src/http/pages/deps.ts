import type { Context } from '../../app/context.js';
import type { StaffRole } from '../../domain/staff.js';
import type { RouteInfo } from './access.js';
import type { LoginLimiter } from './login-limit.js';
import type { Sessions } from './session.js';
import type { StaticAssets } from './static-assets.js';
import type { Views } from './views.js';

export interface NavLink {
  href: string;
  /** i18n key. */
  label: string;
  access: StaffRole;
}

/** What every page handler needs. */
export interface WebDeps {
  ctx: Context;
  views: Views;
  sessions: Sessions;
  limiter: LoginLimiter;
  assets: StaticAssets;
  nav: NavLink[];
  /** Every page route and who may use it (the role tests walk this list). */
  routes: RouteInfo[];
}
