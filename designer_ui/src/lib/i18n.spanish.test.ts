/**
 * The designer's Spanish (review in Spanish): it spoke to the user as «tú» on some screens (the new-version notice,
 * passwords, tokens, users: «recarga la página», «Escribe tu contraseña») and as «usted» on the others (the editor,
 * a call list: «Déjelo vacío», «pulse Intro»). It says «usted» throughout now. And «Resultado» meant two things: how
 * a call ended (the register's column, «el escenario colgó») and what the scenario declared (its «Resultados de la
 * llamada», the register's «Respuesta»): how a call ended is «Cómo terminó», as the campaign report's CSV says.
 */
import { describe, expect, it } from "vitest";
import { CallTable } from "../components/CallsPanel";
import { renderInLanguage } from "../components/renderForTest";
import { LANGUAGES, type MessageKey } from "./i18n";

/** The words of a message, without what is not Spanish prose: {placeholders}, JSON examples, `code`. */
function prose(message: string): string {
  let text = message.replace(/`[^`]*`/g, " ");
  for (let was = ""; was !== text; ) [was, text] = [text, text.replace(/\{[^{}]*\}/g, " ")];
  return text;
}

/** A whole word of a Spanish text (JavaScript's \b knows no accented letters: «tú» would end inside it). */
const word = (alternatives: readonly string[], before = "") =>
  new RegExp(`${before}(?<![\\p{L}\\p{N}_])(${alternatives.join("|")})(?![\\p{L}\\p{N}_])`, "iu");

// «tú» and its pronouns and possessives: never «usted»'s (su, le, se are both, or others', and not told apart).
const TU_PRONOUNS = word(["tú", "tu", "tus", "te", "ti", "contigo", "tuyo", "tuya", "tuyos", "tuyas"]);
// Verbs only «tú» conjugates so: «puedes», «no volverás a ver», «que inicies».
const TU_VERBS = word([
  "puedes", "puedas", "podrás", "tienes", "tenías", "quieres", "quieras", "debes", "necesitas", "sabes", "ves", "estás",
  "eres", "has", "hayas", "dejas", "abriste", "inicies", "volverás", "verás", "des", "hagas", "pongas", "elijas",
]); // prettier-ignore
// Imperatives, as «tú» gives them, and the same with a pronoun: «inténtalo», «Ponle un nombre».
const TU_IMPERATIVES_WITH_PRONOUN = word([
  "inténtalo", "déjalo", "déjala", "cópialo", "cópiala", "márcalo", "envíalo", "ponle", "pásasela", "pásaselo", "dale", "dalo",
  "dala", "hazlo", "desactívate", "desactivarte", "elígelo", "escríbelo", "escríbela", "guárdalo", "ábrelo", "ciérralo",
  "quítalo", "pruébalo", "cámbialo", "revócalo", "publícalo", "recárgala", "actualízala", "bórralo", "corrígelo",
]); // prettier-ignore
// A bare imperative is also a third person («la prueba espera», «Supr lo elimina»): one at the start of a sentence
// or after a colon or semicolon, where a sentence about something names it first, is the user told to do it. Not
// «ve» nor «prueba», which start sentences as «(el token) ve» and «Prueba «x» eliminada».
const TU_IMPERATIVES = word(
  [
    "escribe", "elige", "pulsa", "recarga", "espera", "vuelve", "usa", "pon", "haz", "da", "cambia", "cierra", "actualiza",
    "revoca", "selecciona", "genera", "pasa", "inicia", "guarda", "añade", "marca", "desmarca", "corrige", "abre",
    "comprueba", "revisa", "elimina", "publica", "ejecuta", "quita", "repite", "sube", "instala", "copia", "envía", "deja",
    "mira", "busca", "arrastra", "rellena", "cancela", "indica", "di", "ten", "sal",
  ],
  "(?:^|[.:;!?¿¡(]\\s*)",
); // prettier-ignore

/** Why a Spanish message speaks to the user as «tú»: the words that give it away, or null. */
export function tuForm(message: string): string | null {
  const text = prose(message);
  for (const rule of [TU_PRONOUNS, TU_VERBS, TU_IMPERATIVES_WITH_PRONOUN, TU_IMPERATIVES]) {
    const found = rule.exec(text);
    if (found) return found[1]!;
  }
  return null;
}

// Third persons where a bare imperative would be: the name a test is given, «pulsa 1: el escenario colgó» (the
// caller presses 1).
const NOT_SPOKEN_TO: ReadonlySet<MessageKey> = new Set(["tests.nameKeys"]);

describe("the designer's Spanish", () => {
  it("tells «tú» forms apart from «usted» ones and from third persons", () => {
    for (const tu of [
      "Hay una versión nueva de ivrgraph: recarga la página para continuar. Tus cambios se guardan antes.",
      "Escribe tu contraseña actual.",
      "Demasiadas contraseñas incorrectas: espera unos minutos y vuelve a intentarlo.",
      "No tienes tokens de API.",
      "Cópialo ahora: no volverás a ver este token.",
      "Si la dejas vacía, la contraseña no cambia.",
      "Pon un valor por defecto o un valor de prueba a {names} para escucharlo.",
      "El servidor no respondió. No se ha perdido nada: inténtalo de nuevo.",
    ]) expect(tuForm(tu), tu).not.toBeNull();
    for (const usted of [
      "Hay una versión nueva de ivrgraph: recargue la página para continuar. Sus cambios se guardan antes.",
      "Escriba su contraseña actual.",
      "Pulse Intro o Espacio para seleccionar el bloque. Después las flechas lo mueven, Supr lo elimina y Escape quita la selección.",
      "La llamada falló ({reason}); la prueba espera: {expected}.",
      "Una entrada más larga no es válida (el llamante oye el mensaje de entrada incorrecta y vuelve a intentarlo).",
      "Ya hay otra prueba llamada «{name}»: elija otro nombre.",
      "Una prueba es un objeto JSON, p. ej. {\"name\": \"paga\", \"keys\": [\"1\"], \"expect\": {\"outcome\": \"hung_up\"}}.",
      "Corríjalos en el archivo y vuelva a importarlo.",
      "lee y escribe",
      "Ve los datos personales enmascarados.",
      "Prueba «{name}» eliminada.",
    ]) expect(tuForm(usted), usted).toBeNull();
  });

  it("speaks to the user as «usted» throughout", () => {
    const tu = Object.entries(LANGUAGES.es)
      .filter(([key]) => !NOT_SPOKEN_TO.has(key as MessageKey))
      .map(([key, message]) => [key, tuForm(message)] as const)
      .filter(([, found]) => found !== null)
      .map(([key, found]) => `${key}: «${found}»`);
    expect(tu).toEqual([]);
  });

  it("calls how a call ended «Cómo terminó», keeping «Resultado» for what a scenario declares", () => {
    const es = LANGUAGES.es;
    expect(es["calls.outcome"]).toBe("Cómo terminó");
    expect(es["test.outcome"]).toBe("Cómo terminó: {outcome}");
    expect(es["tests.expectOutcome"]).toBe("Cómo termina: {shown}");
    expect(es["testFailure.outcome_mismatch"]).toBe("Cómo terminó la llamada: {outcome}; la prueba espera: {expected}.");
    for (const key of ["testFailure.call_failed", "testFailure.outcome_failed"] as const) expect(es[key]).not.toMatch(/resultado/i);
    // What the scenario declares keeps its names: the editor's results, the register's answer.
    expect([es["editor.results"], es["calls.result"]]).toEqual(["Resultados de la llamada", "Respuesta"]);
    const head = /<thead>(.*?)<\/thead>/s.exec(renderInLanguage("es", CallTable, { items: [], openId: null, onOpen: () => undefined }))?.[1];
    // Beside the canvas, as drawn here, the version is written under «Cuándo» (CallsPanel.test.ts).
    expect([...(head ?? "").matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1])).toEqual(["Cuándo", "Llamante → marcado", "Cómo terminó", "Respuesta"]);
  });
});
