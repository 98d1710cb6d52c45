/** The block forms' titled choices, fields shown by mode, period hints and the audio upload (lib/formShape.ts). */
import { describe, expect, it } from "vitest";
import type { AudioAsset } from "../api/client";
import catalogJson from "../lib/fixtures/catalog.json";
import type { BlockSpec } from "../lib/catalog";
import { BlockConfigForm } from "./BlockPanel";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import type { FormContext } from "./widgets";

const spec = (type: string) => (catalogJson as unknown as BlockSpec[]).find((b) => b.type === type)!;
const context: FormContext = { variables: [], nodes: [], scenarios: [], audio: [], dataSources: [], language: "en" };
const upload = async (): Promise<AudioAsset> => ({ name: "assets/x", title: "x", url: "" });
const form = (type: string, config: Record<string, unknown>, formContext: FormContext = context, language: "en" | "es" | "ru" = "en") => {
  const props = { nodeId: type, spec: spec(type), config, formContext, readOnly: false, onChange: () => undefined };
  return language === "en" ? renderToHtml(BlockConfigForm, props) : renderInLanguage(language, BlockConfigForm, props);
};
/** The titles above the choices' selectors, with a "*" when the choice is required. */
const choiceTitles = (html: string) =>
  [...html.matchAll(/<div class="choice-field"><label class="control-label" for="[^"]*">(.*?)<\/label>/g)].map((m) =>
    m[1]!.replace(/<span class="required">\*<\/span>/, "*"),
  );
const options = (html: string, id: string) => {
  const select = new RegExp(`<select id="${id}"[^>]*>(.*?)</select>`, "s").exec(html)?.[1] ?? "";
  return [...select.matchAll(/<option[^>]*>([^<]*)<\/option>/g)].map((m) => m[1]);
};
/** The labels of the fields drawn (hidden ones draw none). */
const shownLabels = (html: string) => [...html.matchAll(/<label class="control-label" for="([^"]*)">/g)].map((m) => m[1]);
const ivrMenu = { prompt: { audio: "menu" }, options: [{ key: "1" }] };

describe("a choice of prompt (recorded audio or spoken text)", () => {
  it("is titled with its field's title above its selector, each prompt of the IVR its own", () => {
    expect(choiceTitles(form("ivr", ivrMenu))).toEqual(["Prompt*", "When nothing is pressed", "When the entry is invalid"]);
    expect(choiceTitles(form("ivr", ivrMenu, context, "ru"))).toEqual(["Сообщение*", "Если ничего не нажато", "Если ввод неверен"]);
    expect(choiceTitles(form("ivr", ivrMenu, context, "es"))).toEqual(["Mensaje*", "Si no se pulsa nada", "Si la entrada no es válida"]);
    // The chosen branch's legend no longer repeats the selector.
    expect(form("ivr", ivrMenu)).not.toMatch(/<legend[^>]*>Recorded audio/);
  });

  it("offers None first when the prompt is optional, and draws no field (nor a required star) while it is absent", () => {
    const html = form("ivr", ivrMenu);
    expect(options(html, "cfg-ivr_prompt__oneof_select")).toEqual(["Recorded audio", "Spoken text"]);
    expect(options(html, "cfg-ivr_no_input_prompt__oneof_select")).toEqual(["None", "Recorded audio", "Spoken text"]);
    expect(html).toMatch(/<select id="cfg-ivr_no_input_prompt__oneof_select"[^>]*><option value="0" selected="">None<\/option>/);
    expect(html).not.toContain("cfg-ivr_no_input_prompt_audio");
    expect(html).not.toContain("cfg-ivr_invalid_prompt_audio");
    expect(options(form("ivr", ivrMenu, context, "ru"), "cfg-ivr_invalid_prompt__oneof_select")).toEqual(["Нет", "Запись", "Синтез речи"]);
  });

  it("shows an optional prompt that is set as it is, its field required inside it", () => {
    const html = form("ivr", { ...ivrMenu, invalid_prompt: { text: "Esa tecla no vale" } });
    expect(html).toMatch(/<select id="cfg-ivr_invalid_prompt__oneof_select"[^>]*>.*<option value="2" selected="">Spoken text<\/option>/s);
    expect(html).toMatch(/<label class="control-label" for="cfg-ivr_invalid_prompt_text">Text to say<span class="required">\*<\/span>/);
  });
});

describe("fields that apply to one mode only (x-ui.show_if)", () => {
  const digits = ["cfg-ivr_min_length", "cfg-ivr_max_length", "cfg-ivr_terminator", "cfg-ivr_allow_star"];

  it("hides the IVR's digit-entry fields in menu mode, the mode's default", () => {
    for (const config of [ivrMenu, { ...ivrMenu, mode: "menu", min_length: 4 }]) {
      const html = form("ivr", config);
      for (const id of digits) expect(html, id).not.toContain(`id="${id}"`);
      expect(html).toContain('id="cfg-ivr_options"');
      // Storing the key pressed works in both modes (the examples' menus do): it stays.
      expect(shownLabels(html)).toContain("cfg-ivr_variable");
    }
  });

  it("shows them in capture mode, with the values they had, and hides the menu's keys", () => {
    const html = form("ivr", { mode: "capture", prompt: { text: "x" }, variable: "n", min_length: 4, options: [{ key: "1" }] });
    for (const id of digits) expect(html, id).toContain(`id="${id}"`);
    expect(html).toMatch(/id="cfg-ivr_min_length"[^>]*value="4"/);
    expect(html).not.toContain('id="cfg-ivr_options"');
  });
});

describe("a period of opening hours", () => {
  const hours = (from: string, to: string) => ({ hours: [{ days: ["mon"], from, to }] });
  const help = (html: string) => /<div id="cfg-\w+_0_to__help" class="help-block">([^<]*)<\/div>/.exec(html)?.[1];

  it("says when it crosses midnight, or lasts all day; nothing for a plain one", () => {
    expect(help(form("schedule", hours("22:00", "06:00")))).toBe("Crosses midnight (open until 06:00 the next day).");
    expect(help(form("schedule", hours("09:00", "09:00")))).toBe("Open all day.");
    expect(help(form("schedule", hours("09:00", "18:00")))).toBeUndefined();
    expect(help(form("schedule", hours("9:00", "06:00")))).toBeUndefined(); // not a time yet: the error says so
    expect(help(form("callback", { scenario: "x", window: [{ days: ["mon"], from: "20:00", to: "08:30" }] }))).toBe(
      "Crosses midnight (open until 08:30 the next day).",
    );
    expect(help(form("schedule", hours("22:00", "06:00"), context, "ru"))).toBe("Через полночь (открыто до 06:00 следующего дня).");
  });

  it("names its rows Period 1, as the problems now do", () => {
    expect(form("schedule", hours("09:00", "18:00"))).toMatch(/<legend id="cfg-schedule_hours_0__title">Period 1/);
  });
});

describe("the Message block's audio field", () => {
  it("offers an upload to an editor, and points to Say Phrase for text-to-speech", () => {
    const html = form("message", {}, { ...context, uploadAudio: upload });
    expect(html).toMatch(/<button type="button"[^>]*>Upload a recording…<\/button>/);
    expect(html).toMatch(/<input id="cfg-message_audio-file" type="file" accept="[^"]*\.wav[^"]*\.mp3/);
    expect(html).toContain("WAV, MP3, OGG or FLAC, up to 20 MB and 10 minutes.");
    expect(html).toMatch(/id="cfg-message_audio__help" class="help-block">To have a text read out by the computer voice instead, use a Say Phrase block\./);
    expect(form("message", {}, { ...context, uploadAudio: upload }, "ru")).toContain("Загрузить запись…");
  });

  it("offers no upload without the role to (no uploadAudio), and none in a prompt's spoken-text hint", () => {
    expect(form("message", {})).not.toContain("Upload a recording");
    expect(form("ivr", ivrMenu, { ...context, uploadAudio: upload })).not.toContain("Say Phrase block");
    expect(form("ivr", ivrMenu, { ...context, uploadAudio: upload })).toContain("Upload a recording…");
  });
});
