/**
 * The top bar's account end, as markup: the buttons of a wide screen and the Account menu of a narrow one are both
 * there (styles.css shows one, the other display:none, out of the tab order), saying the same three actions.
 */
import { describe, expect, it } from "vitest";
import { AccountControls } from "./AccountControls";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";

const noop = () => undefined;
const props = { user: { username: "ana", role: "editor" as const }, signingOut: false, onChangePassword: noop, onManageTokens: noop, onLogout: noop };

describe("the account end of the top bar", () => {
  it("says who is signed in, offers the language, and the three actions as buttons for a wide screen", () => {
    const html = renderToHtml(AccountControls, props);
    expect(html).toContain('<span class="user" data-testid="current-user">ana · editor</span>');
    expect(html).toContain('class="language-picker"');
    const buttons = /<span class="account-actions">(.*?)<\/span>/s.exec(html)?.[1] ?? "";
    expect(buttonTexts(buttons)).toEqual(["Change password", "API tokens", "Log out"]);
  });

  it("and the Account menu button for a narrow one: closed, its visible words its name", () => {
    const html = renderToHtml(AccountControls, props);
    const menu = html.slice(html.indexOf('<div class="menu-button account-menu">'));
    expect(menu).toMatch(/<button[^>]*aria-label="Account"[^>]*aria-haspopup="menu"[^>]*aria-expanded="false"/);
    expect(menu).toContain('>Account<span aria-hidden="true">\u00a0▾</span></button>');
    expect(menu).not.toContain('role="menu"');
  });

  it("in Spanish and Russian", () => {
    for (const [language, account, actions] of [
      ["es", "Cuenta", ["Cambiar contraseña", "Tokens de API", "Cerrar sesión"]],
      ["ru", "Учётная запись", ["Сменить пароль", "API-токены", "Выйти"]],
    ] as const) {
      const html = renderInLanguage(language, AccountControls, props);
      expect(html).toContain(`aria-label="${account}"`);
      expect(buttonTexts(/<span class="account-actions">(.*?)<\/span>/s.exec(html)?.[1] ?? "")).toEqual(actions);
    }
  });

  it("while signing out, Log out says so and is disabled", () => {
    const html = renderToHtml(AccountControls, { ...props, signingOut: true });
    expect(html).toMatch(/<button type="button" disabled="">Signing out…<\/button>/);
  });
});
