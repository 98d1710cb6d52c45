import { describe, expect, it } from "vitest";
import { CLOCK_TIME, readClockTime, refusalText, type ClockTimeReading, type ClockTimeRefusal } from "./clockTime";
import { translator } from "./i18n";
import { problemText } from "./problemText";
import type { Problem } from "./problems";

const refused = (typed: string) => {
  const reading = readClockTime(typed);
  if (reading.kind !== "refused") throw new Error(`${typed} was read as ${JSON.stringify(reading)}`);
  return reading;
};

describe("a time of day as people type it", () => {
  it.each([
    // As most Russians, Spaniards and Americans write it: hours without the leading zero.
    ["9:00", "09:00"],
    ["9", "09:00"],
    ["09", "09:00"],
    ["0", "00:00"],
    ["09:00", "09:00"],
    ["23:59", "23:59"],
    ["00:00", "00:00"],
    // The dot of Russian and British writing, a dash, a comma, a space, the French and Spanish "h".
    ["18.00", "18:00"],
    ["18-00", "18:00"],
    ["18,30", "18:30"],
    ["18 00", "18:00"],
    ["18h00", "18:00"],
    ["18h", "18:00"],
    ["18 h", "18:00"],
    ["18:00 h", "18:00"],
    ["9:", "09:00"],
    // The colon's key typed with the Russian layout on.
    ["18ж00", "18:00"],
    ["18Ж30", "18:30"],
    // Digits only: the last two are the minutes.
    ["1800", "18:00"],
    ["930", "09:30"],
    ["0930", "09:30"],
    ["0000", "00:00"],
    // The 12-hour clock, as Americans and Spanish writing ("p. m.") have it.
    ["6 pm", "18:00"],
    ["6:30PM", "18:30"],
    ["6:30 p. m.", "18:30"],
    ["9am", "09:00"],
    ["12 am", "00:00"],
    ["12 pm", "12:00"],
    // Pasted from a spreadsheet, or with spaces around.
    ["09:00:00", "09:00"],
    ["  7:45 ", "07:45"],
  ])("reads %j as %s", (typed, stored) => {
    expect(readClockTime(typed)).toEqual({ kind: "time", value: stored });
    expect(CLOCK_TIME.test(stored)).toBe(true);
  });

  it.each<[string, ClockTimeRefusal]>([
    // One digit of minutes: 09:05, 09:50 or half past nine? Never guessed.
    ["9.5", "unclear_minutes"],
    ["9:5", "unclear_minutes"],
    ["18,3", "unclear_minutes"],
    // Midnight is 00:00: a period until 00:00 already lasts to the end of the day.
    ["24:00", "twenty_four"],
    ["24", "twenty_four"],
    ["2400", "twenty_four"],
    ["24.00", "twenty_four"],
    ["24:30", "hours"],
    ["25:00", "hours"],
    ["99", "hours"],
    ["13 pm", "hours"],
    ["0 am", "hours"],
    ["9:60", "minutes"],
    ["975", "minutes"],
    ["nueve", "form"],
    ["9:00:30", "form"],
    ["12345", "form"],
    ["9:000", "form"],
    ["09:00-18:00", "form"],
    ["-9", "form"],
    [":30", "form"],
    ["pm", "form"],
  ])("refuses %j: %s", (typed, why) => {
    expect(refused(typed).why).toBe(why);
  });

  it("takes an empty field as no time, not a refusal", () => {
    expect(readClockTime("")).toEqual({ kind: "empty" });
    expect(readClockTime("   ")).toEqual({ kind: "empty" });
  });
});

describe("a refusal in words", () => {
  const say = (typed: string, language: "en" | "es" | "ru") => refusalText(typed, refused(typed), translator(language));

  it("says what is wrong and how to write it, in the interface language", () => {
    expect(say("9.5", "en")).toBe("“9.5” is unclear: write the minutes as two digits, e.g. 09:05 or 09:30.");
    expect(say("9.5", "ru")).toBe("«9.5» — непонятно: минуты пишутся двумя цифрами, например 09:05 или 09:30.");
    expect(say("9.5", "es")).toBe("«9.5» no está claro: escriba los minutos con dos cifras, p. ej. 09:05 o 09:30.");
    expect(say("25:00", "ru")).toBe("«25:00» — не время суток: часы бывают от 00 до 23.");
    expect(say("9:75", "es")).toBe("«9:75» no es una hora del día: los minutos van de 00 a 59.");
    expect(say("nueve", "es")).toBe("«nueve» no es una hora: escríbala como HH:MM, p. ej. 09:00 o 18:30.");
    expect(say("девять", "ru")).toBe("«девять» — не время: напишите его как ЧЧ:ММ, например 09:00 или 18:30.");
  });

  it("says 24:00 is written 00:00, and that a period until then lasts to the end of the day", () => {
    expect(say("24:00", "en")).toBe(
      "There is no “24:00”: midnight is 00:00. A period until 00:00 lasts to the end of the day (18:00–00:00), and one may cross midnight (22:00–02:00).",
    );
    expect(say("24:00", "ru")).toBe(
      "Времени «24:00» нет: полночь — это 00:00. Интервал до 00:00 длится до конца дня (18:00–00:00), а может и переходить через полночь (22:00–02:00).",
    );
    expect(say("24", "es")).toMatch(/^«24» no existe: la medianoche es 00:00\. Una franja hasta las 00:00 dura hasta el final del día/);
  });

  it("quotes a long paste cut short", () => {
    const reading: ClockTimeReading = { kind: "refused", why: "form" };
    expect(refusalText("from nine in the morning", reading, translator("en"))).toBe(
      "“from nine in the…” is not a time: write it as HH:MM, e.g. 09:00 or 18:30.",
    );
  });
});

describe("the server's refusal of a document whose time is not HH:MM (sent through the API)", () => {
  // As POST /api/scenarios/{slug}/validate answers it (tests/api/test_clock_time_refusal.py).
  const hint = "24-hour HH:MM, e.g. 09:00 or 18:30; midnight is 00:00.";
  const refusal: Problem = {
    severity: "error",
    code: "config",
    node: "office",
    path: "$.nodes[1].config.hours[0].from",
    message: `Schedule "Office": Opening hours > row 1 > From: '9:00' does not match the form this field takes: ${hint}`,
    params: { block_type: "schedule", block_title: "Schedule", label: "Office", field: "Opening hours > row 1 > From", rule: "pattern", value: "9:00", hint },
  };

  it("names the block and the field, and says the form expected with an example, in each language", () => {
    expect(problemText(refusal, "en")).toBe(
      "Schedule \"Office\": Opening hours > Period 1 > From: '9:00' does not match the form this field takes: 24-hour HH:MM, e.g. 09:00 or 18:30; midnight is 00:00.",
    );
    expect(problemText(refusal, "ru")).toBe("Расписание «Office»: «Часы работы», интервал 1, «С» — «9:00» не подходит по форме. Время в виде ЧЧ:ММ, например 09:30.");
    expect(problemText(refusal, "es")).toBe("Horario «Office»: «Horario de apertura», franja 1, «Desde» — «9:00» no tiene la forma esperada. Una hora como HH:MM, p. ej. 09:30.");
  });
});
