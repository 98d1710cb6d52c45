import { useState, type FormEvent } from "react";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { User } from "../api/types";
import { LanguagePicker, useI18n } from "../i18n";

export function LoginPage({ onLogin }: { onLogin(user: User): void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await api.login(username, password));
    } catch (e) {
      setError(e instanceof ApiError && (e.status === 401 || e.status === 400 || e.status === 422)
        ? t("login.failed")
        : t("error.generic", { message: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="centered">
      <form className="card login" onSubmit={submit}>
        <h1>{t("app.title")}</h1>
        <h2>{t("login.title")}</h2>
        <label>
          {t("login.username")}
          <input name="username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label>
          {t("login.password")}
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error && <p role="alert" className="error-text">{error}</p>}
        <button type="submit" className="primary" disabled={busy}>
          {t("login.submit")}
        </button>
        <LanguagePicker />
      </form>
    </div>
  );
}
