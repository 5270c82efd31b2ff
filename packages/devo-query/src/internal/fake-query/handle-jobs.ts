import type { ServerResponse } from 'node:http';
import { envelope, sendBody, type FakeQueryContext } from './fake-query-context';

/** `GET /search/jobs[/{type}]` and `GET /search/job[/{action}]/{id}` (docs/reference/devo-query-api.md §8). */
export function handleJobs(context: FakeQueryContext, response: ServerResponse, path: string): void {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent); // search, job(s), ...
  if (parts[1] === 'jobs') {
    const list = [...context.jobs.values()].filter((job) => parts[2] === undefined || job.type === parts[2]);
    sendBody(response, 200, envelope(context, list));
    return;
  }
  const action = parts.length === 4 ? parts[2] : undefined;
  const id = parts.length === 4 ? parts[3]! : parts[2]!;
  const job = context.jobs.get(id);
  // [I] the HTTP status of task errors is not documented; the body is [C].
  if (job === undefined) {
    sendBody(response, 404, { msg: 'Task not found', status: 100, timestamp: context.now(), cid: context.cid() });
    return;
  }
  const target = action === 'stop' ? 'STOPPED' : action === 'start' ? 'RUNNING' : action === 'remove' ? 'REMOVED' : undefined;
  if (action !== undefined && target === undefined) {
    sendBody(response, 404, { msg: `Unknown job operation ${action}`, status: 404, timestamp: context.now(), cid: context.cid() });
    return;
  }
  if (target !== undefined) {
    if (job.status === target || job.status === 'REMOVED') {
      sendBody(response, 400, { msg: `Task ${id} cannot change status from ${job.status} to ${target}`, status: 101, timestamp: context.now(), cid: context.cid() });
      return;
    }
    job.status = target;
    if (target === 'REMOVED') context.jobs.delete(id);
  }
  sendBody(response, 200, envelope(context, { ...job }));
}
