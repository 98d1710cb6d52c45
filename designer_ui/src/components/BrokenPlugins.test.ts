import { describe, expect, it } from "vitest";
import type { BrokenPlugin } from "../api/client";
import { BrokenPluginsNotice, firstLine, pluginName } from "./BrokenPlugins";
import { renderInLanguage, renderToHtml } from "./renderForTest";

// As GET /api/blocks/broken says them (tests/api/test_broken_blocks_api.py; graph_engine/registry.py names plugins).
const crm: BrokenPlugin = {
  plugin: "acme_crm = acme_crm.blocks:CrmBlock (from acme-crm)",
  reason: "cannot be imported: ModuleNotFoundError: No module named 'acme_vanished'\n  (after an upgrade)",
  type: "acme_crm",
};
const fax: BrokenPlugin = {
  plugin: "acme_fax = acme_fax:FaxBlock",
  reason: "its config schema is not a valid JSON Schema",
  type: "acme_fax",
};

const text = (html: string) => html.replace(/<[^>]+>/g, "");

describe("the broken plugins notice", () => {
  it("says nothing when no plugin is broken", () => {
    expect(renderToHtml(BrokenPluginsNotice, { plugins: [] })).toBe("");
  });

  it("names the plugin by its distribution, with the reason's first line", () => {
    const html = renderToHtml(BrokenPluginsNotice, { plugins: [crm] });
    expect(html).toContain('role="status"');
    expect(html).toContain('aria-label="Broken plugins"');
    expect(text(html)).toContain("1 plugin is broken:");
    expect(text(html)).toContain("acme-crm (cannot be imported: ModuleNotFoundError: No module named &#x27;acme_vanished&#x27;)");
    expect(text(html)).not.toContain("after an upgrade");
    expect(html).toContain("acme_crm = acme_crm.blocks:CrmBlock (from acme-crm)"); // in the tooltip, whole
  });

  it("counts in the language's plural forms and translates its hint", () => {
    const en = text(renderToHtml(BrokenPluginsNotice, { plugins: [crm, fax] }));
    expect(en).toContain("2 plugins are broken:");
    expect(en).toContain("acme_fax = acme_fax:FaxBlock (its config schema is not a valid JSON Schema)");
    expect(en).toContain("An administrator can fix or reinstall the plugin.");
    expect(text(renderInLanguage("es", BrokenPluginsNotice, { plugins: [crm, fax] }))).toContain("2 extensiones no funcionan:");
    const ru = text(renderInLanguage("ru", BrokenPluginsNotice, { plugins: [crm, fax] }));
    expect(ru).toContain("2 плагина не работают:");
    expect(ru).toContain("Администратор может исправить или переустановить плагин.");
    const five = Array.from({ length: 5 }, (_, i) => ({ ...fax, plugin: `${fax.plugin}${i}` }));
    expect(text(renderInLanguage("ru", BrokenPluginsNotice, { plugins: five }))).toContain("5 плагинов не работают:");
  });
});

describe("a broken plugin's words", () => {
  it("a plugin is its distribution when the server knows it, else its entry point", () => {
    expect(pluginName(crm.plugin)).toBe("acme-crm");
    expect(pluginName(fax.plugin)).toBe("acme_fax = acme_fax:FaxBlock");
  });

  it("a reason is its first line", () => {
    expect(firstLine("cannot be imported: X\nTraceback ...")).toBe("cannot be imported: X");
    expect(firstLine("one line")).toBe("one line");
  });
});
