import { describe, expect, it } from "vitest";
import { ExitTrafficLabel, NodeTrafficBadge } from "./FlowStatsCanvas";
import { decodeEntities as decode, renderInLanguage, renderToHtml, visibleText as text } from "./renderForTest";

/** The value of attribute `name` on the markup's first element. */
const attribute = (html: string, name: string) => decode(new RegExp(`${name}="([^"]*)"`).exec(html)?.[1] ?? "");

describe("a block's badge", () => {
  it("says how many calls reached the block and how many hung up there, in words, with a sentence for each number", () => {
    const html = renderToHtml(NodeTrafficBadge, { traffic: { visits: 15, calls: 12, hangups: 3, ended: 5 } });
    expect(text(html)).toBe("12 calls 3 hung up");
    const said = "Reached this block: 12 calls (15 times in all). Hung up here: 3. Ended here: 5 calls.";
    expect(attribute(html, "aria-label")).toBe(said);
    expect(attribute(html, "title")).toBe(said);
    expect(html).not.toContain("no-traffic");
  });

  it("leaves the hang-ups out when nobody hung up there", () => {
    const html = renderToHtml(NodeTrafficBadge, { traffic: { visits: 1, calls: 1, hangups: 0, ended: 0 } });
    expect(text(html)).toBe("1 call");
    expect(html).not.toContain("flow-stats-hangups");
    expect(attribute(html, "aria-label")).toBe("Reached this block: 1 call (1 time in all).");
  });

  it("shows a block no call reached as 0, faintly, and says so", () => {
    const html = renderToHtml(NodeTrafficBadge, { traffic: { visits: 0, calls: 0, hangups: 0, ended: 0 } });
    expect(text(html)).toBe("0 calls");
    expect(html).toContain("flow-stats-badge no-traffic");
    expect(attribute(html, "aria-label")).toBe("No call reached this block in this range.");
  });

  it("counts in the language's plural forms", () => {
    const traffic = { visits: 22, calls: 21, hangups: 2, ended: 5 };
    expect(text(renderInLanguage("ru", NodeTrafficBadge, { traffic }))).toBe("21 звонок 2 положили трубку");
    expect(attribute(renderInLanguage("ru", NodeTrafficBadge, { traffic }), "aria-label")).toBe(
      "Дошло до этого блока: 21 звонок (22 раза всего). Положили трубку здесь: 2. Закончилось здесь: 5 звонков.",
    );
    expect(text(renderInLanguage("es", NodeTrafficBadge, { traffic: { ...traffic, hangups: 1 } }))).toBe("21 llamadas 1 colgó");
  });
});

describe("an exit's label", () => {
  const at = { x: 100, y: 40, edgeId: "menu:1" };

  it("says the times taken and the share of the block's ways out, and what they mean", () => {
    const html = renderToHtml(ExitTrafficLabel, { traffic: { visits: 7, calls: 5, share: 7 / 21 }, ...at });
    expect(text(html)).toBe("7 · 33%");
    expect(attribute(html, "aria-label")).toBe("Taken 7 times by 5 calls: 33% of the ways out of this block");
    expect(attribute(html, "data-edge")).toBe("menu:1");
  });

  it("sits just right of the exit's handle, on its row", () => {
    const html = renderToHtml(ExitTrafficLabel, { traffic: { visits: 1, calls: 1, share: 1 }, ...at });
    expect(attribute(html, "style")).toContain("translate(106px, 40px) translateY(-50%)");
  });

  it("shows an exit no call took as 0, faintly, and says so", () => {
    const html = renderToHtml(ExitTrafficLabel, { traffic: { visits: 0, calls: 0, share: null }, ...at });
    expect(text(html)).toBe("0");
    expect(html).toContain("no-traffic");
    expect(attribute(html, "title")).toBe("No call took this exit in this range.");
  });

  it("writes big numbers grouped as the language does, and a tiny share as <1%", () => {
    const html = renderInLanguage("en", ExitTrafficLabel, { traffic: { visits: 1234, calls: 1000, share: 0.003 }, ...at });
    expect(text(html)).toBe("1,234 · <1%");
  });
});
