import { describe, expect, it } from "vitest";
import { PublishDialog } from "./PublishDialog";
import { renderInLanguage, renderToHtml } from "./renderForTest";

const props = {
  slug: "debt-reminder",
  name: "Debt reminder",
  beforePublish: async () => null,
  onConflict: () => undefined,
  onClose: () => undefined,
};
const warning = (html: string) => /<p class="publish-untested" role="note"[^>]*>([^<]*)<\/p>/.exec(html)?.[1];

describe("publishing a scenario that has no tests", () => {
  it("warns before publishing that nothing checks its calls, and does not block it", () => {
    const html = renderToHtml(PublishDialog, { ...props, untested: true });
    expect(warning(html)).toMatch(/^This scenario has no tests: nothing checks what its calls do before they go live\. You can still publish/);
    expect(html).toMatch(/<button type="submit" class="primary">Publish<\/button>/);
  });

  it("warns in Spanish and Russian", () => {
    expect(warning(renderInLanguage("es", PublishDialog, { ...props, untested: true }))).toMatch(/^Este escenario no tiene pruebas/);
    expect(warning(renderInLanguage("ru", PublishDialog, { ...props, untested: true }))).toMatch(/^У этого сценария нет тестов/);
  });

  it("says nothing of tests when the scenario has some", () => {
    expect(renderToHtml(PublishDialog, { ...props, untested: false })).not.toContain("publish-untested");
    expect(renderToHtml(PublishDialog, props)).not.toContain("publish-untested");
  });
});
