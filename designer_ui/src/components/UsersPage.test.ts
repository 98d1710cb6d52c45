import { beforeEach, describe, expect, it, vi } from "vitest";

// The generated client's transport: what the users routes were asked, and what they answer.
const transport = vi.hoisted(() => ({ GET: vi.fn(), POST: vi.fn(), PATCH: vi.fn(), DELETE: vi.fn() }));
vi.mock("openapi-fetch", async (actual) => ({
  ...(await actual<typeof import("openapi-fetch")>()),
  default: () => ({ use: () => undefined, ...transport }),
}));

import { createUser, listUsers, revokeUserToken, updateUser, userTokens } from "../api/client";
import { ApiError } from "../api/http";
import type { ApiToken, User } from "../api/types";
import { LANGUAGES, translator, type Language } from "../lib/i18n";
import { emptyNewUser, type NewUserForm, type UserEditForm, type UserProblems } from "../lib/users";
import { runInTimeZone } from "../testSupport";
import { buttonTexts, renderInLanguage, renderToHtml, tableCells as cells, visibleText as text } from "./renderForTest";
import {
  EditUserFields,
  NewUserFields,
  UserActivity,
  UserCreated,
  UsersPage,
  UsersView,
  UserTable,
  UserTokensView,
  usersLoadText,
  type UsersViewProps,
} from "./UsersPage";

runInTimeZone("Europe/Madrid");

const user = (change: Partial<User> = {}): User => ({ id: 2, username: "ana", role: "viewer", active: true, sees_personal_data: false, ...change });
const me = user({ id: 1, username: "root", role: "admin", sees_personal_data: true });
const users = [
  user(),
  me,
  user({ id: 3, username: "sup", role: "publisher", sees_personal_data: true }),
  user({ id: 4, username: "old", role: "editor", active: false }),
];
const noop = () => undefined;

/** The opening tag of the element named `name` (an input's, a select's). */
const tag = (html: string, name: string) => new RegExp(`<(input|select)[^>]*name="${name}"[^>]*>`).exec(html)?.[0] ?? "";
/** The text of the element with this data-testid. */
const marked = (html: string, id: string) => text(new RegExp(`data-testid="${id}"[^>]*>(.*?)</p>`, "s").exec(html)?.[1] ?? "");
/** The ids an element's aria-describedby names, and the texts of the elements with those ids. */
function describedBy(html: string, element: string): string[] {
  const ids = /aria-describedby="([^"]*)"/.exec(element)?.[1]?.split(" ") ?? [];
  return ids.map((id) => text(new RegExp(`<p id="${id}"[^>]*>(.*?)</p>`, "s").exec(html)?.[1] ?? `(no ${id})`));
}

const view = (over: Partial<UsersViewProps> = {}): UsersViewProps => ({
  me,
  users,
  loading: false,
  problem: null,
  onAdd: noop,
  onEdit: noop,
  onTokens: noop,
  onRefresh: noop,
  ...over,
});
const newFields = (form: Partial<NewUserForm> = {}, problems: UserProblems = {}, sending = false) =>
  renderToHtml(NewUserFields, { form: { ...emptyNewUser(), ...form }, problems, sending, attempt: 0, onChange: noop, onSubmit: noop, onCancel: noop });
const editFields = (form: Partial<UserEditForm> = {}, problems: UserProblems = {}, change: { user?: User; confirmingDemotion?: boolean } = {}) => {
  const edited = change.user ?? users[0]!;
  return renderToHtml(EditUserFields, {
    user: edited,
    me,
    form: { role: edited.role, seesPersonalData: edited.sees_personal_data, password: "", generated: false, ...form },
    problems,
    sending: false,
    attempt: 0,
    confirmingDemotion: change.confirmingDemotion ?? false,
    onChange: noop,
    onSubmit: noop,
    onConfirmDemotion: noop,
    onCancelDemotion: noop,
  });
};
const activity = (change: Partial<Parameters<typeof UserActivity>[0]> = {}) =>
  renderToHtml(UserActivity, { user: users[0]!, me, confirming: false, sending: false, problem: undefined, onAsk: noop, onConfirm: noop, onCancel: noop, ...change });

beforeEach(() => {
  for (const method of Object.values(transport)) method.mockReset();
});

describe("the users routes through the typed client", () => {
  const ok = (data: unknown, status = 200) => ({ data, response: new Response(null, { status }) });

  it("lists, creates, changes and revokes at the paths the API has", async () => {
    transport.GET.mockResolvedValueOnce(ok(users));
    expect(await listUsers()).toEqual(users);
    expect(transport.GET.mock.calls[0]![0]).toBe("/api/users");

    transport.POST.mockResolvedValueOnce(ok(users[0], 201));
    await createUser({ username: "ana", password: "temporary-1", role: "viewer" });
    expect(transport.POST.mock.calls[0]).toEqual(["/api/users", { body: { username: "ana", password: "temporary-1", role: "viewer" } }]);

    transport.PATCH.mockResolvedValueOnce(ok({ ...users[0], role: "editor" }));
    expect((await updateUser(2, { role: "editor" })).role).toBe("editor");
    expect(transport.PATCH.mock.calls[0]).toEqual(["/api/users/{user_id}", { params: { path: { user_id: 2 } }, body: { role: "editor" } }]);

    transport.GET.mockResolvedValueOnce(ok([]));
    await userTokens(2);
    expect(transport.GET.mock.calls[1]).toEqual(["/api/users/{user_id}/tokens", { params: { path: { user_id: 2 } } }]);

    transport.DELETE.mockResolvedValueOnce({ response: new Response(null, { status: 204 }) });
    await revokeUserToken(2, 7);
    expect(transport.DELETE.mock.calls[0]).toEqual(["/api/users/{user_id}/tokens/{token_id}", { params: { path: { user_id: 2, token_id: 7 } } }]);
  });

  it("turns a refusal into an ApiError with its status and the whole problem, for the form to place it", async () => {
    const body = { type: "https://ivrgraph.dev/problems/already-exists", title: "already exists", status: 409, detail: "user 'ana' already exists" };
    transport.POST.mockResolvedValueOnce({ error: body, response: new Response(null, { status: 409 }) });
    const failure = await createUser({ username: "ana", password: "temporary-1", role: "viewer" }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(409);
    expect((failure as ApiError).body).toEqual(body);
  });
});

describe("the table of users", () => {
  it("shows each user's name, role, activity and personal data, the signed-in admin marked", () => {
    const html = renderToHtml(UserTable, { users, me, onEdit: noop, onTokens: noop });
    expect(cells(html)).toEqual([
      ["User name", "Role", "Active", "Reads personal data", "Actions"],
      ["ana", "viewer", "active", "no", "Edit API tokens"],
      ["root you", "administrator", "active", "yes", "Edit API tokens"],
      ["sup", "publisher", "active", "yes", "Edit API tokens"],
      ["old", "editor", "deactivated", "no", "Edit API tokens"],
    ]);
    expect(html.match(/data-testid="you"/g)).toHaveLength(1);
    expect(html).toContain('<tr data-user="old" class="inactive">');
    // Each button says whose it is to a screen reader, as the scenario list's do.
    expect(html).toContain('aria-label="Edit ana"');
    expect(html).toContain('aria-label="API tokens of sup"');
  });

  it("is an admin's page: anyone else is told so, and nothing is offered", () => {
    const html = renderToHtml(UsersView, view({ me: user({ role: "publisher" }) }));
    expect(marked(html, "users-problem")).toBe("Only an administrator manages users.");
    expect(html).not.toContain("<table");
    expect(buttonTexts(html)).toEqual([]);
  });

  it("says that it loads, and why the list is missing", () => {
    const loading = renderToHtml(UsersView, view({ users: null, loading: true }));
    expect(marked(loading, "users-status")).toBe("Loading the users…");
    expect(buttonTexts(loading)).toEqual(["Add a user", "Refresh"]);
    expect(loading).toMatch(/<button type="button" disabled="">Refresh<\/button>/);
    const failed = renderToHtml(UsersView, view({ users: null, problem: "The users could not be loaded: The server did not answer." }));
    expect(marked(failed, "users-problem")).toBe("The users could not be loaded: The server did not answer.");
    expect(failed).toContain('role="alert"');
    const t = translator("en");
    expect(usersLoadText(t, new ApiError(0, null, "Failed to fetch"))).toBe("The users could not be loaded: The server did not answer.");
    expect(usersLoadText(t, new ApiError(403, {}, "this needs the admin role"))).toBe("Only an administrator manages users.");
  });

  it("renders the page for an admin asking for the list, for anyone else not at all", () => {
    expect(marked(renderToHtml(UsersPage, { me, onSelfChanged: noop }), "users-status")).toBe("Loading the users…");
    expect(marked(renderToHtml(UsersPage, { me: user(), onSelfChanged: noop }), "users-problem")).toBe("Only an administrator manages users.");
  });
});

describe("adding a user", () => {
  it("asks a name, a temporary password (or generates one), a role and personal data, as the API defaults them", () => {
    const html = newFields();
    expect(buttonTexts(html)).toEqual(["Generate", "Add user", "Cancel"]);
    expect(tag(html, "user-password")).toContain('type="password"');
    expect(tag(html, "user-password")).toContain('autoComplete="new-password"');
    const roles = [...html.matchAll(/<option value="(\w+)"( selected="")?>([^<]*)</g)].map((m) => `${m[1]}${m[2] ? "*" : ""}=${m[3]}`);
    expect(roles).toEqual(["viewer*=viewer", "editor=editor", "publisher=publisher", "admin=administrator"]);
    expect(tag(html, "sees-personal-data")).not.toContain("checked");
    expect(describedBy(html, tag(html, "sees-personal-data"))[0]).toMatch(/^Callers' and clients' phone numbers/);
    // An admin reads personal data unless the admin unticks it (which the API refuses).
    const admin = newFields({ role: "admin" });
    expect(tag(admin, "sees-personal-data")).toContain('checked=""');
    expect(describedBy(admin, tag(admin, "sees-personal-data"))).toEqual(["An administrator always reads personal data: to take it away, give a lower role."]);
    expect(tag(newFields({ role: "admin", seesPersonalData: false }), "sees-personal-data")).not.toContain("checked");
  });

  it("shows a generated password as text, said to be shown to pass it on", () => {
    const html = newFields({ password: "Kp7xMqR3vT9aWc2h", generated: true });
    expect(tag(html, "user-password")).toContain('type="text"');
    expect(tag(html, "user-password")).toContain('value="Kp7xMqR3vT9aWc2h"');
    expect(describedBy(html, tag(html, "user-password"))[0]).toBe("A strong random password was made: it is shown so that you can pass it on.");
  });

  it("shows each problem next to its field, the field invalid and described by it, what was typed kept", () => {
    const form = { username: "ana", password: "Kp7xMqR3vT9aWc2h", generated: true, role: "admin" as const, seesPersonalData: false };
    const html = newFields(form, {
      username: { kind: "usernameTaken", username: "ana" },
      seesPersonalData: { kind: "server", message: "an admin always sees personal data: give the user a lower role to take it away" },
    });
    const username = tag(html, "username");
    expect(username).toContain('aria-invalid="true"');
    expect(username).toContain('value="ana"');
    expect(describedBy(html, username)[0]).toBe("There is a user named ana already: choose another name.");
    const box = tag(html, "sees-personal-data");
    expect(box).toContain('aria-invalid="true"');
    expect(describedBy(html, box)[0]).toBe("an admin always sees personal data: give the user a lower role to take it away");
    // Right after the box it is about, before the buttons.
    expect(html.indexOf("an admin always sees personal data")).toBeGreaterThan(html.indexOf('name="sees-personal-data"'));
    expect(tag(html, "user-password")).toContain('value="Kp7xMqR3vT9aWc2h"');
    expect(tag(html, "user-password")).not.toContain("aria-invalid");
    expect(html).toMatch(/<option value="admin" selected="">/);
  });

  it("says a problem that is the whole form's above the buttons, and that it is sending", () => {
    const html = newFields({ username: "ana" }, { form: { kind: "network" } }, true);
    expect(marked(html, "user-problem-form")).toBe("The server did not answer. Nothing was lost: try again.");
    expect(buttonTexts(html)).toEqual(["Generate", "Adding…", "Cancel"]);
    const server = newFields({}, { form: { kind: "server", message: "unexpected error; it has been logged" } });
    expect(marked(server, "user-problem-form")).toBe("Not saved: unexpected error; it has been logged");
  });

  it("shows the user made and their temporary password once, to copy", () => {
    const html = renderToHtml(UserCreated, { user: users[0]!, password: "Kp7xMqR3vT9aWc2h", onDone: noop });
    expect(html).toContain("User ana added, with the role viewer.");
    expect(html).toContain("Pass this temporary password on now: it is not shown again.");
    const shown = /<input[^>]*data-testid="password-value"[^>]*>/.exec(html)![0];
    expect(shown).toContain('readOnly=""');
    expect(shown).toContain('aria-label="Temporary password of ana"');
    expect(shown).toContain('value="Kp7xMqR3vT9aWc2h"');
    expect(buttonTexts(html)).toEqual(["Copy", "Done"]);
  });
});

describe("changing a user", () => {
  it("offers the role, personal data and a new password, empty: the password stays", () => {
    const html = editFields();
    expect(html).toMatch(/<option value="viewer" selected="">/);
    expect(tag(html, "user-password")).toContain('value=""');
    expect(describedBy(html, tag(html, "user-password"))[0]).toMatch(/^Left empty, the password stays\. A new one \(at least 8 characters\) signs/);
    expect(buttonTexts(html)).toEqual(["Generate", "Save changes"]);
  });

  it("shows the last admin's refusal at the role, and asks an admin lowering themselves before sending", () => {
    const message = "the last active admin cannot be demoted or deactivated: make another admin first";
    const refused = editFields({ role: "editor" }, { role: { kind: "server", message } }, { user: me });
    expect(tag(refused, "user-role")).toContain('aria-invalid="true"');
    expect(describedBy(refused, tag(refused, "user-role"))).toEqual([message]);
    const asking = editFields({ role: "publisher", seesPersonalData: true }, {}, { user: me, confirmingDemotion: true });
    expect(asking).toContain('role="alertdialog"');
    expect(text(asking)).toContain("Lower your own role to publisher? You stop managing users");
    expect(buttonTexts(asking)).toEqual(["Generate", "Lower my role", "Keep as it is"]);
  });

  it("asks before deactivating or reactivating, saying what it does, and to an admin about themselves", () => {
    expect(buttonTexts(activity())).toEqual(["Deactivate…"]);
    expect(text(activity())).toContain("ana may sign in.");
    const asking = activity({ confirming: true });
    expect(asking).toContain('role="alertdialog"');
    expect(text(asking)).toContain("Deactivate ana? They are signed out everywhere at once and every API token of theirs is revoked.");
    expect(buttonTexts(asking)).toEqual(["Deactivate", "Keep as it is"]);
    expect(text(activity({ user: me, confirming: true }))).toContain("Deactivate yourself? You are signed out at once");
    const inactive = users[3]!;
    expect(text(activity({ user: inactive }))).toContain("old is deactivated: they cannot sign in");
    expect(buttonTexts(activity({ user: inactive }))).toEqual(["Reactivate…"]);
    expect(text(activity({ user: inactive, confirming: true }))).toContain("Reactivate old? They can sign in again with their password.");
    const message = "the last active admin cannot be demoted or deactivated: make another admin first";
    const refused = activity({ user: me, problem: { kind: "server", message } });
    expect(describedBy(refused, /<button[^>]*name="user-activity"[^>]*>/.exec(refused)![0])).toEqual([message]);
  });
});

describe("a user's API tokens", () => {
  const token: ApiToken = { id: 7, name: "crm", role: "viewer", sees_personal_data: false, created_at: "2026-12-01T08:00:00Z", expires_at: null, last_used_at: "2026-12-04T09:30:00Z" };
  const tokens = (change: Partial<Parameters<typeof UserTokensView>[0]> = {}) =>
    renderToHtml(UserTokensView, { user: users[0]!, tokens: [token], problem: null, confirming: null, revoking: false, onRevoke: noop, onConfirm: noop, onCancel: noop, ...change });

  it("lists them with their role, creation, expiry and last use, and asks before revoking one", () => {
    expect(cells(tokens())[1]!.slice(0, 6)).toEqual(["crm", "viewer", "masked", "Dec 1, 2026, 9:00 AM", "never", "Dec 4, 2026, 10:30 AM"]);
    expect(tokens()).toContain('aria-label="Revoke token crm"');
    expect(text(tokens({ confirming: 7 }))).toContain("Revoke “crm”? Whatever uses it is refused from its next request.");
  });

  it("says when there are none (theirs, not yours), while they load, and why they could not be", () => {
    expect(tokens({ tokens: [] })).toContain("ana has no API tokens.");
    expect(tokens({ tokens: [] })).not.toContain("You have");
    expect(text(tokens({ tokens: null }))).toContain("Loading the tokens…");
    const failed = tokens({ tokens: null, problem: "The tokens could not be loaded: HTTP 500" });
    expect(marked(failed, "user-tokens-problem")).toBe("The tokens could not be loaded: HTTP 500");
    expect(failed).not.toContain("Loading");
  });
});

describe("the page in Spanish and Russian", () => {
  const say = (language: Language) => ({
    page: renderInLanguage(language, UsersView, view()),
    form: renderInLanguage(language, NewUserFields, {
      form: { ...emptyNewUser(), role: "admin" },
      problems: { username: { kind: "usernameTaken", username: "ana" } },
      sending: false,
      attempt: 0,
      onChange: noop,
      onSubmit: noop,
      onCancel: noop,
    }),
  });

  it("says every label, and the problems, in the language", () => {
    const es = say("es");
    expect(es.page).toContain("<h1>Usuarios</h1>");
    expect(cells(es.page)[0]).toEqual(["Nombre de usuario", "Rol", "Activo", "Ve datos personales", "Acciones"]);
    expect(cells(es.page)[2]).toEqual(["root usted", "administrador", "activo", "sí", "Editar Tokens de API"]);
    expect(buttonTexts(es.form)).toEqual(["Generar", "Añadir usuario", "Cancelar"]);
    expect(text(es.form)).toContain("Ya hay un usuario llamado ana: elija otro nombre.");
    expect(text(es.form)).toContain("Un administrador siempre ve los datos personales");
    const ru = say("ru");
    expect(ru.page).toContain("<h1>Пользователи</h1>");
    expect(cells(ru.page)[4]).toEqual(["old", "редактор", "отключён", "нет", "Изменить API-токены"]);
    expect(buttonTexts(ru.form)).toEqual(["Сгенерировать", "Добавить", "Отмена"]);
    expect(text(ru.form)).toContain("Пользователь с именем ana уже есть: выберите другое имя.");
  });

  it("has every Users string in each language, none left in English", () => {
    const keys = Object.keys(LANGUAGES.en).filter((key) => key.startsWith("users.") || key === "app.users");
    expect(keys.length).toBeGreaterThan(60);
    const same = new Set(["users.no"]); // "no" is Spanish too
    for (const language of ["es", "ru"] as const) {
      const messages = LANGUAGES[language] as Record<string, string>;
      const t = translator(language);
      for (const key of keys) {
        expect(messages[key], `${language} ${key}`).toBeTruthy();
        if (language === "ru" || !same.has(key)) expect(messages[key], `${language} ${key}`).not.toBe((LANGUAGES.en as Record<string, string>)[key]);
        // Each parameter the English text has, the translation has too.
        const wanted = [...(LANGUAGES.en as Record<string, string>)[key]!.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect([...messages[key]!.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort(), `${language} ${key}`).toEqual(wanted);
      }
      expect(t("users.created", { name: "ana", role: "x" })).not.toMatch(/[{}]/);
    }
  });
});
