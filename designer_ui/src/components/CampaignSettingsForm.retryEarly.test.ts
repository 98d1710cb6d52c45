import { describe, expect, it } from "vitest";
import { batchBody, defaultCampaign } from "../lib/callList";
import { translator, type Language } from "../lib/i18n";
import { jobOutcomeText } from "./CallbacksPage";
import { CampaignSettingsFields } from "./CampaignSettingsForm";
import { renderInLanguage } from "./renderForTest";

// The campaign's opt-in "call again a client who hangs up before the message ends" (`retry_hung_up_early`): a
// checkbox among the dialog's options, off by default, sent as ticked; and the job history's word for it.
const settings = defaultCampaign(new Date("2026-03-02T10:00:00Z"), "Europe/Madrid");
const checkbox = (html: string) => html.match(/<input[^>]*name="retry-hung-up-early"[^>]*>/)?.[0];

describe("calling again a client who hung up early", () => {
  for (const [language, label] of [
    ["en", "Call again a client who hangs up before the message ends"],
    ["es", "Volver a llamar a quien cuelga antes de que acabe el mensaje"],
    ["ru", "Перезвонить клиенту, который положил трубку до конца сообщения"],
  ] as const) {
    it(`is a checkbox with its hint in ${language}, off by default`, () => {
      const html = renderInLanguage(language as Language, CampaignSettingsFields, { settings, onChange: () => undefined });
      const input = checkbox(html)!;
      expect(input).toContain('type="checkbox"');
      expect(input).not.toContain("checked");
      expect(html).toContain(label);
      const hint = input.match(/aria-describedby="([^"]+)"/)![1];
      expect(html).toMatch(new RegExp(`<p class="hint" id="${hint}">[^<]+</p>`));
    });
  }

  it("ticked, is shown ticked and sent true; unticked, false", () => {
    const ticked = { ...settings, retryHungUpEarly: true };
    expect(checkbox(renderInLanguage("en", CampaignSettingsFields, { settings: ticked, onChange: () => undefined }))).toContain("checked");
    const args = { scenario: "deudas", name: "", rows: [{ phone: "600111222" }], numberColumn: "phone", dryRun: false };
    expect(batchBody({ ...args, settings: ticked }).retry_hung_up_early).toBe(true);
    expect(batchBody({ ...args, settings }).retry_hung_up_early).toBe(false);
  });

  it("is worded in the job history", () => {
    expect(jobOutcomeText(translator("en"), "hung_up_early")).toBe("hung up before the message ended");
    expect(jobOutcomeText(translator("es"), "hung_up_early")).toBe("colgó antes de que acabara el mensaje");
    expect(jobOutcomeText(translator("ru"), "hung_up_early")).toBe("положил трубку до конца сообщения");
  });
});
