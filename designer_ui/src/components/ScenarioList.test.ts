import { describe, expect, it } from "vitest";
import type { Role, ScenarioSummary, User } from "../api/types";
import { hasRole } from "../lib/roles";
import { buttonTexts, renderToHtml } from "./renderForTest";
import { ScenarioList, ScenarioRowActions } from "./ScenarioList";

const user = (role: Role): User => ({ username: `a-${role}`, role }) as User;
const item: ScenarioSummary = {
  slug: "menu",
  name: "Menu",
  description: "",
  draft_revision: 1,
  updated_at: "2026-01-05T10:00:00Z",
  updated_by: "ana",
  latest_version: null,
};
const noop = () => undefined;
const handlers = { onDuplicate: noop, onDelete: noop, onCallList: noop, onCampaigns: noop };

describe("roles", () => {
  it("each role may do what the roles below it may (viewer < editor < publisher < admin)", () => {
    expect(hasRole("viewer", "editor")).toBe(false);
    expect(hasRole("editor", "editor")).toBe(true);
    expect(hasRole("editor", "publisher")).toBe(false);
    expect(hasRole("admin", "publisher")).toBe(true);
  });
});

describe("the scenario list offers only what the role may do", () => {
  it("a viewer sees neither New scenario nor Import JSON, and is told why", () => {
    const html = renderToHtml(ScenarioList, { user: user("viewer") });
    expect(buttonTexts(html)).not.toContain("New scenario");
    expect(buttonTexts(html)).not.toContain("Import JSON");
    expect(html).not.toContain('data-testid="import-file"');
    expect(html).toContain("Your role can open and export scenarios");
  });

  it("an editor may create and import", () => {
    const html = renderToHtml(ScenarioList, { user: user("editor") });
    expect(buttonTexts(html)).toEqual(expect.arrayContaining(["New scenario", "Import JSON"]));
    expect(html).not.toContain("Your role can open and export scenarios");
  });

  it.each<[Role, string[]]>([
    ["viewer", ["Export"]],
    ["editor", ["Duplicate", "Export"]],
    ["publisher", ["Duplicate", "Export", "Delete"]],
    ["admin", ["Duplicate", "Export", "Delete"]],
  ])("a row's buttons for the %s role: %j", (role, expected) => {
    const html = renderToHtml(ScenarioRowActions, { item, role, ...handlers });
    expect(buttonTexts(html)).toEqual(expected);
  });

  it.each<[Role, boolean]>([
    ["viewer", false],
    ["editor", false],
    ["publisher", true],
    ["admin", true],
  ])("a published scenario offers Call a list… to the %s role: %s", (role, offered) => {
    const published = { ...item, latest_version: 2 };
    const html = renderToHtml(ScenarioRowActions, { item: published, role, ...handlers });
    expect(buttonTexts(html).includes("Call a list…")).toBe(offered);
  });

  it("a scenario never published offers no Call a list…, even to an admin: the calls run the live version", () => {
    const html = renderToHtml(ScenarioRowActions, { item, role: "admin", ...handlers });
    expect(buttonTexts(html)).not.toContain("Call a list…");
  });

  it.each<[Role, string[]]>([
    ["viewer", ["Export", "Campaigns"]],
    ["editor", ["Duplicate", "Export", "Campaigns"]],
    ["publisher", ["Duplicate", "Export", "Call a list…", "Campaigns", "Delete"]],
  ])("a published scenario's campaigns may be followed by every role, the %s too: %j", (role, expected) => {
    const html = renderToHtml(ScenarioRowActions, { item: { ...item, latest_version: 1 }, role, ...handlers });
    expect(buttonTexts(html)).toEqual(expected);
  });

  it("a scenario never published has no campaigns to follow", () => {
    const html = renderToHtml(ScenarioRowActions, { item, role: "admin", ...handlers });
    expect(buttonTexts(html)).not.toContain("Campaigns");
  });
});
