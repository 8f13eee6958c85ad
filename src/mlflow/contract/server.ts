import { Type, type Static } from 'typebox';
import { RequestMessage, ResponseMessage } from './message-spec.ts';

/** MLflow 3's server-info, which the client reads before it chooses multipart uploads. */
export const GetServerInfo = RequestMessage('GetServerInfo', {});
export const GetServerInfo_Response = ResponseMessage('GetServerInfo_Response', {
  store_type: Type.String(),
  workspaces_enabled: Type.Boolean(),
  trace_archival_enabled: Type.Boolean(),
  multipart_uploads_enabled: Type.Boolean(),
  multipart_downloads_enabled: Type.Boolean(),
});
export type GetServerInfo_Response = Static<typeof GetServerInfo_Response>;
