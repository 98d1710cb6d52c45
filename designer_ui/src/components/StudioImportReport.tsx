/**
 * What an analyst checks after importing a Twilio Studio flow: the server converts it and names, in the draft's
 * `meta.studio_import.report`, each widget converted approximately or left as a placeholder. The import used to open
 * the scenario saying nothing of them (analysts, 2026-12); now the list is shown first, in a dialog, with the way
 * on to the scenario. The lines are the server's, in English: the conversion words them from each widget's settings.
 */
import { Dialog } from "./Dialog";
import { useI18n } from "../i18n";

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** The report an import answered (its draft's `meta.studio_import.report`); null for a file that was no Studio flow. */
export function studioReportOf(imported: unknown): string[] | null {
  const draft = isObject(imported) ? imported.draft : undefined;
  const document = isObject(draft) ? draft.document : undefined;
  const meta = isObject(document) ? document.meta : undefined;
  const studio = isObject(meta) ? meta.studio_import : undefined;
  const report = isObject(studio) ? studio.report : undefined;
  return Array.isArray(report) ? report.filter((line): line is string => typeof line === "string") : null;
}

export function StudioImportReport(props: { slug: string; name: string; report: string[]; onOpen(): void; onClose(): void }) {
  const { t } = useI18n();
  return (
    <Dialog title={t("list.studioReportTitle")} onClose={props.onClose} wide>
      {/* Studio's flows answered a phone number; here the dialplan dials the slug, and says so nowhere else. */}
      <p>{t("list.studioReportDial", { slug: props.slug })}</p>
      <p>{t("list.studioReportIntro", { name: props.name || props.slug })}</p>
      {props.report.length > 0 ? (
        <ul className="studio-report">
          {/* Server text, rendered as text: a line quotes the flow's widget names and settings. */}
          {props.report.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ul>
      ) : (
        <p>{t("list.studioReportNothing")}</p>
      )}
      <div className="row">
        <button type="button" className="primary" onClick={props.onOpen}>{t("list.studioReportOpen")}</button>
        <button type="button" onClick={props.onClose}>{t("list.studioReportClose")}</button>
      </div>
    </Dialog>
  );
}
