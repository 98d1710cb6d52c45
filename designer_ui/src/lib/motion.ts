/**
 * Motion the user asked the system to spare them (WCAG 2.3.3, "Reduce motion" in the OS): the canvas's pans and
 * zooms then jump to where they go instead of gliding there. Read at each move, so a change of the setting
 * applies at once, without a reload.
 */

/** The media query a browser answers from the system's "reduce motion" setting. */
export const REDUCED_MOTION_QUERY = "(prefers-reduced-motion: reduce)";

type MatchMedia = (query: string) => { matches: boolean };

/** Whether the user asked for less motion; no matchMedia (Node, an old browser) is taken as not asked. */
export function prefersReducedMotion(matchMedia: MatchMedia | undefined = globalThis.matchMedia?.bind(globalThis)): boolean {
  return matchMedia?.(REDUCED_MOTION_QUERY).matches ?? false;
}

/** An animation's duration in milliseconds: `ms`, or 0 (no animation) for a user who asked for less motion. */
export function motionDuration(ms: number, reduced: boolean = prefersReducedMotion()): number {
  return reduced ? 0 : ms;
}
