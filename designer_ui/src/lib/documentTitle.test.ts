// Review (Russian analyst): the browser tab read "ivrgraph designer" in English whatever the interface language. It
// now names the page in the interface language, «Сценарии — ivrgraph», and the scenario in its editor.
import { describe, expect, it } from "vitest";
import { routeTabTitle, scenarioTabTitle, tabTitle } from "./documentTitle";
import { translator } from "./i18n";

const ru = translator("ru");

describe("the browser tab's title", () => {
  it("names each page of the shell in the interface language", () => {
    expect(routeTabTitle("/", ru, true)).toBe("Сценарии — ivrgraph");
    expect(routeTabTitle("/reports?scenario=support", ru, true)).toBe("Отчёты — ivrgraph");
    expect(routeTabTitle("/calls?scenario=support&call=7", ru, true)).toBe("Журнал звонков — ivrgraph");
    expect(routeTabTitle("/callbacks", ru, true)).toBe("Обратные звонки — ivrgraph");
    expect(routeTabTitle("/users", ru, true)).toBe("Пользователи — ivrgraph");
    expect(routeTabTitle("/data-sources", ru, true)).toBe("Источники данных — ivrgraph");
    expect(routeTabTitle("/", translator("es"), true)).toBe("Escenarios — ivrgraph");
    expect(routeTabTitle("/", translator("en"), true)).toBe("Scenarios — ivrgraph");
  });

  it("is the sign-in page's until someone is signed in, whatever the route", () => {
    expect(routeTabTitle("/s/support", ru, false)).toBe("Вход — ivrgraph");
    expect(routeTabTitle("/", translator("es"), false)).toBe("Iniciar sesión — ivrgraph");
  });

  it("is left to the editor, which names its scenario, its slug until the name is known", () => {
    expect(routeTabTitle("/s/support?call=12", ru, true)).toBeNull();
    expect(scenarioTabTitle("Горячая линия", "support")).toBe("Горячая линия — ivrgraph");
    expect(scenarioTabTitle("  ", "support")).toBe("support — ivrgraph");
    expect(tabTitle(null)).toBe("ivrgraph");
  });
});
