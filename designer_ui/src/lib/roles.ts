/**
 * What a role may do, as the API decides it (persistence/users.py `Role`, api/deps.py): each role may do
 * everything the roles below it may. The designer hides what the server would refuse, so nobody fills a form
 * or confirms a dialog only to read "this needs the editor role".
 */
import type { Role } from "../api/types";

const RANK: Record<Role, number> = { viewer: 1, editor: 2, publisher: 3, admin: 4 };

export function hasRole(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/**
 * The role each scenario action needs (the route dependencies in api/routes/scenarios.py; calling a list is
 * api/routes/callbacks.py, publisher as for a single callback: each row is a real call). Anyone may follow the
 * campaigns; stopping one is the publisher's, as starting it is. The data sources the SQL block's form suggests
 * are listed to an admin only (api/routes/datasources.py: their addresses are the admin's business).
 */
export const SCENARIO_ACTION_ROLE = {
  create: "editor",
  import: "editor",
  duplicate: "editor",
  edit: "editor",
  delete: "publisher",
  publish: "publisher",
  rollBack: "publisher",
  callList: "publisher",
  campaigns: "viewer",
  stopCampaign: "publisher",
  listDataSources: "admin",
} as const satisfies Record<string, Role>;

export type ScenarioAction = keyof typeof SCENARIO_ACTION_ROLE;

export function may(role: Role, action: ScenarioAction): boolean {
  return hasRole(role, SCENARIO_ACTION_ROLE[action]);
}
