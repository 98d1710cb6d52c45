/**
 * The top bar's account end: the interface language, who is signed in, and Change password, API tokens and Log out.
 *
 * On a wide screen the three are buttons in the bar. On a narrow one (a phone, or the browser zoomed to 200% and
 * more: WCAG 1.4.10 reflow) they would push the bar past the screen's edge, so there they fold into an "Account"
 * menu button. Both are in the markup and styles.css shows one (`.account-actions` / `.account-menu`): a
 * display:none copy is out of the tab order and the accessibility tree, so the keyboard and screen readers meet
 * one set only, whichever the width.
 */
import type { User } from "../api/types";
import { LanguagePicker, useI18n } from "../i18n";
import { MenuButton, type MenuItem } from "./MenuButton";

export function AccountControls(props: {
  user: Pick<User, "username" | "role">;
  signingOut: boolean;
  onChangePassword(): void;
  onManageTokens(): void;
  onLogout(): void;
}) {
  const { t } = useI18n();
  const logoutLabel = props.signingOut ? t("app.loggingOut") : t("app.logout");
  const items: MenuItem[] = [
    { id: "change-password", label: t("app.changePassword"), onSelect: props.onChangePassword },
    { id: "api-tokens", label: t("app.tokens"), onSelect: props.onManageTokens },
    // Signing out already: choosing it again would only ask the server twice.
    { id: "logout", label: logoutLabel, onSelect: () => (props.signingOut ? undefined : props.onLogout()), separated: true },
  ];
  return (
    <div className="account">
      <LanguagePicker />
      <span className="user" data-testid="current-user">
        {props.user.username} · {t(`role.${props.user.role}`)}
      </span>
      <span className="account-actions">
        <button type="button" onClick={props.onChangePassword}>
          {t("app.changePassword")}
        </button>
        <button type="button" onClick={props.onManageTokens}>
          {t("app.tokens")}
        </button>
        <button type="button" onClick={props.onLogout} disabled={props.signingOut}>
          {logoutLabel}
        </button>
      </span>
      <MenuButton className="account-menu" label={t("app.account")} items={items}>
        {t("app.account")}
        <span aria-hidden="true">&nbsp;▾</span>
      </MenuButton>
    </div>
  );
}
