/**
 * The scenario a save conflict keeps the other version in. Its slug must be new every time: an analyst may
 * resolve two conflicts within a minute (two tabs on one draft), and a long slug must keep its stamp.
 */
import { ApiError } from "../api/http";

/** The longest slug the API takes (persistence.scenarios.SLUG_PATTERN). */
export const MAX_SLUG_LENGTH = 64;
/** The longest scenario name the API takes (api.schemas Name). */
export const MAX_NAME_LENGTH = 200;
/** How many new slugs a copy tries when the one it chose is taken meanwhile. */
export const COPY_ATTEMPTS = 5;

const two = (n: number) => String(n).padStart(2, "0");

/** Four characters of [0-9a-z]: the part of a copy's slug that tells two copies of the same second apart. */
export function randomSuffix(random: () => number = Math.random): string {
  return Array.from({ length: 4 }, () => Math.floor(random() * 36).toString(36)).join("");
}

/**
 * "sales-inbound-theirs-20261205193512-k3f9": the slug, shortened first so the stamp (UTC, to the second) and
 * the random suffix always fit within the 64 characters a slug may have.
 */
export function copySlug(slug: string, who: string, now: Date = new Date(), random: () => number = Math.random): string {
  const stamp = now.toISOString().slice(0, 19).replace(/[^0-9]/g, "");
  const tail = `-${who}-${stamp}-${randomSuffix(random)}`;
  const base = slug.slice(0, MAX_SLUG_LENGTH - tail.length).replace(/-+$/, "");
  return `${base || "scenario"}${tail}`;
}

/** "19:35": the analyst's wall clock, which the copy's name carries so two copies read apart in the list. */
export function copyTime(now: Date = new Date()): string {
  return `${two(now.getHours())}:${two(now.getMinutes())}`;
}

/**
 * A copy's name, "Hotline (theirs, revision 3, 19:35)", from the original's name and the words after it: the
 * original's name is shortened (by character, as the server counts) so the whole fits in 200 characters.
 */
export function copyName(name: string, suffix: string): string {
  const room = MAX_NAME_LENGTH - [...suffix].length - 1;
  const shortened = [...name].length > room ? `${[...name].slice(0, Math.max(room - 1, 0)).join("")}…` : name;
  return `${shortened} ${suffix}`;
}

/** Whether the API refused a new scenario because its slug is taken (a 409 "already-exists" problem). */
export function isSlugTaken(error: unknown): boolean {
  if (!(error instanceof ApiError) || error.status !== 409) return false;
  const type = (error.body as { type?: unknown } | null)?.type;
  return typeof type === "string" ? type.endsWith("/already-exists") : /already exists/.test(error.message);
}

/** Where the copy is created (the API; a test gives its own). */
export type CreateScenario<D> = (slug: string, name: string, document: D) => Promise<unknown>;

/** The scenario a conflict kept a version in. */
export interface KeptCopy {
  slug: string;
  name: string;
}

/**
 * Save `document` as a new scenario named `name`, on a new slug made from `slug`; should that slug be taken
 * meanwhile, again with another random suffix, up to COPY_ATTEMPTS times. Any other refusal is thrown at once.
 */
export async function saveCopy<D>(
  create: CreateScenario<D>,
  copy: { slug: string; who: string; name: string; document: D },
  now: () => Date = () => new Date(),
  random: () => number = Math.random,
): Promise<KeptCopy> {
  for (let attempt = 1; ; attempt += 1) {
    const slug = copySlug(copy.slug, copy.who, now(), random);
    try {
      await create(slug, copy.name, copy.document);
      return { slug, name: copy.name };
    } catch (error) {
      if (!isSlugTaken(error) || attempt >= COPY_ATTEMPTS) throw error;
    }
  }
}
