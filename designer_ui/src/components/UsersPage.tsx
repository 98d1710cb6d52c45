/**
 * The Users page, an admin's (#/users): who may sign in, with which role, who reads callers' personal data unmasked,
 * and each user's API tokens. A new user gets a temporary password (typed, or generated in the browser and shown
 * once to pass on); a user's role, personal data and password are changed in one dialog, where they are also
 * deactivated or reactivated after a confirmation; their tokens are revoked after one. Every refusal of the API is
 * shown at the field it is about, the form as it was (lib/users.ts). The API is api/routes/users.py, as it is: the
 * page hides nothing the server would allow and decides nothing it would refuse.
 */
import { useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { ApiToken, Role, User } from "../api/types";
import { useI18n } from "../i18n";
import { ROLES } from "../lib/apiTokens";
import type { Translate } from "../lib/i18n";
import { PASSWORD_MIN } from "../lib/password";
import {
  USERNAME_MAX,
  demotesSelf,
  editFormOf,
  editProblems,
  emptyNewUser,
  generatePassword,
  hasProblems,
  newUserProblems,
  newUserRequest,
  personalDataTicked,
  settled,
  userChanges,
  userFailure,
  userProblemText,
  withRole,
  type NewUserForm,
  type UserEditForm,
  type UserField,
  type UserProblem,
  type UserProblems,
} from "../lib/users";
import { Dialog } from "./Dialog";
import { invalidity, useFocusOnRefusal } from "./fieldProblems";
import { TokenTable } from "./TokensDialog";
import { useListLoad } from "./useListLoad";
import "./users.css";

/** The message of a failure to load, for "could not be loaded: {message}". */
const failureMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The problem shown under a field, the field pointing at it (aria-describedby) while it is there. */
function FieldProblem({ id, problem, field }: { id: string; problem: UserProblem | undefined; field: UserField }) {
  const { t } = useI18n();
  if (!problem) return null;
  return (
    <p id={id} className="error-text field-problem" role="alert" data-testid={`user-problem-${field}`} data-kind={problem.kind}>
      {userProblemText(problem, t)}
    </p>
  );
}

function RoleOptions() {
  const { t } = useI18n();
  return (
    <>
      {ROLES.map((role) => (
        <option key={role} value={role}>{t(`role.${role}`)}</option>
      ))}
    </>
  );
}

/** The password field with its Generate button; a generated password is shown as text, to be passed on. */
function PasswordField(props: {
  label: string;
  hint: string;
  value: string;
  generated: boolean;
  problem: UserProblem | undefined;
  onChange(value: string, generated: boolean): void;
}) {
  const { t } = useI18n();
  const hintId = useId();
  const problemId = useId();
  const generatedId = useId();
  return (
    <>
      {/* The button beside the field, not in its label: the field's name is the label's text alone. */}
      <div className="password-row">
        <label>
          {props.label}
          {/* A generated password stays shown as it is edited: it is there to be read and passed on. */}
          <input name="user-password" type={props.generated ? "text" : "password"} autoComplete="new-password" spellCheck={false}
            className={props.generated ? "mono" : undefined} value={props.value}
            {...invalidity(props.problem, problemId, props.generated ? `${generatedId} ${hintId}` : hintId)}
            onChange={(e) => props.onChange(e.target.value, props.generated && e.target.value !== "")} />
        </label>
        <button type="button" name="generate-password" onClick={() => props.onChange(generatePassword(), true)}>{t("users.generate")}</button>
      </div>
      {props.generated && <p id={generatedId} className="hint" role="status" data-testid="password-generated">{t("users.generated")}</p>}
      <p id={hintId} className="hint">{props.hint}</p>
      <FieldProblem id={problemId} problem={props.problem} field="password" />
    </>
  );
}

/** The personal-data box, with what it means (or that an admin always has it). */
function PersonalDataField(props: {
  checked: boolean;
  role: Role;
  problem: UserProblem | undefined;
  onChange(checked: boolean): void;
}) {
  const { t } = useI18n();
  const hintId = useId();
  const problemId = useId();
  return (
    <>
      <label className="inline-label">
        <input type="checkbox" name="sees-personal-data" checked={props.checked}
          {...invalidity(props.problem, problemId, hintId)} onChange={(e) => props.onChange(e.target.checked)} />
        {t("users.personalDataLabel")}
      </label>
      <p id={hintId} className="hint">{props.role === "admin" ? t("users.personalDataAdmin") : t("users.personalDataHint")}</p>
      <FieldProblem id={problemId} problem={props.problem} field="seesPersonalData" />
    </>
  );
}

/** A form-wide problem (the server did not answer, the role was lowered meanwhile...). */
function FormProblem({ problem }: { problem: UserProblem | undefined }) {
  const { t } = useI18n();
  if (!problem) return null;
  const text = userProblemText(problem, t);
  return (
    <p role="alert" className="error-text" data-testid="user-problem-form" data-kind={problem.kind}>
      {problem.kind === "server" ? t("users.failed", { message: text }) : text}
    </p>
  );
}

// -- the table -----------------------------------------------------------------------------------------

/** The users, one row each, the signed-in admin marked "you". */
export function UserTable(props: { users: User[]; me: Pick<User, "id">; onEdit(id: number): void; onTokens(id: number): void }) {
  const { t } = useI18n();
  return (
    <table className="scenarios users" data-testid="user-table">
      <thead>
        <tr>
          <th scope="col">{t("users.username")}</th>
          <th scope="col">{t("users.role")}</th>
          <th scope="col">{t("users.active")}</th>
          <th scope="col">{t("users.personalData")}</th>
          <th scope="col"><span className="sr-only">{t("users.actions")}</span></th>
        </tr>
      </thead>
      <tbody>
        {props.users.map((user) => (
          <tr key={user.id} data-user={user.username} className={user.active ? undefined : "inactive"}>
            <th scope="row">
              {user.username}
              {user.id === props.me.id && <span className="you-badge" data-testid="you">{t("users.you")}</span>}
            </th>
            <td data-column="role" data-role={user.role}>{t(`role.${user.role}`)}</td>
            <td data-column="active" data-active={String(user.active)}>{user.active ? t("users.isActive") : t("users.isInactive")}</td>
            <td data-column="personal-data" data-sees={String(user.sees_personal_data)}>
              {user.sees_personal_data ? t("users.yes") : t("users.no")}
            </td>
            <td className="actions">
              <div className="row">
                <button type="button" aria-label={t("users.editNamed", { name: user.username })} onClick={() => props.onEdit(user.id)}>
                  {t("users.edit")}
                </button>
                <button type="button" aria-label={t("users.tokensNamed", { name: user.username })} onClick={() => props.onTokens(user.id)}>
                  {t("users.tokens")}
                </button>
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// -- a new user ----------------------------------------------------------------------------------------

/** The form for a new user, as drawn from its state (the dialog holds it; tests draw it as they like). */
export function NewUserFields(props: {
  form: NewUserForm;
  problems: UserProblems;
  sending: boolean;
  /** Counts refused submits: each moves the focus to the first field with a problem. */
  attempt: number;
  onChange(form: NewUserForm, field: UserField): void;
  onSubmit(): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const { form, problems } = props;
  const formRef = useFocusOnRefusal(props.attempt);
  const usernameHint = useId();
  const usernameProblem = useId();
  const roleProblem = useId();
  function submit(event: FormEvent) {
    event.preventDefault();
    props.onSubmit();
  }
  return (
    // noValidate: the checks are ours, in the interface's language (lib/users.ts), shown at each field.
    <form ref={formRef} onSubmit={submit} noValidate className="user-form" data-testid="new-user-form">
      <label>
        {t("users.username")}
        <input name="username" autoComplete="off" spellCheck={false} value={form.username}
          {...invalidity(problems.username, usernameProblem, usernameHint)}
          onChange={(e) => props.onChange({ ...form, username: e.target.value }, "username")} />
      </label>
      <p id={usernameHint} className="hint">{t("users.usernameHint", { max: USERNAME_MAX })}</p>
      <FieldProblem id={usernameProblem} problem={problems.username} field="username" />
      <PasswordField label={t("users.password")} hint={t("users.passwordHint", { min: PASSWORD_MIN })} value={form.password}
        generated={form.generated} problem={problems.password}
        onChange={(password, generated) => props.onChange({ ...form, password, generated }, "password")} />
      <label>
        {t("users.role")}
        <select name="user-role" value={form.role} {...invalidity(problems.role, roleProblem)}
          onChange={(e) => props.onChange({ ...form, role: e.target.value as Role }, "role")}>
          <RoleOptions />
        </select>
      </label>
      <FieldProblem id={roleProblem} problem={problems.role} field="role" />
      <PersonalDataField checked={personalDataTicked(form)} role={form.role} problem={problems.seesPersonalData}
        onChange={(checked) => props.onChange({ ...form, seesPersonalData: checked }, "seesPersonalData")} />
      <FormProblem problem={problems.form} />
      <div className="row dialog-buttons">
        <button type="submit" className="primary" disabled={props.sending}>{props.sending ? t("users.creating") : t("users.create")}</button>
        <button type="button" onClick={props.onCancel}>{t("users.cancel")}</button>
      </div>
    </form>
  );
}

/** A temporary password just set, shown here once to be passed on, with a copy button. */
export function PasswordToPassOn(props: { username: string; password: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState<boolean | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(props.password);
      setCopied(true);
    } catch {
      setCopied(false); // no clipboard (plain http, or refused): the field selects itself for Ctrl+C
    }
  }
  return (
    <div data-testid="password-to-pass-on">
      <p><strong>{t("users.passwordOnce")}</strong></p>
      <div className="row">
        <input className="mono" readOnly value={props.password} size={28} aria-label={t("users.passwordValue", { name: props.username })}
          data-testid="password-value" onFocus={(e) => e.target.select()} />
        <button type="button" onClick={() => void copy()}>{t("users.copy")}</button>
      </div>
      {copied === true && <p className="hint" role="status">{t("users.copied")}</p>}
      {copied === false && <p className="error-text" role="alert">{t("users.copyFailed")}</p>}
    </div>
  );
}

/** The user just made, and their temporary password. */
export function UserCreated(props: { user: User; password: string; onDone(): void }) {
  const { t } = useI18n();
  return (
    <section data-testid="user-created">
      <p className="success" role="status">{t("users.created", { name: props.user.username, role: t(`role.${props.user.role}`) })}</p>
      <PasswordToPassOn username={props.user.username} password={props.password} />
      <div className="row dialog-buttons">
        <button type="button" className="primary" autoFocus onClick={props.onDone}>{t("users.done")}</button>
      </div>
    </section>
  );
}

function NewUserDialog({ onCreated, onClose }: { onCreated(user: User): void; onClose(): void }) {
  const { t } = useI18n();
  const [form, setForm] = useState<NewUserForm>(emptyNewUser);
  const [problems, setProblems] = useState<UserProblems>({});
  const [attempt, setAttempt] = useState(0);
  const [sending, setSending] = useState(false);
  const [created, setCreated] = useState<{ user: User; password: string } | null>(null);

  async function create() {
    if (sending) return;
    const found = newUserProblems(form);
    if (hasProblems(found)) {
      setProblems(found);
      setAttempt((n) => n + 1);
      return;
    }
    setSending(true);
    try {
      const user = await api.createUser(newUserRequest(form));
      setCreated({ user, password: form.password });
      onCreated(user);
    } catch (error) {
      // The form stays as it was: the admin corrects what the problem names, nothing else.
      setProblems(userFailure(error, { action: "create", username: form.username }));
      setAttempt((n) => n + 1);
    } finally {
      setSending(false);
    }
  }

  return (
    <Dialog title={t("users.newTitle")} onClose={onClose}>
      {created ? (
        <UserCreated user={created.user} password={created.password} onDone={onClose} />
      ) : (
        <NewUserFields form={form} problems={problems} sending={sending} attempt={attempt} onSubmit={() => void create()} onCancel={onClose}
          onChange={(next, field) => {
            setForm(next);
            setProblems((was) => settled(was, field));
          }} />
      )}
    </Dialog>
  );
}

// -- changes to a user ----------------------------------------------------------------------------------

/** A question asked in place before something that cannot be taken back silently; the safe answer has the focus. */
function Confirmation(props: { label: string; text: string; yes: string; no: string; sending: boolean; testId: string; onYes(): void; onNo(): void }) {
  return (
    <div className="blocked" role="alertdialog" aria-label={props.label} data-testid={props.testId}>
      <p>{props.text}</p>
      <div className="row">
        <button type="button" className="danger" disabled={props.sending} onClick={props.onYes}>{props.yes}</button>
        <button type="button" autoFocus disabled={props.sending} onClick={props.onNo}>{props.no}</button>
      </div>
    </div>
  );
}

/** A user's role, personal data and a new password, as drawn from the dialog's state. */
export function EditUserFields(props: {
  user: User;
  me: Pick<User, "id">;
  form: UserEditForm;
  problems: UserProblems;
  sending: boolean;
  attempt: number;
  /** Changes that lower the signed-in admin's own role, waiting for their yes. */
  confirmingDemotion: boolean;
  onChange(form: UserEditForm, field: UserField): void;
  onSubmit(): void;
  onConfirmDemotion(): void;
  onCancelDemotion(): void;
}) {
  const { t } = useI18n();
  const { form, problems } = props;
  const formRef = useFocusOnRefusal(props.attempt);
  const roleProblem = useId();
  function submit(event: FormEvent) {
    event.preventDefault();
    props.onSubmit();
  }
  return (
    <form ref={formRef} onSubmit={submit} noValidate className="user-form" data-testid="edit-user-form">
      <label>
        {t("users.role")}
        <select name="user-role" value={form.role} {...invalidity(problems.role, roleProblem)}
          onChange={(e) => props.onChange(withRole(form, e.target.value as Role), "role")}>
          <RoleOptions />
        </select>
      </label>
      <FieldProblem id={roleProblem} problem={problems.role} field="role" />
      <PersonalDataField checked={form.seesPersonalData} role={form.role} problem={problems.seesPersonalData}
        onChange={(checked) => props.onChange({ ...form, seesPersonalData: checked }, "seesPersonalData")} />
      <PasswordField label={t("users.newPassword")} hint={t("users.newPasswordHint", { min: PASSWORD_MIN })} value={form.password}
        generated={form.generated} problem={problems.password}
        onChange={(password, generated) => props.onChange({ ...form, password, generated }, "password")} />
      <FormProblem problem={problems.form} />
      {props.confirmingDemotion ? (
        <Confirmation label={t("users.demoteYes")} text={t("users.demoteSelf", { role: t(`role.${form.role}`) })} yes={t("users.demoteYes")}
          no={t("users.keep")} sending={props.sending} testId="demotion-confirmation" onYes={props.onConfirmDemotion} onNo={props.onCancelDemotion} />
      ) : (
        <div className="row">
          <button type="submit" className="primary" disabled={props.sending}>{props.sending ? t("users.saving") : t("users.save")}</button>
        </div>
      )}
    </form>
  );
}

/** Whether the user may sign in, and the button that changes it after a confirmation. */
export function UserActivity(props: {
  user: User;
  me: Pick<User, "id">;
  confirming: boolean;
  sending: boolean;
  problem: UserProblem | undefined;
  onAsk(): void;
  onConfirm(): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const { user } = props;
  const name = user.username;
  const self = user.id === props.me.id;
  const problemId = useId();
  const question = user.active ? (self ? t("users.deactivateSelf") : t("users.deactivateConfirm", { name })) : t("users.reactivateConfirm", { name });
  return (
    <section className="user-activity" data-testid="user-activity" aria-label={t("users.active")}>
      <p>{user.active ? t("users.activityActive", { name }) : t("users.activityInactive", { name })}</p>
      {props.confirming ? (
        <Confirmation label={question} text={question} yes={user.active ? t("users.deactivateYes") : t("users.reactivateYes")} no={t("users.keep")}
          sending={props.sending} testId="activity-confirmation" onYes={props.onConfirm} onNo={props.onCancel} />
      ) : (
        <button type="button" className={user.active ? "danger" : undefined} name="user-activity" onClick={props.onAsk}
          aria-describedby={props.problem ? problemId : undefined}>
          {user.active ? t("users.deactivate") : t("users.reactivate")}
        </button>
      )}
      <FieldProblem id={problemId} problem={props.problem} field="active" />
    </section>
  );
}

function EditUserDialog(props: { user: User; me: User; onChanged(user: User, self: boolean): void; onClose(): void }) {
  const { t } = useI18n();
  const { user, me } = props;
  const [form, setForm] = useState<UserEditForm>(() => editFormOf(user));
  const [problems, setProblems] = useState<UserProblems>({});
  const [attempt, setAttempt] = useState(0);
  const [sending, setSending] = useState(false);
  const [confirmingDemotion, setConfirmingDemotion] = useState(false);
  const [saved, setSaved] = useState<{ password: string } | null>(null);
  const [activity, setActivity] = useState<{ confirming: boolean; sending: boolean; problem?: UserProblem }>({ confirming: false, sending: false });

  const refused = (found: UserProblems) => {
    setProblems(found);
    setAttempt((n) => n + 1);
  };

  async function save(confirmed: boolean) {
    if (sending) return;
    const found = editProblems(form);
    if (hasProblems(found)) return refused(found);
    const changes = userChanges(user, form);
    if (Object.keys(changes).length === 0) return refused({ form: { kind: "nothingChanged" } });
    if (demotesSelf(user, me, changes) && !confirmed) return setConfirmingDemotion(true);
    setSending(true);
    setSaved(null);
    try {
      const updated = await api.updateUser(user.id, changes);
      setForm(editFormOf(updated));
      setProblems({});
      setSaved({ password: changes.password ?? "" });
      props.onChanged(updated, updated.id === me.id);
    } catch (error) {
      refused(userFailure(error, { action: "update", changes }));
    } finally {
      setSending(false);
      setConfirmingDemotion(false);
    }
  }

  async function toggleActivity() {
    setActivity({ confirming: true, sending: true });
    try {
      const updated = await api.updateUser(user.id, { active: !user.active });
      setActivity({ confirming: false, sending: false });
      props.onChanged(updated, updated.id === me.id);
    } catch (error) {
      const refusal = userFailure(error, { action: "activity" });
      setActivity({ confirming: false, sending: false, problem: refusal.active ?? refusal.form });
    }
  }

  return (
    <Dialog title={t("users.editTitle", { name: user.username })} onClose={props.onClose}>
      <EditUserFields user={user} me={me} form={form} problems={problems} sending={sending} attempt={attempt} confirmingDemotion={confirmingDemotion}
        onSubmit={() => void save(false)} onConfirmDemotion={() => void save(true)} onCancelDemotion={() => setConfirmingDemotion(false)}
        onChange={(next, field) => {
          setForm(next);
          setSaved(null);
          setProblems((was) => settled(was, field));
        }} />
      {saved && (
        <div data-testid="user-saved">
          <p className="success" role="status">{t("users.saved", { name: user.username })}</p>
          {saved.password && <PasswordToPassOn username={user.username} password={saved.password} />}
        </div>
      )}
      <UserActivity user={user} me={me} confirming={activity.confirming} sending={activity.sending} problem={activity.problem}
        onAsk={() => setActivity({ confirming: true, sending: false })} onConfirm={() => void toggleActivity()}
        onCancel={() => setActivity({ confirming: false, sending: false })} />
      <div className="row dialog-buttons">
        <button type="button" onClick={props.onClose}>{t("users.close")}</button>
      </div>
    </Dialog>
  );
}

// -- a user's API tokens --------------------------------------------------------------------------------

export function UserTokensView(props: {
  user: User;
  tokens: ApiToken[] | null;
  problem: string | null;
  confirming: number | null;
  revoking: boolean;
  onRevoke(id: number): void;
  onConfirm(id: number): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const name = props.user.username;
  return (
    <>
      <p className="hint">{t("users.tokensIntro", { name })}</p>
      {props.problem && <p role="alert" className="error-text" data-testid="user-tokens-problem">{props.problem}</p>}
      {props.tokens === null ? (
        !props.problem && <p className="hint">{t("users.tokensLoading")}</p>
      ) : props.tokens.length === 0 ? (
        <p className="empty" data-testid="user-tokens-none">{t("users.tokensNone", { name })}</p>
      ) : (
        <TokenTable tokens={props.tokens} confirming={props.confirming} revoking={props.revoking} onRevoke={props.onRevoke}
          onConfirm={props.onConfirm} onCancel={props.onCancel} />
      )}
    </>
  );
}

function UserTokensDialog({ user, onClose }: { user: User; onClose(): void }) {
  const { t } = useI18n();
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [problem, setProblem] = useState<{ key: "users.tokensFailed" | "users.revokeFailed"; error: unknown } | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [revoking, setRevoking] = useState(false);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let cancelled = false;
    api.userTokens(user.id).then(
      (listed) => {
        if (cancelled) return;
        setTokens(listed);
      },
      (error: unknown) => !cancelled && setProblem({ key: "users.tokensFailed", error }),
    );
    return () => {
      cancelled = true;
    };
  }, [user.id, reloads]);

  async function revoke(id: number) {
    setRevoking(true);
    try {
      await api.revokeUserToken(user.id, id);
      setProblem(null);
      setReloads((n) => n + 1);
    } catch (error) {
      // Revoked meanwhile (404): the list shows what is left.
      if (error instanceof ApiError && error.status === 404) setReloads((n) => n + 1);
      else setProblem({ key: "users.revokeFailed", error });
    } finally {
      setRevoking(false);
      setConfirming(null);
    }
  }

  return (
    <Dialog title={t("users.tokensTitle", { name: user.username })} onClose={onClose} wide>
      <UserTokensView user={user} tokens={tokens} problem={problem && t(problem.key, { message: failureMessage(problem.error) })} confirming={confirming} revoking={revoking} onRevoke={setConfirming}
        onConfirm={(id) => void revoke(id)} onCancel={() => setConfirming(null)} />
      <div className="row dialog-buttons">
        <button type="button" onClick={onClose}>{t("users.close")}</button>
      </div>
    </Dialog>
  );
}

// -- the page ------------------------------------------------------------------------------------------

export interface UsersViewProps {
  me: User;
  users: User[] | null;
  loading: boolean;
  /** Why the list is not shown: it could not be loaded. */
  problem: string | null;
  onAdd(): void;
  onEdit(id: number): void;
  onTokens(id: number): void;
  onRefresh(): void;
  children?: ReactNode;
}

/** The view, props only. */
export function UsersView(props: UsersViewProps) {
  const { t } = useI18n();
  if (props.me.role !== "admin") {
    return (
      <section className="list-page users-page" data-testid="users">
        <h1>{t("users.title")}</h1>
        <p className="error-text" role="alert" data-testid="users-problem">{t("users.adminOnly")}</p>
      </section>
    );
  }
  return (
    <section className="list-page users-page" data-testid="users">
      <h1>{t("users.title")}</h1>
      <p className="hint">{t("users.intro")}</p>
      <div className="row toolbar">
        <button type="button" className="primary" onClick={props.onAdd}>{t("users.add")}</button>
        <button type="button" onClick={props.onRefresh} disabled={props.loading}>{t("users.refresh")}</button>
      </div>
      <p className="muted" role="status" data-testid="users-status">{props.loading ? t("users.loading") : ""}</p>
      {props.problem && <p className="error-text" role="alert" data-testid="users-problem">{props.problem}</p>}
      {props.users && <UserTable users={props.users} me={props.me} onEdit={props.onEdit} onTokens={props.onTokens} />}
      {props.children}
    </section>
  );
}

type Open = { kind: "new" } | { kind: "edit" | "tokens"; id: number } | null;

/** A failure to list the users in words. */
export function usersLoadText(t: Translate, error: unknown): string {
  if (error instanceof ApiError && error.status === 403) return t("users.adminOnly");
  if (error instanceof ApiError && error.status === 0) return t("users.loadFailed", { message: t("error.network") });
  return t("users.loadFailed", { message: failureMessage(error) });
}

/**
 * The page with its state. `onSelfChanged`: the signed-in admin changed their own account (their role, or
 * deactivated themselves): the shell asks the server who is signed in now.
 */
export function UsersPage({ me, onSelfChanged }: { me: User; onSelfChanged(): void }) {
  const { t } = useI18n();
  const admin = me.role === "admin";
  const { items: users, setItems: setUsers, loading, error: loadError, reload } = useListLoad(api.listUsers, admin);
  const [open, setOpen] = useState<Open>(null);

  const chosen = open && open.kind !== "new" ? (users?.find((user) => user.id === open.id) ?? null) : null;
  const changed = (user: User, self: boolean) => {
    setUsers((listed) => listed?.map((was) => (was.id === user.id ? user : was)) ?? listed);
    if (self) onSelfChanged();
  };

  return (
    <UsersView me={me} users={users} loading={loading}
      problem={loadError !== undefined ? usersLoadText(t, loadError) : null} onAdd={() => setOpen({ kind: "new" })}
      onEdit={(id) => setOpen({ kind: "edit", id })} onTokens={(id) => setOpen({ kind: "tokens", id })} onRefresh={reload}>
      {open?.kind === "new" && <NewUserDialog onCreated={reload} onClose={() => setOpen(null)} />}
      {open?.kind === "edit" && chosen && <EditUserDialog user={chosen} me={me} onChanged={changed} onClose={() => setOpen(null)} />}
      {open?.kind === "tokens" && chosen && <UserTokensDialog user={chosen} onClose={() => setOpen(null)} />}
    </UsersView>
  );
}
