import { Authenticator } from '../auth/authenticate.ts';
import { ProjectAccessTokensService } from '../auth/project-tokens-service.ts';
import { SessionsService } from '../auth/sessions-service.ts';
import { TokensService } from '../auth/tokens-service.ts';
import { UsersService } from '../auth/users-service.ts';
import type { Database } from '../db/database.ts';
import { MembersService } from '../projects/members-service.ts';
import { ProjectsService } from '../projects/projects-service.ts';
import type { Config } from './config.ts';
import { ExperimentsService } from '../tracking/experiments-service.ts';
import { LoggedModelsService } from '../tracking/logged-models-service.ts';
import { MetricsService } from '../tracking/metrics-service.ts';
import { RunsService } from '../tracking/runs-service.ts';
import { deleteMetricsOfProject } from '../tracking/metrics/metric-writer.ts';

/** Every domain service, wired once; routes and the CLI take what they need from here. */
export interface Services {
  config: Config;
  database: Database;
  users: UsersService;
  tokens: TokensService;
  sessions: SessionsService;
  authenticator: Authenticator;
  projects: ProjectsService;
  members: MembersService;
  projectTokens: ProjectAccessTokensService;
  experiments: ExperimentsService;
  runs: RunsService;
  metrics: MetricsService;
  loggedModels: LoggedModelsService;
}

export function createServices(config: Config, database: Database): Services {
  const db = database.db;
  const users = new UsersService(db);
  const tokens = new TokensService(db);
  const sessions = new SessionsService(db);
  const projects = new ProjectsService(db, config.publicUrl);
  const members = new MembersService(db, users);
  const experiments = new ExperimentsService(db);
  const runs = new RunsService(db, experiments);
  projects.onDelete(deleteMetricsOfProject);
  return {
    config,
    database,
    users,
    tokens,
    sessions,
    authenticator: new Authenticator(db, users, tokens, sessions),
    projects,
    members,
    projectTokens: new ProjectAccessTokensService(db, users, members, tokens),
    experiments,
    runs,
    metrics: new MetricsService(db, database.dialect, runs),
    loggedModels: new LoggedModelsService(db, experiments, runs),
  };
}
