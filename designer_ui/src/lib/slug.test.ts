import { describe, expect, it } from "vitest";
import { slugify } from "./slug";

describe("the slug proposed for a scenario's name", () => {
  it("writes № as no, not as the o left of its NFKD No (review: «Ёлка» №1 proposed …-elka-o1-…)", () => {
    expect(slugify("Горячая линия «Ёлка» №1 — приём заявок")).toBe("goryachaya-liniya-elka-no1-priem-zayavok");
    expect(slugify("Заявка № 15")).toBe("zayavka-no-15");
  });

  it("transliterates Cyrillic, also typed with combining marks, and the letters Russian lacks", () => {
    expect(slugify("Меню оплаты")).toBe("menyu-oplaty");
    expect(slugify("Ёлка и йогурт")).toBe(slugify("Е\u0308лка и и\u0306огурт"));
    expect(slugify("Щедрый подъезд")).toBe("shchedryi-podezd");
    expect(slugify("Київ Ґанок")).toBe("kiiv-ganok");
    expect(slugify("Қазақстан")).toBe("qazaqstan");
  });

  it("spells German ß and the Latin letters that have no accent to strip", () => {
    expect(slugify("Straße der Einheit")).toBe("strasse-der-einheit");
    expect(slugify("GROSSE Überweisung")).toBe("grosse-uberweisung");
    expect(slugify("Øresund Łódź Ærø")).toBe("oresund-lodz-aero");
  });

  it("drops French and Spanish accents and keeps the words apart", () => {
    expect(slugify("Réception à l'accueil — Œuvre")).toBe("reception-a-l-accueil-oeuvre");
    expect(slugify("Menú principal")).toBe("menu-principal");
    expect(slugify("  Año 2026 — Cobros!! ")).toBe("ano-2026-cobros");
  });

  it("reads compatibility forms in lower case (ligatures, full-width letters) and leaves ™ out", () => {
    expect(slugify("ﬁnal Ｌｉｎｅ Acme™")).toBe("final-line-acme");
  });

  it("leaves emoji and symbols out, and proposes nothing for a name of symbols only", () => {
    expect(slugify("📞 Hotline 24/7 ✨")).toBe("hotline-24-7");
    expect(slugify("👩‍💻🎉")).toBe("");
    expect(slugify("«»!!! —")).toBe("");
  });

  it("is at most 64 characters and never ends with a dash where it was cut", () => {
    expect(slugify("x".repeat(80))).toHaveLength(64);
    const cut = slugify(`${"a".repeat(63)} b`);
    expect(cut).toBe("a".repeat(63));
    expect(cut).toMatch(/^[a-z0-9][a-z0-9-]{0,63}$/);
  });
});
