/**
 * pg_dump and pg_restore take the database URL without its password, which goes in PGPASSWORD:
 * a command line is visible to every user of the machine (ps), the environment is not.
 */
export function postgresClientArgs(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (password !== '') env.PGPASSWORD = password;
  return { dbname: parsed.toString(), env };
}
