/** The selected block: label, id, its config form (from the block's JSON Schema) and where each exit goes. */
import Form from "@rjsf/core";
import type { RJSFSchema } from "@rjsf/utils";
import validator from "@rjsf/validator-ajv8";
import { useMemo, useState } from "react";
import type { AudioAsset } from "../api/client";
import { useI18n } from "../i18n";
import type { BlockNode } from "../lib/convert";
import { blockTitle, exitLabel } from "../lib/blockText";
import { pruneConfig, type BlockSpec, type Config } from "../lib/catalog";
import { jsonEqual } from "../lib/exits";
import { nodeExits } from "../lib/graph";
import { readableErrors } from "../lib/formErrors";
import { configFieldOf } from "../lib/problems";
import { itemTitle, localizeSchema } from "../lib/schemaText";
import { formUiSchema } from "../lib/uischema";
import { availableVariables } from "../lib/variables";
import { useEditor } from "../store/editor";
import { BUTTON_TEMPLATES } from "./formButtons";
import { FieldDescription, TextWithCode } from "./InlineCode";
import { WIDGETS, type FormContext } from "./widgets";

const FORM_TEMPLATES = { ButtonTemplates: BUTTON_TEMPLATES, DescriptionFieldTemplate: FieldDescription };

function unwiredMeaning(meanings: Record<string, string> | undefined, exit: string): string {
  return meanings?.[exit] ?? meanings?.["*"] ?? "";
}

/** Names the forms offer as suggestions: other scenarios, audio assets, data sources. */
export interface Suggestions {
  scenarios: string[];
  audio: AudioAsset[];
  dataSources: string[];
}

/** The block id, renamed on leaving the field; a taken or invalid id snaps back. Keyed by id: fresh per block. */
function NodeIdField({ id, rename }: { id: string; rename(id: string, newId: string): boolean }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState(id);
  return (
    <label>
      {t("editor.id")}
      <input
        name="node-id"
        className="mono"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => {
          if (draft !== id && !rename(id, draft)) setDraft(id);
        }}
      />
    </label>
  );
}

/**
 * A block's config form, drawn from its JSON Schema: titles in the interface language, list rows labelled
 * "Key 1", "Key 2", and a value of the wrong form said in words, not as the schema's regular expression.
 * `onChange` gets the config pruned of empty values, and only when it differs from `config`.
 */
export function BlockConfigForm(props: {
  nodeId: string;
  spec: BlockSpec;
  config: Config;
  formContext: FormContext;
  readOnly: boolean;
  onChange(config: Config): void;
}) {
  const { t, language } = useI18n();
  const { spec, config } = props;
  const uiSchema = useMemo(() => formUiSchema(spec.config_schema, (list, n) => itemTitle(list, n, language, t)), [spec, language, t]);
  const schema = useMemo(() => localizeSchema(spec.config_schema, language), [spec, language]);
  const transformErrors = useMemo(() => readableErrors(spec.config_schema, t), [spec, t]);
  return (
    <Form
      schema={schema as RJSFSchema}
      uiSchema={uiSchema}
      formData={config}
      formContext={props.formContext}
      validator={validator}
      widgets={WIDGETS}
      templates={FORM_TEMPLATES}
      transformErrors={transformErrors}
      liveValidate="onChange"
      showErrorList={false}
      noHtml5Validate
      disabled={props.readOnly}
      idPrefix={`cfg-${props.nodeId}`}
      onChange={(event) => {
        // rjsf reports a change on mount (filling defaults): only real edits enter the history.
        const next = pruneConfig((event.formData ?? {}) as Record<string, unknown>, spec.config_schema);
        if (!jsonEqual(next, config)) props.onChange(next);
      }}
    />
  );
}

export function BlockPanel({ node, suggestions }: { node: BlockNode; suggestions: Suggestions }) {
  const { t, language } = useI18n();
  const spec = useEditor((s) => s.catalog.get(node.data.blockType));
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const head = useEditor((s) => s.head);
  const catalog = useEditor((s) => s.catalog);
  const problems = useEditor((s) => s.problems);
  const readOnly = useEditor((s) => s.readOnly);
  const updateNode = useEditor((s) => s.updateNode);
  const renameNode = useEditor((s) => s.renameNode);
  const setExitTarget = useEditor((s) => s.setExitTarget);

  const formContext = useMemo<FormContext>(
    () => ({
      variables: availableVariables(head, nodes),
      nodes: nodes.filter((n) => n.id !== node.id).map((n) => ({ id: n.id, title: n.data.label ? `${n.data.label} (${n.id})` : n.id })),
      ...suggestions,
      language: head.language ?? "en",
    }),
    // Node titles and variables change rarely; recomputing on every keystroke is cheap enough at this size.
    [head, nodes, node.id, suggestions],
  );
  const exits = nodeExits(node, catalog, edges);
  const nodeProblems = problems.filter((p) => p.node === node.id);
  const problemFields = new Set(nodeProblems.map((p) => configFieldOf(p.path)).filter(Boolean));

  return (
    <fieldset className="block-panel" data-testid="block-panel" disabled={readOnly}>
      <h2>{blockTitle(language, node.data.blockType, spec?.title ?? node.data.blockType)}</h2>
      {spec?.description && (
        <p className="muted description">
          <TextWithCode text={spec.description} />
        </p>
      )}
      {!spec && <p className="error-text">{t("editor.unknownBlock", { type: node.data.blockType })}</p>}
      <label>
        {t("editor.label")}
        <input
          name="label"
          value={node.data.label ?? ""}
          onChange={(e) => updateNode(node.id, { label: e.target.value })}
        />
      </label>
      <NodeIdField key={node.id} id={node.id} rename={renameNode} />
      {nodeProblems.length > 0 && (
        <ul className="node-problems" aria-label={t("problems.title")}>
          {nodeProblems.map((p, i) => (
            <li key={`${p.code}-${i}`} className={`problem ${p.severity}`}>
              {p.message}
            </li>
          ))}
        </ul>
      )}
      {spec && (
        <div className={`config-form${problemFields.size ? " has-problems" : ""}`}>
          <BlockConfigForm
            key={node.id}
            nodeId={node.id}
            spec={spec}
            config={node.data.config}
            formContext={formContext}
            readOnly={readOnly}
            onChange={(config) => updateNode(node.id, { config })}
          />
        </div>
      )}
      <h3>{t("editor.exits")}</h3>
      <table className="exit-table">
        <tbody>
          {exits.map((exit) => {
            const edge = edges.find((e) => e.source === node.id && e.sourceHandle === exit.name);
            return (
              <tr key={exit.name}>
                <th scope="row">{exitLabel(language, node.data.blockType, exit.name, exit.label)}</th>
                <td>
                  <select
                    aria-label={`${t("editor.exits")}: ${exit.label}`}
                    data-exit={exit.name}
                    value={edge?.target ?? ""}
                    onChange={(e) => setExitTarget(node.id, exit.name, e.target.value || null)}
                  >
                    <option value="">—</option>
                    {nodes
                      .filter((n) => n.data.blockType !== "start")
                      .map((n) => (
                        <option key={n.id} value={n.id}>
                          {n.data.label ? `${n.data.label} (${n.id})` : n.id}
                        </option>
                      ))}
                  </select>
                  {!edge && spec && (
                    <div className="muted small">
                      {t("editor.unwired", {
                        meaning: exit.name === "error" ? t("editor.unwiredError") : unwiredMeaning(spec.unwired_meaning, exit.name),
                      })}
                    </div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <label>
        {t("editor.notes")}
        <textarea rows={2} value={node.data.notes ?? ""} onChange={(e) => updateNode(node.id, { notes: e.target.value })} />
      </label>
    </fieldset>
  );
}
