import { Type, type Static } from 'typebox';

/**
 * A project's Google Cloud integration (src/integrations/google/integration-routes.ts): what
 * `GET …/integrations/google-cloud` answers and `PUT` takes. The key itself is never answered.
 */
export const GoogleCloudIntegrationView = Type.Object({
  active: Type.Boolean(),
  service_account: Type.Union([Type.String(), Type.Null()], { description: "The key's service account (client_email); the key itself is never returned" }),
  google_project: Type.Union([Type.String(), Type.Null()], { description: "The key's project_id" }),
  updated_at: Type.Union([Type.String(), Type.Null()]),
});
export type GoogleCloudIntegrationView = Static<typeof GoogleCloudIntegrationView>;

export const SetGoogleCloudIntegrationBody = Type.Object(
  { service_account_key: Type.String({ minLength: 2, maxLength: 65_536, description: "A service account's JSON key file; stored sealed, never returned" }) },
  { additionalProperties: false },
);
export type SetGoogleCloudIntegrationBody = Static<typeof SetGoogleCloudIntegrationBody>;
