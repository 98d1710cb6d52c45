/**
 * What an analyst checks after importing a Twilio Studio flow: the server converts it and names, in the draft's
 * `meta.studio_import.report`, each widget converted approximately or left as a placeholder. The import used to open
 * the scenario saying nothing of them (analysts, 2026-12); now the list is shown first, in a dialog, with the way
 * on to the scenario. The conversion words each line from the widget's settings, in English, and codes it
 * (`meta.studio_import.entries`) for the dialog to say it in the analyst's language (studioReportText.ts).
 */
import { Dialog } from "./Dialog";
import { useI18n } from "../i18n";
import { studioReportText, type StudioReportLine } from "../lib/studioReportText";

export type { StudioReportLine };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** An entry of `meta.studio_import.entries`: a code, its params (text and numbers) and its English line. */
function isCodedLine(entry: unknown): entry is Required<StudioReportLine> {
  if (!isObject(entry) || typeof entry.code !== "string" || typeof entry.text !== "string" || !isObject(entry.params)) return false;
  return Object.values(entry.params).every((value) => typeof value === "string" || typeof value === "number");
}

/**
 * The report an import answered: its draft's `meta.studio_import.entries`, each line coded, or its English lines
 * (`report`) for a draft imported before the codes or entries it cannot read; null for a file that was no Studio flow.
 */
export function studioReportOf(imported: unknown): StudioReportLine[] | null {
  const draft = isObject(imported) ? imported.draft : undefined;
  const document = isObject(draft) ? draft.document : undefined;
  const meta = isObject(document) ? document.meta : undefined;
  const studio = isObject(meta) ? meta.studio_import : undefined;
  const report = isObject(studio) ? studio.report : undefined;
  const entries = isObject(studio) ? studio.entries : undefined;
  if (Array.isArray(entries) && entries.every(isCodedLine)) {
    return entries.map(({ code, params, text }) => ({ code, params, text }));
  }
  return Array.isArray(report) ? report.filter((line): line is string => typeof line === "string").map((text) => ({ text })) : null;
}

export function StudioImportReport(props: { slug: string; name: string; report: StudioReportLine[]; onOpen(): void; onClose(): void }) {
  const { t, language } = useI18n();
  return (
    <Dialog title={t("list.studioReportTitle")} onClose={props.onClose} wide>
      {/* Studio's flows answered a phone number; here the dialplan dials the slug, and says so nowhere else. */}
      <p>{t("list.studioReportDial", { slug: props.slug })}</p>
      <p>{t("list.studioReportIntro", { name: props.name || props.slug })}</p>
      {props.report.length > 0 ? (
        <ul className="studio-report">
          {/* Rendered as text: a line quotes the flow's widget names and settings. */}
          {props.report.map((line, i) => (
            <li key={i}>{studioReportText(line, language)}</li>
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
