/** Scenario slugs: lowercase letters, digits and dashes, as the API accepts them. */

// Russian names are common in this domain: transliterate instead of dropping them (simplified ISO 9 / GOST), with
// the Kazakh, Ukrainian and Belarusian letters Russian lacks.
const CYRILLIC: Record<string, string> = {
  а: "a", б: "b", в: "v", г: "g", д: "d", е: "e", ё: "e", ж: "zh", з: "z", и: "i", й: "i", к: "k", л: "l",
  м: "m", н: "n", о: "o", п: "p", р: "r", с: "s", т: "t", у: "u", ф: "f", х: "kh", ц: "ts", ч: "ch", ш: "sh",
  щ: "shch", ъ: "", ы: "y", ь: "", э: "e", ю: "yu", я: "ya", қ: "q", ә: "a", ғ: "g", ң: "n", ө: "o", ұ: "u",
  ү: "u", һ: "h", і: "i", ї: "i", є: "ie", ґ: "g", ў: "u",
};

// Letters that no accent stripping turns into ASCII (NFKD leaves them whole); № (NFKD's "No", whose capital N
// the slug would drop: "№1" proposed "o1"); and the marks NFKD spells out, which are no part of a name (™: TM).
const OTHER_LETTERS: Record<string, string> = {
  ß: "ss", æ: "ae", œ: "oe", ø: "o", ł: "l", đ: "d", ð: "d", þ: "th", ı: "i", "№": "no", "™": "", "℠": "",
};

const SLUG_LENGTH = 64;

/** "Menú principal" -> "menu-principal", "Меню оплаты" -> "menyu-oplaty": what the slug field proposes. */
export function slugify(name: string): string {
  return [...name.normalize("NFC").toLowerCase()]
    .map((ch) => CYRILLIC[ch] ?? OTHER_LETTERS[ch] ?? ch)
    .join("")
    .normalize("NFKD")
    // Compatibility forms may come apart into capitals (™ into TM, a full-width Ａ into A): lower those too.
    .toLowerCase()
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, SLUG_LENGTH)
    .replace(/-+$/, "");
}
