/** GitLab's roles and access levels, so that `access_level` values mean the same thing here. */
export const ROLES = ['guest', 'reporter', 'developer', 'maintainer', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export const ACCESS_LEVEL: Record<Role, number> = {
  guest: 10,
  reporter: 20,
  developer: 30,
  maintainer: 40,
  owner: 50,
};

/** Site admins act with every right on every project without being members. */
export const ADMIN_ACCESS_LEVEL = 60;
export const NO_ACCESS = 0;

export function roleOfLevel(level: number): Role | null {
  const found = ROLES.find((role) => ACCESS_LEVEL[role] === level);
  return found ?? null;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
