import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { STUDIO_REPORT_TEMPLATES, studioReportText } from "./studioReportText";

describe("a Studio import's report lines in the analyst's language", () => {
  it("has Spanish and Russian words for every report code docs/from-studio.md lists", () => {
    const doc = readFileSync(new URL("../../../docs/from-studio.md", import.meta.url), "utf8");
    const listed = doc.split("Report codes: ")[1]!.split(".\n")[0]!;
    const codes = [...listed.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(10);
    for (const language of ["es", "ru"] as const) {
      expect(codes.filter((code) => !Object.hasOwn(STUDIO_REPORT_TEMPLATES[language], code)), language).toEqual([]);
    }
  });

  it("says why a placeholder was left, and the server's line for a reason it has no words for", () => {
    const line = {
      code: "not_converted",
      params: { state: "vars", widget: "set-variables", reason: "no_variables", count: 0 },
      text: "vars (set-variables): not converted: sets no variable: replace the placeholder",
    };
    expect(studioReportText(line, "es")).toBe("vars (set-variables): no se convirtió: no asigna ninguna variable: sustituya el marcador");
    expect(studioReportText(line, "ru")).toBe("vars (set-variables): не преобразован: не задаёт ни одной переменной: замените заглушку");
    expect(studioReportText({ ...line, params: { ...line.params, reason: "newer" } }, "es")).toBe(line.text);
  });

  it("names the designer's blocks as the palette does", () => {
    const played = { code: "recording_not_converted", params: { state: "hold", widget: "say-play", play: "https://x/a.mp3" }, text: "x" };
    expect(studioReportText(played, "es")).toBe("hold (say-play): reproduce https://x/a.mp3: no se convirtió; suba la grabación y use un bloque «Mensaje»");
    expect(studioReportText(played, "ru")).toBe("hold (say-play): воспроизводит https://x/a.mp3: не преобразовано, загрузите запись и используйте блок «Сообщение»");
  });
});
