/**
 * React's state hooks for a component called as React would render it, without a browser (vitest runs in Node,
 * with no DOM): useState and useRef keep their values in cells, by the order the component calls them, and an
 * effect whose dependencies changed since the last call is queued in `hooks.due`, for the test to run after the
 * drawing, as React does. A test file mocks React with it (the mock stays in the test file, where vitest hoists it):
 *
 *   vi.mock("react", async (importOriginal) => (await import("./hookCells")).withHookCells(await importOriginal<typeof import("react")>()));
 *
 * No runtime import of React here: this module is loaded while React itself is being mocked.
 */

export const hooks = { cells: [] as unknown[], next: 0, due: [] as (() => void)[] };

/** `react` with useState, useRef and useEffect kept in `hooks`. */
export function withHookCells(react: typeof import("react")) {
  const cell = <T>(initial: () => T): [number, T] => {
    const at = hooks.next++;
    if (!(at in hooks.cells)) hooks.cells[at] = initial();
    return [at, hooks.cells[at] as T];
  };
  return {
    ...react,
    useState: <T>(initial: T | (() => T)) => {
      const [at, value] = cell(() => (typeof initial === "function" ? (initial as () => T)() : initial));
      const set = (next: T | ((current: T) => T)) => {
        hooks.cells[at] = typeof next === "function" ? (next as (current: T) => T)(hooks.cells[at] as T) : next;
      };
      return [value, set];
    },
    useRef: <T>(initial: T) => cell(() => ({ current: initial }))[1],
    useEffect: (effect: () => void, deps?: unknown[]) => {
      const at = hooks.next++;
      const before = hooks.cells[at] as unknown[] | undefined;
      hooks.cells[at] = deps;
      if (!before || !deps || deps.some((dep, i) => !Object.is(dep, before[i]))) hooks.due.push(effect);
    },
  };
}

/** Calls `draw` as React renders a component (its hooks from the first cell again), then runs the effects due. */
export function drawn<T>(draw: () => T): T {
  hooks.next = 0;
  const result = draw();
  const due = hooks.due;
  hooks.due = [];
  due.forEach((effect) => effect());
  return result;
}

/** No cells and nothing due: the next drawing is a first one (after each test). */
export function forgetHookCells(): void {
  hooks.cells = [];
  hooks.next = 0;
  hooks.due = [];
}
