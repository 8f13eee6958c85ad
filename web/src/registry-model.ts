export interface Card {
  description: string;
  description_html: string;
  fields: Record<string, string>;
  fields_html: Record<string, string>;
}

export interface Version {
  id: number;
  model_id: number;
  model_name: string;
  version: number;
  semver: string;
  source: string;
  source_kind: string;
  run_id: string | null;
  logged_model_id: string | null;
  status: string;
  current_stage: string;
  approval_status: 'none' | 'pending' | 'approved' | 'rejected';
  card: Card;
  tags: Record<string, string>;
  labels: string[];
  aliases: string[];
  mlflow_uri: string;
  created_at: number;
}

export interface Model {
  id: number;
  name: string;
  card: Card;
  tags: Record<string, string>;
  labels: string[];
  aliases: { alias: string; version: number }[];
  latest_version: Version | null;
  created_at: number;
  updated_at: number;
}

export interface ApprovalRequest {
  id: number;
  status: string;
  requester: { id: number; username: string | null };
  comment: string;
  required_approvals: number;
  created_at: string;
  decisions: { id: number; decision: 'approve' | 'reject'; approver: { id: number; username: string | null }; comment: string; created_at: string }[];
}
