// LinkedIn accounts pointed at the LinkedIn fake, for tests that run Herald's real workers.
import type { AccountConfig } from '../../src/domain/platform.js';
import {
  DEFAULT_LINKEDIN_ORGANIZATION,
  type FakeLinkedIn,
  type FakeOrganization,
} from '../fakes/linkedin.js';

export const SECOND_ORGANIZATION: FakeOrganization = { id: '5515715', token: 'AQXfakelinkedintoken0002' };

export function linkedinAccount(
  fake: FakeLinkedIn,
  id: string,
  organization: FakeOrganization = DEFAULT_LINKEDIN_ORGANIZATION,
  extra: Record<string, string> = {},
): AccountConfig {
  return {
    id,
    platform: 'linkedin',
    apiUrl: fake.url,
    credentials: { organizationId: organization.id, accessToken: organization.token, ...extra },
  };
}
