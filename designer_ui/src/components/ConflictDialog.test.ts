import { describe, expect, it } from "vitest";
import type { ScenarioDetail } from "../api/types";
import type { ScenarioDocument } from "../lib/convert";
import type { EditorConflict } from "../store/editor";
import { ConflictDialog, KeptCopyBanner, conflictAuthor, type AuthorSource } from "./ConflictDialog";
import { renderInLanguage, renderToHtml } from "./renderForTest";

const mine: ScenarioDocument = { format: "ivrgraph.scenario/1", name: "Hotline", nodes: [], edges: [] };
const theirs: ScenarioDocument = { ...mine, name: "Hotline (theirs)" };
const conflict: EditorConflict = { current_revision: 2, scenario_created_at: "2024-05-01T10:00:00Z", document: theirs };

function render(props: { conflict?: EditorConflict; author: string | null }, language: "en" | "es" | "ru" = "en"): string {
  const all = {
    slug: "hotline",
    mine,
    conflict: props.conflict ?? conflict,
    author: props.author,
    me: "ana",
    keepMine: async () => undefined,
    keepTheirs: () => undefined,
  };
  return language === "en" ? renderToHtml(ConflictDialog, all) : renderInLanguage(language, ConflictDialog, all);
}

describe("who the conflict view says saved the other version", () => {
  it("the analyst themselves (another tab, or before reloading): never someone else", () => {
    const html = render({ author: "ana" });
    expect(html).toContain("you, in another tab or before reloading");
    expect(html).not.toMatch(/someone else/i);
  });

  it("another user, by name", () => {
    const html = render({ author: "boris" });
    expect(html).toContain("boris");
    expect(html).not.toMatch(/someone else/i);
  });

  it("someone else, when the server did not say", () => {
    expect(render({ author: null })).toMatch(/someone else/i);
  });

  it("edits kept in this browser before reloading are named so, not as another revision", () => {
    const html = render({ conflict: { ...conflict, kept: true }, author: "ana" });
    expect(html).toContain("before reloading");
    expect(html).not.toMatch(/someone else|Their version/i);
  });

  it.each(["es", "ru"] as const)("is translated (%s)", (language) => {
    const english = [render({ author: "ana" }), render({ author: "boris" }), render({ conflict: { ...conflict, kept: true }, author: "ana" })];
    const translated = [
      render({ author: "ana" }, language),
      render({ author: "boris" }, language),
      render({ conflict: { ...conflict, kept: true }, author: "ana" }, language),
    ];
    translated.forEach((html, i) => {
      expect(html).not.toEqual(english[i]);
      expect(html).not.toMatch(/another tab|before reloading|was saved by/);
    });
  });
});

describe("finding who saved the other version", () => {
  const detail = (revision: number, updatedBy: string, createdAt = "2024-05-01T10:00:00Z") =>
    ({ draft: { revision, updated_by: updatedBy, scenario_created_at: createdAt } }) as ScenarioDetail;
  const source = (found: ScenarioDetail | Error): AuthorSource => ({
    getScenario: async () => {
      if (found instanceof Error) throw found;
      return found;
    },
  });

  it("is the draft's updated_by when the draft is still the revision the conflict named", async () => {
    expect(await conflictAuthor("hotline", conflict, "ana", source(detail(2, "ana")))).toBe("ana");
  });

  it("is unknown when the draft has moved on, belongs to a scenario created again, or cannot be read", async () => {
    expect(await conflictAuthor("hotline", conflict, "ana", source(detail(3, "ana")))).toBeNull();
    expect(await conflictAuthor("hotline", conflict, "ana", source(detail(2, "ana", "2024-06-01T10:00:00Z")))).toBeNull();
    expect(await conflictAuthor("hotline", conflict, "ana", source(new Error("down")))).toBeNull();
    const silent: AuthorSource = { getScenario: () => new Promise(() => undefined) };
    expect(await conflictAuthor("hotline", conflict, "ana", silent, 10)).toBeNull();
  });

  it("is not asked for edits kept in this browser: they are the analyst's own", async () => {
    const asked = { getScenario: async () => Promise.reject(new Error("must not be asked")) } as AuthorSource;
    expect(await conflictAuthor("hotline", { ...conflict, kept: true }, "ana", asked)).toBe("ana");
  });
});

describe("the size of each version", () => {
  const one = {
    ...mine,
    nodes: [{ id: "start", type: "start", version: 1, position: { x: 0, y: 0 }, config: {} }],
    edges: [{ source: "start", exit: "next", target: "start" }],
  } as unknown as ScenarioDocument;

  it("counts blocks and connections with the language's plural", () => {
    const props = { conflict: { ...conflict, document: one }, author: "boris" };
    expect(render(props)).toContain("1 block, 1 connection");
    expect(render(props, "ru")).toContain("1 блок, 1 связь");
    expect(render(props, "es")).toContain("0 bloques, 0 conexiones"); // the analyst's own copy is empty
  });
});

describe("once a conflict is resolved", () => {
  const kept = { slug: "hotline-theirs-20261205193505-k3f9", name: "Hotline (theirs, revision 2, 19:35)" };
  const banner = (version: "theirs" | "mine", language: "en" | "es" | "ru" = "en") => {
    const props = { kept: { ...kept, version }, onClose: () => undefined };
    return language === "en" ? renderToHtml(KeptCopyBanner, props) : renderInLanguage(language, KeptCopyBanner, props);
  };

  it("names the scenario the other version is kept in, with a link to open it", () => {
    const html = banner("theirs");
    expect(html).toContain("Their version is kept as the scenario “Hotline (theirs, revision 2, 19:35)”");
    expect(html).toContain('href="#/s/hotline-theirs-20261205193505-k3f9"');
    expect(banner("mine")).toContain("Yours is kept as the scenario “Hotline (theirs, revision 2, 19:35)”");
  });

  it.each(["es", "ru"] as const)("says so in the interface's language (%s)", (language) => {
    const html = banner("theirs", language);
    expect(html).toContain(kept.name);
    expect(html).not.toMatch(/is kept as|Open it|Dismiss/);
  });
});
