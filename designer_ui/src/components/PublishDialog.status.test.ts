// Finding (accessibility review, WCAG 4.1.3): "Published version 3." came in a role="status" paragraph inserted
// already filled with the result, which screen readers often do not read. The region is in the dialog from the
// start, empty, and only what is in it changes; the result follows it.
import { describe, expect, it } from "vitest";
import { PublishDialog } from "./PublishDialog";
import { renderToHtml } from "./renderForTest";

const props = {
  slug: "debt-reminder",
  name: "Debt reminder",
  beforePublish: async () => null,
  onConflict: () => undefined,
  onClose: () => undefined,
};

describe("what a publish did, said to a screen reader", () => {
  it("is a live region in the dialog before anything is published, empty", () => {
    const html = renderToHtml(PublishDialog, props);
    expect(html).toContain('<div role="status" data-testid="publish-status"></div>');
    expect(html).not.toContain("publish-result");
    expect(html.match(/role="status"/g)).toHaveLength(1);
  });

  it("and the Publish button is one that keeps the focus while it publishes", () => {
    expect(renderToHtml(PublishDialog, props)).toMatch(/<button type="submit" class="primary">Publish<\/button>/);
  });
});
