/** Worker entry: filled in by the jobs work. */
export async function runWorkers(): Promise<void> {
  throw new Error('workers not wired yet');
}
