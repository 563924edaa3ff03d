export type TaskStatus = 'open' | 'in-progress' | 'done';

export interface Task {
  id: string;
  title: string;
  owner: string;
  status: TaskStatus;
  updatedAt: number;
}
