/**
 * "Change password", for whoever is signed in (the start-up log tells the admin to change the one it was given).
 * The checks and the server's answers in words are lib/password.ts; api.changePassword switches to the CSRF
 * token of the new session the server opens, so the next write goes through.
 */
import { useId, useState, type FormEvent } from "react";
import * as api from "../api/client";
import { useI18n } from "../i18n";
import {
  EMPTY_PASSWORD_FORM,
  PASSWORD_MIN,
  changeOwnPassword,
  passwordNoticeText,
  repeatGoesAstray,
  type PasswordForm,
  type PasswordNotice,
} from "../lib/password";
import { Dialog } from "./Dialog";

/** The form as drawn from its state (the dialog holds the state; tests draw it as they like). */
export function PasswordFields(props: {
  username: string;
  form: PasswordForm;
  sending: boolean;
  notice: PasswordNotice | null;
  /** Whether the user's API tokens are to be revoked too; left out, the box is not offered. */
  revokeTokens?: boolean;
  onRevokeTokens?(revoke: boolean): void;
  onChange(form: PasswordForm): void;
  onSubmit(): void;
  onClose(): void;
}) {
  const { t, language } = useI18n();
  const rulesId = useId();
  const { form, notice } = props;
  // A repeat that can no longer match says so as it is typed, not only on sending.
  const shown: PasswordNotice | null = notice ?? (repeatGoesAstray(form) ? { kind: "mismatch" } : null);
  const field = (name: keyof PasswordForm) => ({
    type: "password",
    value: form[name],
    onChange: (e: { target: { value: string } }) => props.onChange({ ...form, [name]: e.target.value }),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    props.onSubmit();
  }

  return (
    // noValidate: the checks are ours, in the interface's language and in the order lib/password.ts gives them.
    <form onSubmit={submit} noValidate data-testid="password-form">
      {/* Tells a password manager whose password this is, so it updates the right entry. */}
      <input type="text" name="username" autoComplete="username" value={props.username} readOnly hidden />
      <p className="hint" id={rulesId}>{t("password.rules", { min: PASSWORD_MIN })}</p>
      <label>
        {t("password.current")}
        <input name="current-password" autoComplete="current-password" autoFocus {...field("current")} />
      </label>
      <label>
        {t("password.new")}
        <input name="new-password" autoComplete="new-password" aria-describedby={rulesId} {...field("next")} />
      </label>
      <label>
        {t("password.repeat")}
        <input name="repeat-password" autoComplete="new-password" aria-invalid={shown?.kind === "mismatch" || undefined} {...field("repeat")} />
      </label>
      {props.onRevokeTokens && (
        <label className="inline-label">
          <input
            type="checkbox"
            name="revoke-tokens"
            checked={props.revokeTokens ?? false}
            onChange={(e) => props.onRevokeTokens?.(e.target.checked)}
          />
          {t("password.revokeTokens")}
        </label>
      )}
      {shown && (
        <p role="alert" className="error-text" data-testid="password-problem" data-kind={shown.kind}>
          {passwordNoticeText(shown, t, language)}
        </p>
      )}
      <div className="row dialog-buttons">
        <button type="submit" className="primary" disabled={props.sending}>
          {props.sending ? t("password.sending") : t("password.submit")}
        </button>
        <button type="button" onClick={props.onClose}>{t("password.cancel")}</button>
      </div>
    </form>
  );
}

export function PasswordDialog({ username, onClose }: { username: string; onClose(): void }) {
  const { t, language } = useI18n();
  const [form, setForm] = useState<PasswordForm>(EMPTY_PASSWORD_FORM);
  const [sending, setSending] = useState(false);
  const [notice, setNotice] = useState<PasswordNotice | null>(null);
  const [revokeTokens, setRevokeTokens] = useState(false);

  async function submit() {
    if (sending) return;
    setSending(true);
    try {
      const outcome = await changeOwnPassword(form, api.changePassword, revokeTokens);
      setNotice(outcome);
      // Passwords are not kept once changed; after a refusal the user corrects what they typed.
      if (outcome.kind === "changed") setForm(EMPTY_PASSWORD_FORM);
    } finally {
      setSending(false);
    }
  }

  return (
    <Dialog title={t("password.title")} onClose={onClose}>
      {notice?.kind === "changed" ? (
        <>
          <p role="status" className="success" data-testid="password-changed">{passwordNoticeText(notice, t, language)}</p>
          <div className="row dialog-buttons">
            <button type="button" className="primary" autoFocus onClick={onClose}>{t("password.close")}</button>
          </div>
        </>
      ) : (
        <PasswordFields
          username={username}
          form={form}
          sending={sending}
          notice={notice}
          revokeTokens={revokeTokens}
          onRevokeTokens={setRevokeTokens}
          onChange={(next) => {
            setForm(next);
            setNotice(null); // what was said was about what has just been changed
          }}
          onSubmit={() => void submit()}
          onClose={onClose}
        />
      )}
    </Dialog>
  );
}
