/**
 * The shell: who is signed in, and which page the hash names (#/ list, #/s/<slug> editor, its `?call=<id>` opening
 * a call's path on the canvas, #/reports?scenario=<slug>, #/calls?... the call register, #/callbacks?... the callback
 * jobs, #/users and #/data-sources for an admin).
 */
import { Suspense, lazy, useCallback, useEffect, useState } from "react";
import * as api from "./api/client";
import { ApiError } from "./api/http";
import type { User } from "./api/types";
import { AccountControls } from "./components/AccountControls";
import { callsPath, NO_REGISTER_FILTERS } from "./components/callRegister";
import { DataSourcesPage } from "./components/DataSourcesPage";
import { LoginPage } from "./components/LoginPage";
import { ChunkErrorBoundary } from "./components/NewVersionNotice";
import { PasswordDialog } from "./components/PasswordDialog";
import { ReportsPage } from "./components/ReportsPage";
import { ScenarioList } from "./components/ScenarioList";
import { TokensDialog } from "./components/TokensDialog";
import { UsersPage } from "./components/UsersPage";
import { I18nProvider, useI18n } from "./i18n";
import { routeTabTitle, useDocumentTitle } from "./lib/documentTitle";
import { readHashQuery } from "./lib/hashQuery";
import { signOut } from "./lib/signOut";

// The editor (React Flow, rjsf, ajv, dagre) is most of the code: load it when a scenario is opened, so the
// sign-in page and the list come up fast.
const EditorPage = lazy(() => import("./components/EditorPage").then((module) => ({ default: module.EditorPage })));
// The Calls page tells a call's story with the editor's own components: loaded when it is opened, as the editor is.
const CallsPage = lazy(() => import("./components/CallsPage").then((module) => ({ default: module.CallsPage })));
const CallbacksPage = lazy(() => import("./components/CallbacksPage").then((module) => ({ default: module.CallbacksPage })));
// Names the tab after the scenario being edited, from the editor's store: loaded with the editor.
const EditorTitle = lazy(() => import("./components/EditorTitle").then((module) => ({ default: module.EditorTitle })));

function useHashRoute(): string {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return hash.replace(/^#/, "") || "/";
}

export function navigate(path: string): void {
  window.location.hash = path;
}

function Shell() {
  const { t } = useI18n();
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const [signingOut, setSigningOut] = useState(false);
  const [changingPassword, setChangingPassword] = useState(false);
  const [managingTokens, setManagingTokens] = useState(false);
  const route = useHashRoute();
  // The tab says the page in the interface language; the editor's says its scenario (EditorTitle).
  useDocumentTitle(routeTabTitle(route, t, Boolean(user)));

  // A session that ends mid-edit asks for the password over the page, so the unsaved canvas stays put.
  useEffect(() => {
    const onExpired = () => setExpired(true);
    window.addEventListener(api.SESSION_EXPIRED, onExpired);
    return () => window.removeEventListener(api.SESSION_EXPIRED, onExpired);
  }, []);

  useEffect(() => {
    api.me().then(setUser, (error: unknown) => {
      if (!(error instanceof ApiError) || error.status !== 401) console.warn("session check failed", error);
      setUser(null);
    });
  }, []);

  // An edit not saved yet is saved before the session ends (lib/signOut.ts), which can take a moment.
  const logout = useCallback(async () => {
    setSigningOut(true);
    try {
      await signOut();
    } finally {
      setSigningOut(false);
      setExpired(false);
      setUser(null);
    }
  }, []);

  if (user === undefined) return <div className="centered">{t("editor.loading")}</div>;
  if (user === null) return <LoginPage onLogin={(signedIn) => {
    setExpired(false);
    setUser(signedIn);
  }} />;

  const editing = /^\/s\/([^?]+)(?:\?(.*))?$/.exec(route);
  const reporting = /^\/reports(?:\?(.*))?$/.exec(route);
  const calls = /^\/calls(?:\?(.*))?$/.exec(route);
  const callbacks = /^\/callbacks(?:\?(.*))?$/.exec(route);
  const managingUsers = route === "/users";
  const managingSources = route === "/data-sources";
  // The API lets only an admin manage users (api/routes/users.py): the link is not offered to anyone else.
  const admin = user.role === "admin";
  // From a scenario's editor (where its Calls panel is), Reports opens on that scenario's calls.
  const reportsLink = editing ? `#/reports?${new URLSearchParams({ scenario: decodeURIComponent(editing[1]!) })}` : "#/reports";
  // And the Calls page on its calls, every scenario's once the filter is cleared.
  const callsLink = editing ? `#${callsPath({ filters: { ...NO_REGISTER_FILTERS, scenario: decodeURIComponent(editing[1]!) }, call: "" })}` : "#/calls";
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="#/">
          ivrgraph
        </a>
        <nav aria-label={t("app.title")}>
          <a href="#/">{t("app.scenarios")}</a>
          <a href={reportsLink}>{t("app.reports")}</a>
          <a href={callsLink} aria-current={calls ? "page" : undefined}>{t("app.calls")}</a>
          <a href="#/callbacks" aria-current={callbacks ? "page" : undefined}>{t("app.callbacks")}</a>
          {admin && <a href="#/users">{t("app.users")}</a>}
          {admin && <a href="#/data-sources" aria-current={managingSources ? "page" : undefined}>{t("app.dataSources")}</a>}
        </nav>
        <AccountControls
          user={user}
          signingOut={signingOut}
          onChangePassword={() => setChangingPassword(true)}
          onManageTokens={() => setManagingTokens(true)}
          onLogout={() => void logout()}
        />
      </header>
      {changingPassword && <PasswordDialog username={user.username} onClose={() => setChangingPassword(false)} />}
      {managingTokens && <TokensDialog role={user.role} seesPersonalData={user.sees_personal_data} onClose={() => setManagingTokens(false)} />}
      {expired && (
        <div className="overlay">
          <LoginPage
            onLogin={(signedIn) => {
              setExpired(false);
              setUser(signedIn);
            }}
          />
        </div>
      )}
      <main className="page">
        {/* A page whose code is gone after an upgrade says so, and the rest of the app stays (NewVersionNotice). */}
        <ChunkErrorBoundary resetKey={route}>
          <Suspense fallback={<p className="centered">{t("editor.loading")}</p>}>
            {editing ? (
              <>
                <EditorTitle slug={decodeURIComponent(editing[1]!)} />
                <EditorPage key={editing[1]} slug={decodeURIComponent(editing[1]!)} user={user} openCall={readHashQuery(editing[2] ?? "").get("call") ?? null} />
              </>
            ) : calls ? <CallsPage query={calls[1] ?? ""} user={user} />
              : callbacks ? <CallbacksPage query={callbacks[1] ?? ""} user={user} />
              : reporting ? <ReportsPage key={route} initialScenario={new URLSearchParams(reporting[1] ?? "").get("scenario") ?? ""} />
              // An admin who lowered their own role or deactivated themselves: who is signed in now (a 401 asks again).
              : managingUsers ? <UsersPage me={user} onSelfChanged={() => void api.me().then(setUser, () => undefined)} />
              : managingSources ? <DataSourcesPage me={user} />
              : <ScenarioList user={user} />}
          </Suspense>
        </ChunkErrorBoundary>
      </main>
    </div>
  );
}

export function App() {
  return (
    <I18nProvider>
      <Shell />
    </I18nProvider>
  );
}
