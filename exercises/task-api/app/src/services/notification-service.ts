import { EventEmitter } from 'node:events';
import type { Task } from '../types';

/** Task events inside the process: the store announces saves, request handlers wait for them. */
export class NotificationService {
  private readonly emitter = new EventEmitter();

  /** Announces that a task reached storage. */
  taskSaved(task: Task): void {
    this.emitter.emit('task-saved', task);
  }

  /** Calls `listener` for every saved task (e.g. to push updates to live clients). */
  onTaskSaved(listener: (task: Task) => void): void {
    this.emitter.on('task-saved', listener);
  }

  /** Resolves when the task with `taskId` has been saved; rejects if that takes too long. */
  waitForSave(taskId: string, timeoutMs = 5000): Promise<Task> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`task ${taskId} was not saved within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.emitter.on('task-saved', (task: Task) => {
        if (task.id !== taskId) return;
        clearTimeout(timer);
        resolve(task);
      });
    });
  }

  /** How many listeners are registered (for /stats). */
  listenerCount(): number {
    return this.emitter.listenerCount('task-saved');
  }
}
