/**
 * "API tokens", for whoever is signed in: their tokens (name, role, personal data, created, expires, last used), a
 * new one with a role up to their own (a read-only token for a dashboard, a publisher's for a CI job) that reads
 * personal data masked unless ticked, its secret shown once with a copy button, and revoking one after a
 * confirmation. The checks and the server's answers in words are lib/apiTokens.ts.
 */
import { useEffect, useState, type FormEvent } from "react";
import * as api from "../api/client";
import type { ApiToken, ApiTokenCreated, Role } from "../api/types";
import { useI18n } from "../i18n";
import {
  TOKEN_NAME_MAX,
  emptyTokenForm,
  today,
  tokenFailure,
  tokenFormProblem,
  tokenNoticeText,
  tokenPersonalData,
  tokenRequest,
  tokenRoles,
  type TokenForm,
  type TokenNotice,
} from "../lib/apiTokens";
import { formatDateTime } from "../lib/format";
import { Dialog } from "./Dialog";

/** The tokens, one row each; `confirming`: the one whose revoking waits for a yes. */
export function TokenTable(props: {
  tokens: ApiToken[];
  confirming: number | null;
  revoking: boolean;
  onRevoke(id: number): void;
  onConfirm(id: number): void;
  onCancel(): void;
}) {
  const { t, language } = useI18n();
  if (props.tokens.length === 0) return <p className="empty" data-testid="tokens-none">{t("tokens.none")}</p>;
  const moment = (value: string | null | undefined, none: string) => (value ? formatDateTime(value, language) : none);
  const asked = props.tokens.find((token) => token.id === props.confirming) ?? null;
  return (
    <div className="table-scroll">
      <table className="preview tokens" data-testid="token-table">
        <thead>
          <tr>
            <th>{t("tokens.name")}</th>
            <th>{t("tokens.role")}</th>
            <th>{t("tokens.personalDataColumn")}</th>
            <th>{t("tokens.created")}</th>
            <th>{t("tokens.expires")}</th>
            <th>{t("tokens.lastUsed")}</th>
            <th><span className="sr-only">{t("tokens.actions")}</span></th>
          </tr>
        </thead>
        <tbody>
          {props.tokens.map((token) => (
            <tr key={token.id} data-token={token.id}>
              <td>{token.name}</td>
              <td data-role={token.role}>{t(`role.${token.role}`)}</td>
              <td data-sees={String(token.sees_personal_data)}>{token.sees_personal_data ? t("tokens.unmasked") : t("tokens.masked")}</td>
              <td>{moment(token.created_at, "")}</td>
              <td>{moment(token.expires_at, t("tokens.never"))}</td>
              <td>{moment(token.last_used_at, t("tokens.notUsed"))}</td>
              <td>
                <button type="button" aria-label={t("tokens.revokeNamed", { name: token.name })} disabled={props.confirming !== null}
                  onClick={() => props.onRevoke(token.id)}>
                  {t("tokens.revoke")}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {asked && (
        <div className="blocked" role="alertdialog" aria-label={t("tokens.revokeNamed", { name: asked.name })} data-testid="revoke-confirmation">
          <p>{t("tokens.revokeConfirm", { name: asked.name })}</p>
          <div className="row">
            <button type="button" className="danger" disabled={props.revoking} onClick={() => props.onConfirm(asked.id)}>
              {props.revoking ? t("tokens.revoking") : t("tokens.revokeYes")}
            </button>
            <button type="button" autoFocus disabled={props.revoking} onClick={props.onCancel}>{t("tokens.revokeNo")}</button>
          </div>
        </div>
      )}
    </div>
  );
}

/**
 * The form for a new token, as drawn from its state (the dialog holds the state; tests draw it as they like).
 * `seesPersonalData`: whether you read personal data unmasked (a token never reads more than you).
 */
export function NewTokenFields(props: {
  role: Role;
  seesPersonalData: boolean;
  form: TokenForm;
  sending: boolean;
  notice: TokenNotice | null;
  onChange(form: TokenForm): void;
  onSubmit(): void;
}) {
  const { t } = useI18n();
  const { form, notice } = props;
  const personalData = tokenPersonalData(form, props.seesPersonalData);
  const personalDataHint = ({
    yours: "tokens.personalDataYoursMasked",
    admin: "tokens.personalDataAdmin",
    none: "tokens.personalDataHint",
  } as const)[personalData.fixed ?? "none"];
  function submit(event: FormEvent) {
    event.preventDefault();
    props.onSubmit();
  }
  return (
    // noValidate: the checks are ours, in the interface's language (lib/apiTokens.ts).
    <form onSubmit={submit} noValidate className="inline-form" data-testid="token-form">
      <h3>{t("tokens.new")}</h3>
      <label>
        {t("tokens.name")}
        <input name="token-name" value={form.name} maxLength={TOKEN_NAME_MAX} placeholder={t("tokens.namePlaceholder")}
          onChange={(e) => props.onChange({ ...form, name: e.target.value })} />
      </label>
      <label>
        {t("tokens.role")}
        <select name="token-role" value={form.role} onChange={(e) => props.onChange({ ...form, role: e.target.value as Role })}>
          {tokenRoles(props.role).map((role) => (
            <option key={role} value={role}>{t(`role.${role}`)}</option>
          ))}
        </select>
      </label>
      <p className="hint">{t("tokens.roleHint", { role: t(`role.${props.role}`) })}</p>
      <label className="inline-label">
        <input type="checkbox" name="token-personal-data" checked={personalData.reads} disabled={personalData.fixed !== null}
          aria-describedby="token-personal-data-hint" onChange={(e) => props.onChange({ ...form, personalData: e.target.checked })} />
        {t("tokens.personalData")}
      </label>
      <p id="token-personal-data-hint" className="hint" data-testid="token-personal-data-hint">{t(personalDataHint)}</p>
      <label>
        {t("tokens.expiresOn")}
        <input name="token-expires" type="date" value={form.expires} min={today()} onChange={(e) => props.onChange({ ...form, expires: e.target.value })} />
      </label>
      <p className="hint">{t("tokens.expiresHint")}</p>
      {notice && (
        <p role="alert" className="error-text" data-testid="token-problem" data-kind={notice.kind}>{tokenNoticeText(notice, t)}</p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={props.sending}>
          {props.sending ? t("tokens.creating") : t("tokens.create")}
        </button>
      </div>
    </form>
  );
}

/** The secret of the token just made: shown here once, never again. */
export function TokenSecret(props: { token: ApiTokenCreated; copied: boolean | null; onCopy(): void; onDone(): void }) {
  const { t } = useI18n();
  return (
    <section data-testid="token-secret">
      <p className="success" role="status">
        {t("tokens.made", { name: props.token.name, role: t(`role.${props.token.role}`) })}{" "}
        {props.token.sees_personal_data ? t("tokens.madeUnmasked") : t("tokens.madeMasked")}
      </p>
      <p><strong>{t("tokens.onlyOnce")}</strong></p>
      <div className="row">
        <input className="mono" readOnly value={props.token.token} aria-label={t("tokens.secret")} size={52} data-testid="token-secret-value"
          onFocus={(e) => e.target.select()} />
        <button type="button" onClick={props.onCopy}>{t("tokens.copy")}</button>
      </div>
      {props.copied === true && <p className="hint" role="status">{t("tokens.copied")}</p>}
      {props.copied === false && <p className="error-text" role="alert">{t("tokens.copyFailed")}</p>}
      <p className="hint">{t("tokens.usage")}</p>
      <div className="row">
        <button type="button" className="primary" onClick={props.onDone}>{t("tokens.saved")}</button>
      </div>
    </section>
  );
}

/** `seesPersonalData`: whether the signed-in user reads personal data unmasked (their tokens never read more). */
export function TokensDialog({ role, seesPersonalData, onClose }: { role: Role; seesPersonalData: boolean; onClose(): void }) {
  const { t } = useI18n();
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [form, setForm] = useState<TokenForm>(() => emptyTokenForm(role));
  const [sending, setSending] = useState(false);
  const [notice, setNotice] = useState<TokenNotice | null>(null);
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [revoking, setRevoking] = useState(false);

  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((n) => n + 1);

  useEffect(() => {
    // Only the latest listing may fill the table: an older answer landing late is dropped.
    let cancelled = false;
    api.apiTokens().then(
      (listed) => {
        if (cancelled) return;
        setTokens(listed);
        setLoadError(null);
      },
      (error: unknown) => {
        if (!cancelled) setLoadError(error instanceof Error ? error.message : String(error));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [reloads]);

  async function create() {
    if (sending) return;
    const problem = tokenFormProblem(form);
    if (problem) return setNotice(problem);
    setSending(true);
    try {
      setCreated(await api.createApiToken(tokenRequest(form, seesPersonalData)));
      setCopied(null);
      setForm(emptyTokenForm(role));
      setNotice(null);
      reload();
    } catch (error) {
      setNotice(tokenFailure(error));
    } finally {
      setSending(false);
    }
  }

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(true);
    } catch {
      setCopied(false); // no clipboard (plain http, or refused): the field selects itself for Ctrl+C
    }
  }

  async function revoke(id: number) {
    setRevoking(true);
    try {
      await api.revokeApiToken(id);
      setConfirming(null);
      reload();
    } catch (error) {
      setLoadError(error instanceof Error ? error.message : String(error));
    } finally {
      setRevoking(false);
    }
  }

  return (
    <Dialog title={t("tokens.title")} onClose={onClose} wide>
      <p className="hint">{t("tokens.intro")}</p>
      {created ? (
        <TokenSecret token={created} copied={copied} onCopy={() => void copy()} onDone={() => setCreated(null)} />
      ) : (
        <NewTokenFields role={role} seesPersonalData={seesPersonalData} form={form} sending={sending} notice={notice} onSubmit={() => void create()}
          onChange={(next) => {
            setForm(next);
            setNotice(null); // what was said was about what has just been changed
          }} />
      )}
      {loadError && <p role="alert" className="error-text">{t("tokens.loadFailed", { message: loadError })}</p>}
      {tokens === null ? (
        !loadError && <p className="hint">{t("tokens.loading")}</p>
      ) : (
        <TokenTable tokens={tokens} confirming={confirming} revoking={revoking} onRevoke={setConfirming}
          onConfirm={(id) => void revoke(id)} onCancel={() => setConfirming(null)} />
      )}
      <div className="row dialog-buttons">
        <button type="button" onClick={onClose}>{t("tokens.close")}</button>
      </div>
    </Dialog>
  );
}
