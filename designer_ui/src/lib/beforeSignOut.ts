/**
 * Work that must reach the server before the session ends, such as an edit not saved yet: signing out runs it
 * first, for a short while at most. Kept apart from the editor, which registers its part when its code loads, so
 * the shell does not load the editor's code only to sign out.
 */
type Task = () => Promise<unknown>;

const tasks = new Set<Task>();

/** Run `task` before every sign-out from now on; the function returned stops that. */
export function beforeSignOut(task: Task): () => void {
  tasks.add(task);
  return () => tasks.delete(task);
}

/**
 * Run every task and wait for them, at most `boundMs`: a server that does not answer must not keep anyone
 * signed in. A task that fails is not the sign-out's concern (the editor keeps what it could not save).
 */
export async function finishBeforeSignOut(boundMs: number): Promise<void> {
  if (tasks.size === 0) return;
  const running = [...tasks].map((task) => Promise.resolve().then(task));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, boundMs)));
  try {
    await Promise.race([Promise.allSettled(running), bound]);
  } finally {
    clearTimeout(timer);
  }
}
