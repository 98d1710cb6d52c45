/**
 * The editor toolbar's buttons, each shown only to a role that may use it (lib/roles.ts): those that change the
 * draft (undo, redo, auto layout, delete) need the editor role, Publish the publisher's. For a viewer the store
 * refuses edits anyway; a button that does nothing when pressed only confuses.
 */
import type { Role } from "../api/types";
import { useI18n } from "../i18n";
import { may } from "../lib/roles";

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

export function EditorTools(props: EditorToolsProps) {
  const { t } = useI18n();
  const canEdit = may(props.role, "edit");
  return (
    <>
      {canEdit && (
        <>
          <button type="button" onClick={props.onUndo} disabled={!props.canUndo} title="Ctrl+Z">{t("editor.undo")}</button>
          <button type="button" onClick={props.onRedo} disabled={!props.canRedo} title="Ctrl+Y">{t("editor.redo")}</button>
          <button type="button" onClick={props.onLayout} title="L">{t("editor.layout")}</button>
        </>
      )}
      <button type="button" onClick={props.onFit} title="F">{t("editor.fit")}</button>
      {canEdit && <button type="button" onClick={props.onDelete} title="Del">{t("editor.delete")}</button>}
      <button type="button" onClick={props.onTestCall}>{t("editor.testCall")}</button>
      {may(props.role, "publish") && (
        <button type="button" className="primary" onClick={props.onPublish}>{t("editor.publish")}</button>
      )}
    </>
  );
}
