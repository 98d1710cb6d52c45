import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import { BlockConfigForm } from "./BlockPanel";
import { buttonTexts, renderToHtml } from "./renderForTest";
import type { FormContext } from "./widgets";

const builtIn = (type: string) => (catalogJson as unknown as BlockSpec[]).find((b) => b.type === type)!;

/** The example SMS plugin's block (examples/plugins/ivrgraph-sms) as the server lists it: two templates, neither heard. */
const sendSms: BlockSpec = {
  type: "send_sms",
  version: 1,
  title: "Send SMS",
  category: "Connect",
  icon: "message-circle",
  description: "Sends a text message through the SMS gateway configured by the administrator.",
  config_schema: {
    type: "object",
    required: ["text"],
    properties: {
      to: { type: "string", default: "{{ caller_id }}", title: "To", "x-ui": { widget: "template" } },
      text: { type: "string", minLength: 1, maxLength: 480, title: "Text", "x-ui": { widget: "template" } },
    },
    additionalProperties: false,
  },
  exit_rules: [{ name: "sent", label: "Sent" }, { name: "failed", label: "Failed" }],
  default_exits: ["sent", "failed"],
  unwired_meaning: {},
  plugin: "send_sms = ivrgraph_sms:SendSmsBlock (from ivrgraph-sms)",
};

const formContext: FormContext = { variables: ["caller_id"], nodes: [], scenarios: [], audio: [], dataSources: [], language: "es" };

/** How many Listen buttons the block's form offers with this config. */
function listens(spec: BlockSpec, config: Record<string, unknown>): number {
  const html = renderToHtml(BlockConfigForm, { nodeId: spec.type, spec, config, formContext, readOnly: false, onChange: () => undefined });
  return buttonTexts(html).filter((text) => text.includes("Listen")).length;
}

describe("Listen, beside a template field", () => {
  it("is offered where the schema says the caller hears it: Say Phrase's text and a prompt's spoken text", () => {
    expect(listens(builtIn("say_phrase"), { text: "Hola {{ caller_id }}" })).toBe(1);
    expect(listens(builtIn("ivr"), { mode: "menu", prompt: { text: "Pulse 1" }, options: [{ key: "1" }] })).toBe(1);
  });

  it("is not offered for a template nobody hears: a plugin's SMS text, a Transfer's destination, a Callback's number", () => {
    expect(listens(sendSms, { to: "{{ caller_id }}", text: "Su cita es el {{ fecha }}" })).toBe(0);
    expect(listens(builtIn("transfer"), { target: "{{ agent }}" })).toBe(0);
    expect(listens(builtIn("callback"), { number: "{{ caller_id }}", scenario: "x" })).toBe(0);
  });
});
