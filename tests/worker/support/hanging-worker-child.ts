// A child process for tests/worker/rerun-after-crash.test.ts: a graphile-worker runner on DATABASE_URL with the app's
// task list, each task followed by a wait that never ends. A job's work commits, then the process prints the job's
// id and stays inside the job, before graphile-worker could mark it complete: exactly the window in which the test
// SIGKILLs it.
import { run, type Task, type TaskList } from "graphile-worker";
import { taskList } from "../../../app/worker/task-list.server";

const hanging: TaskList = Object.fromEntries(
  Object.entries(taskList).map(([name, task]): [string, Task] => [
    name,
    async (payload, helpers) => {
      await (task as Task)(payload, helpers);
      console.log(JSON.stringify({ committed: helpers.job.id }));
      await new Promise(() => undefined);
    },
  ]),
);

await run({
  connectionString: process.env.DATABASE_URL,
  taskList: hanging,
  concurrency: 1,
  pollInterval: 100,
  parsedCronItems: [],
  noHandleSignals: true,
});
