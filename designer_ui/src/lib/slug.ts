/** Scenario slugs: lowercase letters, digits and dashes, as the API accepts them. */

// Russian names are common in this domain: transliterate instead of dropping them (simplified ISO 9 / GOST).
const CYRILLIC: Record<string, string> = {
  а: "a", б: "b", в: "v", г: "g", д: "d", е: "e", ё: "e", ж: "zh", з: "z", и: "i", й: "i", к: "k", л: "l",
  м: "m", н: "n", о: "o", п: "p", р: "r", с: "s", т: "t", у: "u", ф: "f", х: "kh", ц: "ts", ч: "ch", ш: "sh",
  щ: "shch", ъ: "", ы: "y", ь: "", э: "e", ю: "yu", я: "ya", қ: "q", ә: "a", ғ: "g", ң: "n", ө: "o", ұ: "u",
  ү: "u", һ: "h", і: "i",
};

/** "Menú principal" -> "menu-principal", "Меню оплаты" -> "menyu-oplaty": what the slug field proposes. */
export function slugify(name: string): string {
  return [...name.toLowerCase()]
    .map((ch) => CYRILLIC[ch] ?? ch)
    .join("")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
}
