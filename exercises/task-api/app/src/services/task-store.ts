import type { Task, TaskStatus } from '../types';
import type { NotificationService } from './notification-service';

const STATUSES: TaskStatus[] = ['open', 'in-progress', 'done'];

/** The tasks, in memory; saves complete asynchronously (like a database write) and are announced. */
export class TaskStore {
  private readonly tasks = new Map<string, Task>();
  private nextId = 1;

  constructor(private readonly notifications: NotificationService) {
    const owners = ['ada', 'grace', 'linus', 'barbara'];
    for (let i = 0; i < 40; i++)
      this.insert({
        title: `Seed task ${i + 1}`,
        owner: owners[i % owners.length]!,
        status: STATUSES[i % 3]!,
      });
  }

  private insert(fields: Pick<Task, 'title' | 'owner' | 'status'>): Task {
    const task: Task = { id: String(this.nextId++), ...fields, updatedAt: Date.now() };
    this.tasks.set(task.id, task);
    return task;
  }

  get(id: string): Task | undefined {
    return this.tasks.get(id);
  }

  list(): Task[] {
    return [...this.tasks.values()];
  }

  /**
   * Full-text search over titles, owners and statuses; deliberately simple, and slow enough to
   * cache. Returns copies, so a cached answer does not change under its reader.
   */
  search(query: string): Task[] {
    return this.list()
      .filter((task) => matches(task, query))
      .map((task) => ({ ...task }));
  }

  create(fields: Pick<Task, 'title' | 'owner'>): Task {
    const task = this.insert({ ...fields, status: 'open' });
    setImmediate(() => this.notifications.taskSaved(task));
    return task;
  }

  /** Applies a change; the returned task is announced once it is "written". */
  update(id: string, change: Partial<Pick<Task, 'title' | 'status' | 'owner'>>): Task | undefined {
    const task = this.tasks.get(id);
    if (!task) return undefined;
    if (change.status !== undefined && !STATUSES.includes(change.status))
      throw new RangeError(`unknown status ${change.status}`);
    Object.assign(task, change, { updatedAt: Date.now() });
    setImmediate(() => this.notifications.taskSaved({ ...task }));
    return task;
  }
}

/** Whether a search for `query` finds `task` (by title, owner or status, ignoring case). */
export function matches(task: Task, query: string): boolean {
  return `${task.title} ${task.owner} ${task.status}`.toLowerCase().includes(query.toLowerCase());
}
