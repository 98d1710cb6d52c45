/**
 * The editor toolbar's buttons, each shown only to a role that may use it (lib/roles.ts): those that change the
 * draft (undo, redo, auto layout, delete) need the editor role, Publish the publisher's. For a viewer the store
 * refuses edits anyway; a button that does nothing when pressed only confuses. Over a published version shown
 * read-only (a call's path on the version it ran) the editing tools stay, disabled, their tooltip saying why: they
 * come back once the draft does.
 */
import type { Role } from "../api/types";
import { useI18n } from "../i18n";
import { may } from "../lib/roles";
import { useEditor } from "../store/editor";

export interface EditorToolsProps {
  role: Role;
  canUndo: boolean;
  canRedo: boolean;
  onUndo(): void;
  onRedo(): void;
  onLayout(): void;
  onFit(): void;
  onDelete(): void;
  onTestCall(): void;
  onPublish(): void;
}

/** `EditorToolsView` for the canvas as it is: a version shown in the draft's place or the draft. */
export function EditorTools(props: EditorToolsProps) {
  const versionShown = useEditor((s) => s.versionView !== null);
  return <EditorToolsView {...props} versionShown={versionShown} />;
}

/** The toolbar; `versionShown`: a published version is on the canvas, read-only. Props only. */
export function EditorToolsView(props: EditorToolsProps & { versionShown: boolean }) {
  const { t } = useI18n();
  const canEdit = may(props.role, "edit");
  const locked = props.versionShown;
  const why = (shortcut: string) => (locked ? t("calls.versionReadOnlyHint") : shortcut);
  return (
    <>
      {canEdit && (
        <>
          <button type="button" onClick={props.onUndo} disabled={locked || !props.canUndo} title={why("Ctrl+Z")}>{t("editor.undo")}</button>
          <button type="button" onClick={props.onRedo} disabled={locked || !props.canRedo} title={why("Ctrl+Y")}>{t("editor.redo")}</button>
          <button type="button" onClick={props.onLayout} disabled={locked} title={why("L")}>{t("editor.layout")}</button>
        </>
      )}
      <button type="button" onClick={props.onFit} title="F">{t("editor.fit")}</button>
      {canEdit && <button type="button" onClick={props.onDelete} disabled={locked} title={why("Del")}>{t("editor.delete")}</button>}
      <button type="button" onClick={props.onTestCall}>{t("editor.testCall")}</button>
      {may(props.role, "publish") && (
        <button type="button" className="primary" onClick={props.onPublish}>{t("editor.publish")}</button>
      )}
    </>
  );
}
